"""The load test (bench/load.py) runs small, so it cannot rot: 10 clients, 5 s of batches, an index rebuilt under them.

The full run (50 clients, 60 s, `index --rebuild`) and its figures: docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytest.importorskip("gradio_client")


def _fingerprint(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_small_load_run_fails_no_request_keeps_its_memory_and_switches_index(tmp_path: Path):
    before = _fingerprint(REPO / "seeds", REPO / "index")
    out = tmp_path / "load.json"
    command = [
        sys.executable, str(REPO / "bench" / "load.py"), "--clients", "10", "--seconds", "5", "--questions", "40",
        "--rebuild", "incremental", "--json", str(out),
        "--max-growth", "16",  # 5 s of requests show no trend; the 60-s run is the one that judges memory
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["problems"] == []
    batches = [p for p in report["phases"] if p["phase"].startswith("batch")]
    assert len(batches) == 3 and all(p["rss_mib"] and p["requests"] and p["failed"] == 0 for p in batches)
    assert report["total"]["failed"] == 0 and report["total"]["kinds"]["ok"] == report["total"]["requests"]
    rebuild = report["rebuild"]
    assert rebuild["build_status"] == 0 and rebuild["manifest_changed"] and rebuild["marker_answered_after"]
    assert rebuild["manifest_after"]["clauses"] == rebuild["manifest_before"]["clauses"] + 1
    assert report["server_alive"] and report["server_log_tracebacks"] == 0
    assert "| batch 3 |" in done.stdout
    assert _fingerprint(REPO / "seeds", REPO / "index") == before  # the run worked on a copy
