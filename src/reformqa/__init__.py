"""reformqa: answers from Chinese policy documents by quoting their clauses, with citations.

    ingest -> chunk -> embed -> index -> retrieve -> answer -> (cli | ui) ; evaluation

The Python API is `Project`: ``Project().ask("合肥都市圈赋予科研人员多少所有权？")``.
"""

from .contract import answer_to_json
from .errors import ReformqaError
from .project import Project
from .records import Answer, Citation, Clause, Hit, Region, Span
from .settings import Settings

__all__ = ["Project", "Settings", "Answer", "Citation", "Clause", "Hit", "Region", "Span", "ReformqaError", "answer_to_json"]
__version__ = "0.1.0"
