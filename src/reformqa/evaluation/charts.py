"""The two charts of a run (matplotlib, Agg, no display): main measures per mode and kind, and the threshold sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .metrics import kind_measure, require

__all__ = ["write_charts"]

_CHART = (("Hit@1", "hit@1"), ("Hit@5", "hit@5"), ("MRR@10", "mrr@10"), ("nDCG@10", "ndcg@10"), ("list R@10", "list_recall@10"),
          ("span acc.", "span_accuracy"), ("abst. P", "abstention_precision"), ("abst. R", "abstention_recall"))

def _figure(size: tuple[float, float]) -> Any:
    """A matplotlib Figure on the Agg canvas: no display, no pyplot state."""
    require("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _bars(ax: Any, groups: list[str], series: dict[str, list[float | None]], title: str) -> None:
    width = 0.8 / max(len(series), 1)
    for i, (label, values) in enumerate(series.items()):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        ax.bar(xs, [v if v is not None else 0.0 for v in values], width, label=label)
    ax.set_xticks(range(len(groups)), groups, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)


def write_charts(run: dict[str, Any], metrics_png: Path, threshold_png: Path) -> None:
    """Draw the measures chart and the threshold-sweep chart of a run into two PNG files."""
    modes, kinds = run["modes"], list(run["by_kind"][run["modes"][0]])
    figure = _figure((12, 4.6))
    left, right = figure.subplots(1, 2, width_ratios=[1, 1.1])
    summary = {m: [run["summary"][m][k] for _, k in _CHART] for m in modes}
    _bars(left, [label for label, _ in _CHART], summary, f"Main measures per mode ({run['split']})")
    per_kind = {m: [kind_measure(run["by_kind"][m][k], k) for k in kinds] for m in modes}
    _bars(right, kinds, per_kind, "Hit@1 per kind (unanswerable: abstention recall)")
    figure.legend(*left.get_legend_handles_labels(), loc="outside upper center", ncols=len(modes), fontsize=9)
    figure.savefig(metrics_png, metadata={"Software": None})

    figure = _figure((7, 4.4))
    ax = figure.subplots()
    if sweep := run.get("threshold_sweep"):
        for key, label, style in (("abstention_precision", "abstention precision", "-"), ("abstention_recall", "abstention recall", "-"),
                                  ("answered_accuracy", "answered accuracy (Hit@1)", "-"), ("answered_share", "share answered", ":")):
            ax.plot(sweep["thresholds"], [float("nan") if v is None else v for v in sweep[key]], style, label=label)
        ax.axvline(sweep["calibrated"], color="black", linestyle="--", linewidth=1)
        ax.annotate(f"calibrated {sweep['calibrated']}", (sweep["calibrated"], 0.03), xytext=(4, 0), textcoords="offset points", fontsize=8)
        ax.legend(loc="lower left", fontsize=8)
    ax.set_xlabel("confidence threshold")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Abstention threshold sweep, full mode ({run['split']})")
    ax.grid(alpha=0.3)
    figure.savefig(threshold_png, metadata={"Software": None})
