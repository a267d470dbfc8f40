"""What a search is asked: the text to embed, the tokens to match, and the clauses to rank first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DOC_BOOST", "ARTICLE_BOOST", "DETAIL_BOOST", "SearchRequest"]

# A named document ranks like a named pilot; the article asked ranks above the rest of it,
# and the 款 or 项 asked above the rest of the article.
DOC_BOOST, ARTICLE_BOOST, DETAIL_BOOST = 1.0, 1.0, 0.3


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What the search needs of a question: the text to embed, the tokens to match, the boosts to apply."""

    text: str  # normalised; embedded as the query, and the key of the vector cache
    tokens: tuple[str, ...]  # BM25 tokens
    lexical: bool = True  # False when the question shares no script with the text: dense decides
    regions: tuple[str, ...] = ()  # regions named: their clauses rank first in mode full
    scope: bool = False  # with regions: their scope sentences rank above their measures
    boost: Callable[[str], bool] | None = None  # in mode full, clauses whose text this accepts gain boost_weight
    boost_weight: float = 0.0
    dense_weight: float | None = None  # the weighted fusion's alpha for this request; None: the index's
    docs: tuple[str, ...] = ()  # documents the question names: their clauses rank first in mode full
    place_docs: tuple[str, ...] = ()  # documents whose jurisdiction it names: weighed like a named pilot
    article: int = 0  # 第十二条 asked: that article ranks first (in the named documents, if any)
    detail: tuple[str, ...] = ()  # 第三款, 第（三）项 inside the article
    pilot_pool: bool = False  # also return the best k clauses that lie in a pilot (a 哪些试点 question's pool), after the top k
