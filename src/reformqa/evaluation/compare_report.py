"""Two saved runs side by side: the paired tests as Markdown, significant differences in bold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .metrics import MAX_P
from .report import ROWS, fmt, md_table

__all__ = ["render_comparison", "write_comparison"]

_UNPAIRED = ("abstention_precision", "abstention_recall", "quote_chars", "latency_p50_ms", "latency_p95_ms")


def _labels(comparison: dict[str, Any], ma: str, mb: str) -> tuple[str, str]:
    a, b = comparison["a"], comparison["b"]
    return (f"{a}:{ma}", f"{b}:{mb}") if (a == b or ma != mb) else (a, b)


def render_comparison(comparison: dict[str, Any]) -> str:
    """Two saved runs side by side as Markdown, significant differences in bold."""
    pairs = comparison["pairs"]
    title = " vs ".join(_labels(comparison, *pairs[0])) if len(pairs) == 1 else f"{comparison['a']} vs {comparison['b']}"
    out = [f"# {title}", "",
           f"{comparison['paired_questions']} questions in both runs. Two-sided paired Student t-test (ranx's) on the per-question scores "
           f"each run saved; **bold** Δ = significant at p ≤ {MAX_P}. *sign p* = exact sign test over the questions that differ, "
           "stricter when few do. *detectable Δ* = the smallest difference the t-test finds with 80% power: with ~100 questions only "
           "differences of about 0.08 MRR are detectable.", ""]
    for ma, mb in comparison["pairs"]:
        a, b = _labels(comparison, ma, mb)
        table = []
        for r in (r for r in comparison["rows"] if r["mode_a"] == ma and r["mode_b"] == mb):
            delta = f"{r['b_score'] - r['a_score']:+.3f}"
            table.append([r["metric"], str(r["questions"]), fmt(r["a_score"]), fmt(r["b_score"]),
                          f"**{delta}**" if r["significant"] else delta, f"{r['p_value']:.2g}", f"{r['sign_p']:.2g}",
                          f"{r['wins']}/{r['ties']}/{r['losses']}", fmt(r["mde"])])
        agg = comparison["aggregates"][f"{ma}|{mb}"]
        unpaired = [[label, fmt(agg["a"].get(key), digits), fmt(agg["b"].get(key), digits)]
                    for label, key, _, digits in ROWS if key in _UNPAIRED]
        out += [f"## {comparison['a']}:{ma} vs {comparison['b']}:{mb}", "",
                *md_table(["metric", "n", a, b, "Δ (B − A)", "p (t-test)", "sign p", "A wins/ties/losses", "detectable Δ"], table), "",
                "Not paired (no test):", "", *md_table(["measure", a, b], unpaired), ""]
    return "\n".join(out)


def write_comparison(comparison: dict[str, Any], out_dir: Path) -> Path:
    """Write <A>-vs-<B>.md (with the modes when one pair of different modes is compared) into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    a, b = comparison["a"], comparison["b"]
    if len(comparison["pairs"]) == 1 and len(set(comparison["pairs"][0])) == 2:
        ma, mb = comparison["pairs"][0]
        a, b = f"{a}-{ma}", f"{b}-{mb}"
    path = out_dir / f"{a}-vs-{b}.md"
    path.write_text(render_comparison(comparison), encoding="utf-8")
    return path
