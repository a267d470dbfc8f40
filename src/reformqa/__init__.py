"""reformqa: answers from Chinese policy documents by quoting their clauses, with citations.

    ingest -> chunk -> embed -> index -> retrieve -> answer -> (cli | ui) ; evaluation

The Python API is `Project`: ``Project().ask("合肥都市圈赋予科研人员多少所有权？")``.
"""

import gc as _gc

# Importing allocates some 300,000 objects that live as long as the process: the collector's passes over them
# found nothing and cost a start 10-20 ms. It is off while importing, and what the imports made is then frozen
# out of later passes (gc.freeze), which also shortens a server's collections.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from .contract import answer_to_json
    from .errors import ReformqaError
    from .project import Project
    from .records import Answer, Citation, Clause, Hit, Region, Span
    from .settings import Settings
finally:
    _gc.freeze()
    if _collecting:
        _gc.enable()

__all__ = ["Project", "Settings", "Answer", "Citation", "Clause", "Hit", "Region", "Span", "ReformqaError", "answer_to_json"]
__version__ = "0.1.0"
