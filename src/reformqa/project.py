"""A project folder (seeds/ + index/, or its index in Milvus) and the three things done with it.

``Project.build`` indexes seeds/ atomically and calibrates; ``Project.ask``
answers one question, building or rebuilding the index first when it is
missing or stale. This is the Python API the CLI and the UI call.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answer import (
    DEFAULT_CALIBRATION,
    DEFAULT_MIN_MATCH,
    Comparison,
    Lexicon,
    check_question,
    compose,
    documents_named,
    read_question,
    search_request,
    topic_table,
)
from .corpus import seeds_hash
from .errors import IndexMismatch, IndexMissing, InvalidQuestion, ReformqaError, StorageError
from .normalize import normalize
from .records import Answer
from .search import MODES, Embedder, LocalBackend, Retriever, Searchable, StoredIndex, embedder_id, make_embedder, read_index
from .settings import DEFAULT_TOP_K, MAX_QUESTION_CHARS, Settings

if TYPE_CHECKING:
    from .answer import Bridge
    from .corpus import Corpus

__all__ = ["BuildReport", "Project"]

_SEARCH_K = 30
_POLL_SECONDS = 1.0  # how often a Milvus-backed project asks whether the index it serves was replaced
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did."""

    path: Path | str  # the index folder, or "<alias> on <Milvus URI or file>"
    built: bool  # False when the index was already up to date
    manifest: dict[str, Any]
    calibration: dict[str, Any]
    skipped: tuple[str, ...]


class Project:
    """Seeds, index and answers for one project folder."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None, notice: Callable[[str], None] | None = None):
        self.settings = settings or Settings.from_env()
        self.notice = notice or (lambda message: None)
        self._embedder = embedder
        self._retriever: Retriever | None = None
        self._lexicon: Lexicon | None = None
        self._bridge: tuple[Retriever, Bridge] | None = None  # made on the first question that needs it, for that retriever
        self._bridge_lock = threading.Lock()
        self._opened: object = None
        self._reload_lock = threading.Lock()
        self._milvus_site: Any = None  # search.milvus_build.MilvusSite, made on first use: pymilvus is imported only then
        self._polled: tuple[float, object] = (0.0, None)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            self._embedder = make_embedder(s.embedder, threads=s.threads, query_prefix=s.query_prefix, passage_prefix=s.passage_prefix)
        return self._embedder

    @property
    def embedder_id(self) -> str:
        return self._embedder.model_id if self._embedder is not None else embedder_id(self.settings.embedder)

    def build(self, *, rebuild: bool = False, progress: Progress | None = None) -> BuildReport:
        """Build index/<embedder>/ (or the Milvus index) from seeds/ unless it is already up to date; only new or changed texts are embedded."""
        from .calibration import calibrate_index  # builds only, as are the chunker and the readers
        from .corpus import load_corpus

        if self.settings.backend != "local":
            corpus = load_corpus(self.settings.seeds_dir)
            built, manifest, calibration = self._site().build(
                corpus, self.embedder, rebuild=rebuild, progress=progress, workers=self.settings.workers_for_build, calibrate=lambda index: calibrate_index(self.settings.home, index, self.embedder)
            )
            self._retriever = None
            return BuildReport(self._site().location, built, manifest, calibration, corpus.skipped)
        target = self.settings.index_dir
        corpus = load_corpus(self.settings.seeds_dir)
        if not rebuild:  # an up-to-date index needs no lock, so a read-only home can say so
            try:
                stored = read_index(target, embedder_id=self.embedder_id, corpus=corpus.hash)
                return BuildReport(target, False, stored.manifest, stored.calibration, corpus.skipped)
            except ReformqaError:
                pass
        try:
            report = self._build_locked(target, corpus, rebuild, progress)
        except OSError as exc:  # read-only, full or failing disk: the user's to fix, said in one line
            raise StorageError.from_os_error(exc, target.parent, "write the index") from None
        self._retriever = None
        return report

    def _build_locked(self, target: Path, corpus: Corpus, rebuild: bool, progress: Progress | None) -> BuildReport:
        import shutil
        import tempfile

        from .answer import build_bridge
        from .calibration import calibrate_index
        from .search import index_lock, replace_folder, seal_index, write_index

        with index_lock(target):
            # Leftovers of a build that was killed (the lock is ours, so none is running).
            for stale in [*target.parent.glob(f".{target.name}.new-*"), *target.parent.glob(f".{target.name}.old-*")]:
                shutil.rmtree(stale, ignore_errors=True)
            previous = None
            if not rebuild:
                try:
                    stored = read_index(target, embedder_id=self.embedder_id, corpus=corpus.hash)
                    return BuildReport(target, False, stored.manifest, stored.calibration, corpus.skipped)
                except IndexMismatch:
                    try:  # other seeds, same embedder and format: embed only what changed
                        previous = read_index(target, embedder_id=self.embedder_id)
                    except ReformqaError:
                        previous = None
                except ReformqaError:
                    pass  # missing or damaged: build from scratch
            work = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
            work.chmod(0o755)
            try:
                manifest = write_index(work, corpus, self.embedder, progress=progress, previous=previous, workers=self.settings.workers_for_build)
                stored = read_index(work)
                bridge = build_bridge(LocalBackend(stored))
                bridge.save(work)  # written before the checksums are sealed: the manifest lists it
                calibration = calibrate_index(self.settings.home, stored, self.embedder, bridge)
                (work / "calibration.json").write_text(json.dumps(calibration, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                manifest = seal_index(work)  # calibration.json's checksum joins the others
                replace_folder(work, target)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
        return BuildReport(target, True, manifest, calibration, corpus.skipped)

    def _site(self) -> Any:
        """Where the Milvus index lives (search.milvus_build.MilvusSite) when the backend is not local."""
        if self._milvus_site is None:
            from .search.milvus_build import MilvusSite

            self._milvus_site = MilvusSite.for_settings(self.settings)
        return self._milvus_site

    def _signature(self) -> object:
        if self.settings.backend != "local":  # the collection the alias names and its version row, asked at most once a second
            if time.monotonic() - self._polled[0] > _POLL_SECONDS:
                self._polled = (time.monotonic(), self._site().version())
            return self._polled[1]
        try:
            info = (self.settings.index_dir / "manifest.json").stat()
        except OSError:
            return None
        return (info.st_ino, info.st_mtime_ns)

    def _reload_if_replaced(self) -> None:
        """Switch to an index rebuilt by another process; keep serving the old one if the new one is unusable."""
        signature = self._signature()
        if signature is None or signature == self._opened:
            return
        with self._reload_lock:
            if self._signature() == self._opened:
                return
            try:
                stored = read_index(self.settings.index_dir, embedder_id=self.embedder_id) if self.settings.backend == "local" else self._site().open(self.embedder_id)
            except ReformqaError as exc:
                self.notice(f"a new index appeared but cannot be used yet ({exc}); still serving the previous one")
                return
            self._open(stored, signature)

    def _open(self, stored: Searchable, signature: object) -> None:
        retriever = Retriever(stored, self.embedder)
        lexicon = Lexicon(retriever.idf, retriever.max_idf, retriever.stored.calibration.get("synonyms"))
        self._retriever, self._lexicon, self._opened = retriever, lexicon, signature

    def _bridge_of(self, retriever: Retriever) -> Bridge:
        """The English bridge of an opened index, read on first use: a Chinese question never pays for it."""
        from .answer import open_bridge  # English questions and comparisons only: the dictionary is not loaded for Chinese ones

        with self._bridge_lock:
            if self._bridge is None or self._bridge[0] is not retriever:
                stored = retriever.stored
                self._bridge = (retriever, open_bridge(stored, lambda row: retriever.clause_norm(stored.clauses[row])))
            return self._bridge[1]

    def lexicon(self) -> Lexicon:
        """Word weights of the opened index, for the answer layer's signals."""
        self.retriever()
        assert self._lexicon is not None
        return self._lexicon

    def reopened(self) -> Project:
        """A new Project on the same folder and embedder, with empty caches."""
        return Project(self.settings, embedder=self.embedder, notice=self.notice)

    def retriever(self, *, auto_build: bool = True) -> Retriever:
        """The opened index, rebuilt first if it is missing or stale and auto_build allows."""
        if self._retriever is not None:
            self._reload_if_replaced()
        if self._retriever is None and self.settings.backend != "local":  # built by `reformqa index`, never by a replica
            signature = self._signature()  # before opening: a build that ends meanwhile is picked up by the next question
            stored = self._site().open(self.embedder_id)
            if self.settings.seeds_dir.is_dir() and seeds_hash(self.settings.seeds_dir) != stored.manifest["corpus_hash"]:
                self.notice(f"seeds/ differs from what {self._site().location} was built from; to index it: reformqa index --backend milvus")
            self._open(stored, signature)
        if self._retriever is None:
            corpus_hash = None
            if self.settings.seeds_dir.is_dir():
                # Hash the files, not the chunked corpus: 0.2 ms instead of 180 (bench/).
                corpus_hash = seeds_hash(self.settings.seeds_dir)
            try:
                stored = read_index(self.settings.index_dir, embedder_id=self.embedder_id, corpus=corpus_hash)
            except (IndexMissing, IndexMismatch) as exc:
                if not auto_build:
                    raise
                self.notice(f"{str(exc).split('. Run')[0]}: building the index now (reformqa index)")
                try:
                    self.build()  # the same incremental build as `reformqa index`: unchanged texts keep their vectors
                    stored = read_index(self.settings.index_dir, embedder_id=self.embedder_id, corpus=corpus_hash)
                except StorageError as problem:
                    stored = self._previous_index(problem)
            self._open(stored, self._signature())
        assert self._retriever is not None
        return self._retriever

    def _previous_index(self, problem: StorageError) -> StoredIndex:
        """The index built before seeds/ changed, when the new one cannot be written; else the problem itself."""
        try:
            stored = read_index(self.settings.index_dir, embedder_id=self.embedder_id)
        except ReformqaError:
            raise problem from None
        self.notice(f"warning: {problem}. Answering from the previous index, built before seeds/ changed")
        return stored

    def compare(self, topic: str) -> Comparison:
        """What each region says about a topic: one row a region, in document order."""
        text = check_question(topic, MAX_QUESTION_CHARS)
        retriever = self.retriever()
        stored = retriever.stored
        min_match = {**DEFAULT_CALIBRATION, **stored.calibration}.get("compare_min_match", DEFAULT_MIN_MATCH)
        # The same table the chat's 哪些试点… answers come from (answer.lists).
        return topic_table(retriever, self.lexicon(), text, min_match=min_match, bridge=self._bridge_of(retriever))

    def find_documents(self, name: str) -> tuple[str, ...]:
        """Document ids a filter names: an id or file name, a title, a short title (促进科技成果转化法) or a number (国办发〔2021〕26号)."""
        stored = self.retriever().stored
        return documents_named(name, stored.documents.values(), stored.gazetteer)

    def add(self, paths: list[Path], *, progress: Progress | None = None) -> tuple[list[str], BuildReport]:
        """Copy policy documents (files or folders) into seeds/, all or nothing, then index what changed."""
        from .corpus import add_files

        added = add_files(paths, self.settings.seeds_dir, self.settings.home)  # refuses links, clashes, the project itself
        return added, self.build(progress=progress)

    def ask(self, question: str, *, k: int = DEFAULT_TOP_K, region: str | None = None, mode: str = "full", doc: str | None = None) -> Answer:
        """Answer one question by quoting the clauses that answer it."""
        text = check_question(question, MAX_QUESTION_CHARS)
        if mode not in MODES:
            raise InvalidQuestion(f"unknown retrieval mode {mode!r}; expected one of {', '.join(MODES)}")
        if not 1 <= k <= 50:
            raise InvalidQuestion(f"k must be between 1 and 50, not {k}")
        retriever = self.retriever()
        stored = retriever.stored
        regions: tuple[str, ...] = ()
        if region:
            regions = tuple(r for r, _ in stored.gazetteer.find(normalize(region))) or tuple(r.name for r in stored.regions if r.name == region)
            if not regions:
                names = "、".join(r.name for r in stored.regions)
                raise InvalidQuestion(f"unknown region {region!r}; the pilots are: {names}")
        docs = self.find_documents(doc) if doc else ()
        # Every mode's answer needs the question's vector (compose chooses quotes by it): embedded here, while read beside.
        read = partial(read_question, retriever, text, partial(self._bridge_of, retriever), ahead=mode != "bm25")
        bridge, query = retriever.embed_while(normalize(text), read)
        hits = retriever.search(search_request(query, mode), mode=mode, k=max(_SEARCH_K, k), regions=regions, docs=docs)
        calibration = stored.calibration or DEFAULT_CALIBRATION
        return compose(retriever, self.lexicon(), query, hits, k=k, calibration=calibration, regions=regions, bridge=bridge)
