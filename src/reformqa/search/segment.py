"""jieba's segmentation (HMM off) over a compact, memory-mapped copy of its dictionary, read one first character at a time.

jieba builds a dict of 580,000 words and prefixes at start (0.5-1.6 s here,
all in ``marshal.load`` of its cache) although a question touches the words of
a dozen characters. This module keeps jieba's dictionary sorted in one binary
file, opened with ``mmap`` in well under a millisecond, and loads the words that
start with a character the first time a text holds that character: a question
pays a few milliseconds, an index build at most what jieba pays, once.
``cut`` and ``cut_for_search`` are jieba 0.42.1's ``cut(HMM=False)`` and
``cut_for_search(HMM=False)``, line for line over the same frequencies, so they
cut every text as jieba does (tests/test_segment.py compares them).

The compact file is written from jieba's dict.txt on first use, into
``$REFORMQA_CACHE`` (default ``~/.cache/reformqa``, else the temporary folder),
under a name that changes with dict.txt; where nothing can be written it is
built in memory.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import struct
import tempfile
import threading
from bisect import bisect_left
from collections.abc import Iterator
from math import log
from pathlib import Path

__all__ = ["Segmenter", "dictionary_file"]

_MAGIC = b"RQJIEBA1"
_HEADER = struct.Struct("<8sIIQ")  # magic, words, first characters, total frequency
# jieba's own patterns (jieba/__init__.py: re_eng, re_han_default, re_skip_default).
_ENG = re.compile("[a-zA-Z0-9]", re.UNICODE)
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.UNICODE)
_SKIP = re.compile("(\r\n|\\s)", re.UNICODE)
_BUILD_LOCK = threading.Lock()


def _jieba_dict() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ImportError("jieba is not installed; reformqa reads its dictionary (pip install jieba==0.42.1)")
    return Path(spec.origin).parent / "dict.txt"


def _compile(source: Path) -> bytes:
    """The compact form of a jieba dictionary: header, first characters, their word ranges, offsets, frequencies, words."""
    freq: dict[str, int] = {}
    total = 0
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split(" ")
        if len(parts) >= 2:
            freq[parts[0]] = int(parts[1])  # the last line of a word wins, every line counts in the total: as jieba
            total += int(parts[1])
    words = sorted(freq)
    chars: list[int] = []
    starts: list[int] = []
    for i, word in enumerate(words):
        if not chars or ord(word[0]) != chars[-1]:
            chars.append(ord(word[0]))
            starts.append(i)
    starts.append(len(words))
    encoded = [w.encode("utf-8") + b"\n" for w in words]
    offsets = [0]
    for item in encoded:
        offsets.append(offsets[-1] + len(item))
    return b"".join(
        [
            _HEADER.pack(_MAGIC, len(words), len(chars), total),
            struct.pack(f"<{len(chars)}I", *chars),
            struct.pack(f"<{len(starts)}I", *starts),
            struct.pack(f"<{len(offsets)}I", *offsets),
            struct.pack(f"<{len(words)}I", *(freq[w] for w in words)),
            *encoded,
        ]
    )


def _valid(data: bytes | mmap.mmap) -> bool:
    """The header is ours and the sizes it gives add up to the file's."""
    if len(data) < _HEADER.size:
        return False
    magic, n_words, n_chars, _ = _HEADER.unpack_from(data, 0)
    fixed = _HEADER.size + 4 * (n_chars + n_chars + 1 + n_words + 1 + n_words)
    if magic != _MAGIC or len(data) < fixed:
        return False
    blob = struct.unpack_from("<I", data, _HEADER.size + 4 * (2 * n_chars + 1 + n_words))[0]
    return bool(len(data) == fixed + blob)


def dictionary_file(source: Path | None = None, *, rebuild: bool = False) -> Path | None:
    """The compact dictionary for jieba's dict.txt, written on first use (or again if rebuild); None where no folder is writable."""
    source = source or _jieba_dict()
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    folders = [Path(os.environ["REFORMQA_CACHE"])] if os.environ.get("REFORMQA_CACHE") else [Path.home() / ".cache" / "reformqa", Path(tempfile.gettempdir()) / "reformqa"]
    for folder in folders:
        path = folder / f"jieba-{key}.bin"
        if path.is_file() and not rebuild:
            return path
    with _BUILD_LOCK:
        data = _compile(source)
        for folder in folders:
            path = folder / f"jieba-{key}.bin"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                partial = folder / f".{path.name}.{os.getpid()}.{threading.get_ident()}"
                partial.write_bytes(data)
                os.replace(partial, path)  # whole or not at all: a reader never sees half a file
                return path
            except OSError:
                continue
    return None


class Segmenter:
    """jieba's precise and search-engine cuts without HMM, over the compact dictionary plus user words."""

    def __init__(self, source: Path | None = None):
        data = self._open(source)
        _, n_words, n_chars, self.total = _HEADER.unpack_from(data, 0)
        view = memoryview(data)
        at = _HEADER.size
        sections = []
        for count in (n_chars, n_chars + 1, n_words + 1, n_words):
            sections.append(view[at : at + 4 * count].cast("I"))
            at += 4 * count
        self._chars, self._starts, self._offsets, self._freqs = sections
        self._blob = view[at:]
        self._data = data
        self.FREQ: dict[str, int] = {}
        self._loaded: set[str] = set()
        self._user: dict[str, list[str]] = {}  # first character -> user words, in the order they were added
        self._user_freq: dict[str, int] = {}

    @staticmethod
    def _open(source: Path | None) -> bytes | mmap.mmap:
        """The compact dictionary, memory-mapped; a damaged or foreign file is written again, it is only a cache."""
        for rebuild in (False, True):
            path = dictionary_file(source, rebuild=rebuild)
            if path is None:
                break
            with open(path, "rb") as handle:
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else b""
            if _valid(data):
                return data
        return _compile(source or _jieba_dict())

    def _load(self, char: str) -> None:
        """Put the dictionary's words that start with this character, and their prefixes, into FREQ."""
        self._loaded.add(char)
        i = bisect_left(self._chars, ord(char))
        freq = self.FREQ
        if i < len(self._chars) and self._chars[i] == ord(char):
            first, last = self._starts[i], self._starts[i + 1]
            words = bytes(self._blob[self._offsets[first] : self._offsets[last]]).decode("utf-8").split("\n")
            for word, count in zip(words, self._freqs[first:last]):
                freq[word] = count
            for word in words[: last - first]:
                for end in range(1, len(word)):
                    freq.setdefault(word[:end], 0)
        for word in self._user.get(char, ()):
            self._put(word, self._user_freq[word])

    def _put(self, word: str, count: int) -> None:
        self.FREQ[word] = count
        for end in range(1, len(word)):
            self.FREQ.setdefault(word[:end], 0)

    def add_word(self, word: str, freq: int) -> None:
        """As jieba's add_word: the word gets this frequency, which is added to the total."""
        if not word:
            return
        self.total += freq
        self._user.setdefault(word[0], []).append(word)
        self._user_freq[word] = freq
        if word[0] in self._loaded:
            self._put(word, freq)

    def _dag(self, sentence: str) -> list[list[int]]:
        freq, loaded, n = self.FREQ, self._loaded, len(sentence)
        dag = []
        for k in range(n):
            if sentence[k] not in loaded:
                self._load(sentence[k])
            ends = []
            i, frag = k, sentence[k]
            while i < n and frag in freq:
                if freq[frag]:
                    ends.append(i)
                i += 1
                frag = sentence[k : i + 1]
            dag.append(ends or [k])
        return dag

    def _cut_block(self, sentence: str) -> Iterator[str]:
        dag, freq, n = self._dag(sentence), self.FREQ, len(sentence)
        logtotal = log(self.total)
        route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
        for idx in range(n - 1, -1, -1):
            route[idx] = max((log(freq.get(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x) for x in dag[idx])
        x, buf = 0, ""
        while x < n:
            y = route[x][1] + 1
            word = sentence[x:y]
            if _ENG.match(word) and len(word) == 1:
                buf += word
            else:
                if buf:
                    yield buf
                    buf = ""
                yield word
            x = y
        if buf:
            yield buf

    def cut(self, sentence: str) -> Iterator[str]:
        """jieba's ``cut(sentence, HMM=False)``."""
        for block in _HAN.split(sentence):
            if not block:
                continue
            if _HAN.match(block):
                yield from self._cut_block(block)
            else:
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        yield piece
                    else:
                        yield from piece

    def cut_for_search(self, sentence: str) -> Iterator[str]:
        """jieba's ``cut_for_search(sentence, HMM=False)``: each long word's known 2- and 3-grams, then the word."""
        freq = self.FREQ
        for word in self.cut(sentence):
            if len(word) > 2:
                for i in range(len(word) - 1):
                    if freq.get(word[i : i + 2]):
                        yield word[i : i + 2]
            if len(word) > 3:
                for i in range(len(word) - 2):
                    if freq.get(word[i : i + 3]):
                        yield word[i : i + 3]
            yield word
