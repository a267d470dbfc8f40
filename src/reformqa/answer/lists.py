"""List answers: one quote per pilot whose clauses carry the topic asked about (哪些试点…)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..records import Hit
from ..search import Retriever
from .question import Query
from .signals import Lexicon

__all__ = ["POLICY_VERBS", "list_regions"]

# How a measure is carried out, not what it is about: 哪些试点推行包干制 asks about 包干制,
# and a pilot that writes 探索实施经费包干制 practises it as much as one that writes 推行.
POLICY_VERBS = frozenset(
    "推行 推广 实施 实行 施行 试行 探索 开展 支持 推动 鼓励 涉及 方案 举措 采用 采取 提出 建立 建设 完善 优化 深化 加强 加快 有序 允许 改革 措施 管理".split()
)

# What 哪些试点/哪些地区 lists, not what it asks about: beside other documents 试点 is a rare, heavy word.
_LISTED = frozenset({"试点", "地区", "地方", "城市"})


def list_regions(retriever: Retriever, lexicon: Lexicon, query: Query, hits: Sequence[Hit], calibration: Mapping[str, Any]) -> list[Hit]:
    """One hit per region whose best clause matches the topic confidently."""
    if query.latin:  # no shared words: a region is listed when it is nearly as close as the best
        best: dict[str | None, Hit] = {}
        for hit in hits:
            best.setdefault(hit.clause.region, hit)
        candidates = [h for r, h in best.items() if r is not None]
        if not candidates:
            return []
        top = max(h.signals["dense"] for h in candidates)
        return [h for h in candidates if h.signals["dense"] >= top - calibration["list_dense_gap"]]
    topic = replace(query, words=tuple(w for w in query.words if w not in POLICY_VERBS and w not in _LISTED) or query.words)
    scored: dict[str, tuple[float, Hit]] = {}
    for hit in hits:
        if hit.clause.region is None:
            continue
        cov = lexicon.coverage(topic.words, retriever.clause_norm(hit.clause))
        if hit.clause.region not in scored or cov > scored[hit.clause.region][0]:
            scored[hit.clause.region] = (cov, hit)
    if not scored:
        return []
    floor = max(calibration["list_min_coverage"], calibration["list_rel_coverage"] * max(c for c, _ in scored.values()))
    chosen = [(c, h) for c, h in scored.values() if c >= floor]
    return [h for _, h in sorted(chosen, key=lambda item: (-item[0], -item[1].score))]
