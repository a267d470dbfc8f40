"""A project folder (seeds/ + index/) and the three things done with it.

``Project.build`` indexes seeds/ atomically and calibrates; ``Project.ask``
answers one question, building or rebuilding the index first when it is
missing or stale. This is the Python API the CLI and the UI call.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .answer import (
    DEFAULT_CALIBRATION,
    DEFAULT_MIN_MATCH,
    Bridge,
    Comparison,
    ComparisonRow,
    Example,
    Lexicon,
    Query,
    analyse,
    build_bridge,
    check_question,
    chinese_topic,
    compare,
    compose,
    fit_calibration,
    fit_min_match,
    open_bridge,
    search_request,
)
from .corpus import SEED_SUFFIXES, load_corpus, read_document, seeds_hash
from .errors import IndexMismatch, IndexMissing, InvalidQuestion, ReformqaError, SeedError
from .normalize import normalize
from .records import Answer
from .search import MODES, Embedder, Retriever, StoredIndex, embedder_id, index_lock, make_embedder, read_index, replace_folder, write_index
from .settings import DEFAULT_TOP_K, MAX_QUESTION_CHARS, Settings

__all__ = ["BuildReport", "Project", "QUESTION_SET"]

QUESTION_SET = Path("eval") / "questions.jsonl"
COMPARE_TOPICS = Path("eval") / "compare_topics.jsonl"
_SEARCH_K = 30
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did."""

    path: Path
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
        self._bridge: Bridge | None = None
        self._opened: tuple[int, int] | None = None
        self._reload_lock = threading.Lock()

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
        """Build index/<embedder>/ from seeds/ unless it is already up to date."""
        target = self.settings.index_dir
        corpus = load_corpus(self.settings.seeds_dir)
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
                manifest = write_index(work, corpus, self.embedder, progress=progress, previous=previous)
                bridge = build_bridge(read_index(work))
                bridge.save(work)
                calibration = self._calibrate(work, bridge)
                (work / "calibration.json").write_text(json.dumps(calibration, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
                replace_folder(work, target)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
        self._retriever = None
        return BuildReport(target, True, manifest, calibration, corpus.skipped)

    def _calibrate(self, folder: Path, bridge: Bridge) -> dict[str, Any]:
        from .evaluation import answerable_here, load_questions, load_topics, question_files  # only a build reads the question sets

        files = question_files(self.settings.home / QUESTION_SET.parent)
        if not files:
            return dict(DEFAULT_CALIBRATION, compare_min_match=DEFAULT_MIN_MATCH, fitted_on=None)
        retriever = Retriever(read_index(folder), self.embedder)
        present = set(retriever.stored.documents)
        # Dev questions of every set whose documents this index holds: the others' answers are not here to find.
        examples = [
            Example(q.question, q.answerable, frozenset(q.regions) if q.is_list else None)
            for path in files
            for q in load_questions(path, split="dev")
            if answerable_here(q, present)
        ]
        calibration = fit_calibration(retriever, Lexicon(retriever.idf, retriever.max_idf), examples, bridge=bridge)
        topics = load_topics(self.settings.home / COMPARE_TOPICS, split="dev") if (self.settings.home / COMPARE_TOPICS).exists() else []
        stored = retriever.stored
        calibration["compare_min_match"] = fit_min_match(retriever, [(self._topic(stored, t.topic, bridge)[0], set(t.mentioned)) for t in topics])
        calibration["fitted_on"]["compare_topics"] = len(topics)
        return calibration

    def _signature(self) -> tuple[int, int] | None:
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
                stored = read_index(self.settings.index_dir, embedder_id=self.embedder_id)
            except ReformqaError as exc:
                self.notice(f"a new index appeared but cannot be used yet ({exc}); still serving the previous one")
                return
            self._open(stored, signature)

    def _open(self, stored: StoredIndex, signature: tuple[int, int] | None) -> None:
        retriever = Retriever(stored, self.embedder)
        bridge = open_bridge(stored, lambda row: retriever.clause_norm(stored.clauses[row]))
        self._retriever, self._lexicon, self._bridge, self._opened = retriever, Lexicon(retriever.idf, retriever.max_idf), bridge, signature

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
                self.build(rebuild=True)
                stored = read_index(self.settings.index_dir, embedder_id=self.embedder_id, corpus=corpus_hash)
            self._open(stored, self._signature())
        assert self._retriever is not None
        return self._retriever

    @staticmethod
    def _topic(stored: StoredIndex, text: str, bridge: Bridge | None) -> tuple[Query, float]:
        """A comparison topic in the documents' words, and how much of it they hold (1.0 for a Chinese topic).

        An English word with no counterpart weighs as a two-character Chinese word would: "carbon trading"
        is half in the documents (交易), "licensing inventions to small and micro firms" mostly.
        """
        query = analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=bridge)
        if not query.bridged:
            return query, 1.0
        known = sum(len(zh) for zh in dict.fromkeys(zh for _, zh in query.matched_terms))
        return chinese_topic(query, stored.gazetteer, stored.tokenizer, stored.other_places), known / (known + 2 * len(query.unmatched))

    def compare(self, topic: str) -> Comparison:
        """What each region says about a topic: one row a region, in document order."""
        text = check_question(topic, MAX_QUESTION_CHARS)
        retriever = self.retriever()
        stored = retriever.stored
        query, known = self._topic(stored, text, self._bridge)
        min_match = {**DEFAULT_CALIBRATION, **stored.calibration}.get("compare_min_match", DEFAULT_MIN_MATCH)
        if query.latin:  # English with no word the documents have ("football", "<b>x</b>"): no pilot mentions it
            return Comparison(text, tuple(ComparisonRow(r.name, False, None, 0.0, 0.0) for r in stored.regions))
        if not query.bridged:
            return compare(retriever, query, min_match=min_match)
        # An English topic is compared in the documents' own words, which the table names; a topic
        # whose words are only partly in the documents matches only as far as they go.
        table = compare(retriever, query, min_match=min_match / known)
        return replace(table, topic=text, pivot="、".join(dict.fromkeys(zh for _, zh in query.matched_terms)), matched_terms=query.matched_terms)

    def find_documents(self, name: str) -> tuple[str, ...]:
        """Document ids a filter names: an id, a file name, or part of a title or document number."""
        documents = self.retriever().stored.documents.values()
        name = name.strip()
        exact = tuple(d.doc_id for d in documents if name in (d.doc_id, d.path, Path(d.path).name))
        found = exact or tuple(d.doc_id for d in documents if name and (name in d.title or name == d.doc_number))
        if not found:
            names = "; ".join(f"{d.doc_id} ({d.title})" for d in documents)
            raise InvalidQuestion(f"no document matches {name!r}; the documents are: {names}")
        return found

    def add(self, paths: list[Path], *, progress: Progress | None = None) -> tuple[list[str], BuildReport]:
        """Copy policy documents (files or folders) into seeds/, then index what changed."""
        seeds = self.settings.seeds_dir
        files: list[tuple[Path, Path]] = []
        for path in paths:
            if not path.exists():
                raise SeedError(f"{path}: no such file or folder")
            if path.is_dir():
                files += [(p, path.name / p.relative_to(path)) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SEED_SUFFIXES]
            elif path.suffix.lower() in SEED_SUFFIXES:
                files.append((path, Path(path.name)))
            else:
                raise SeedError(f"{path}: unsupported file type; reformqa reads {', '.join(SEED_SUFFIXES)}")
        for source, relative in files:  # check everything before copying anything
            target = seeds / relative
            if target.exists() and target.read_bytes() != source.read_bytes():
                raise SeedError(f"seeds/{relative.as_posix()} exists with other content; rename the new file or remove the old one")
            read_document(source, source.parent)  # unreadable files are refused here, before they reach seeds/
        added = []
        for source, relative in files:
            target = seeds / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(source, target)
                added.append(relative.as_posix())
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
        query = analyse(text, stored.gazetteer, stored.tokenizer, stored.other_places, bridge=self._bridge)
        hits = retriever.search(search_request(query, mode), mode=mode, k=max(_SEARCH_K, k), regions=regions, docs=docs)
        calibration = stored.calibration or DEFAULT_CALIBRATION
        return compose(retriever, self.lexicon(), query, hits, k=k, calibration=calibration)
