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


def test_a_small_attack_run_leaves_the_honest_clients_their_answers(tmp_path: Path):
    """bench/load.py --attack, small: the three attackers of bench/attack.py are refused before the queue."""
    out = tmp_path / "attack.json"
    command = [
        sys.executable, str(REPO / "bench" / "load.py"), "--attack", "--clients", "5", "--seconds", "6", "--questions", "40", "--json", str(out),
        "--max-slowdown", "10",  # 6 s on a shared machine say nothing of p95; the 60-s run in docs/reliability.md does
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    honest = [p for p in report["phases"] if p["phase"].startswith("honest")]
    assert len(honest) == 2 and all(set(p["kinds"]) == {"ok"} and p["requests"] for p in honest)
    attack = report["attack"]
    big = attack["attackers"]["big-body"]["by_status"]
    assert big.get("413") and set(big) <= {"413", "closed"}  # closed: the refusal came while it was still sending
    assert attack["attackers"]["queue-flooding"]["by_status"].get("429")
    assert attack["feedback_records_written"] <= 4
    assert attack["rss_peak_during_attack_mib"] - attack["rss_before_attack_mib"] < 100
    assert report["server_log_tracebacks"] == 0
