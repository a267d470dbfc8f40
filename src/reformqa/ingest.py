"""Reading seeds/: every policy document as verbatim, decoded text.

A file that cannot be used is reported by name and skipped; the rest of the
corpus is still indexed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .readers import SUFFIXES, extract_text
from .records import Document

__all__ = ["SEED_SUFFIXES", "MAX_SEED_BYTES", "SeedReport", "read_seeds", "read_document", "corpus_hash", "metadata", "seed_files", "seeds_hash"]

SEED_SUFFIXES = SUFFIXES
MAX_SEED_BYTES = 20 * 1024 * 1024
_TITLE_HINT = re.compile(r"关于.+(批复|通知|意见|方案|办法|决定|规定|细则|规划|纲要)$")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\d+号")
_DATE = re.compile(r"((?:19|20)\d{2}|[一二〇零○]{4})年([一二三四五六七八九十\d]{1,3})月([一二三四五六七八九十\d]{1,3})日")
_ISSUER = re.compile(r"(人民政府|办公厅|办公室|委员会|部|局|厅)$")
_DIGITS = dict(zip("〇零○一二三四五六七八九", "000123456789"))


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What reading seeds/ found: the usable documents and the skipped files."""

    documents: tuple[Document, ...]
    skipped: tuple[str, ...]  # one human-readable line per skipped file


def _title(text: str, fallback: str) -> str:
    lines = [line.strip().lstrip("\ufeff") for line in text.splitlines() if line.strip().lstrip("\ufeff")]
    # A headline copied from a news site ("医械资讯 | ...") precedes the real title.
    for line in lines[:5]:
        if "|" not in line and _TITLE_HINT.search(line):
            return line
    return lines[0] if lines else fallback


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if all(ch in _DIGITS for ch in text):
        return int("".join(_DIGITS[ch] for ch in text))
    import cn2an

    return int(cn2an.cn2an(text, "smart"))


def metadata(text: str) -> dict[str, str]:
    """Title, issuer, document number (国函〔2025〕12号) and date, where the text gives them."""
    title = _title(text, "")
    issuer = title.split("关于", 1)[0] if "关于" in title else ""
    if not issuer:  # the issuing body signs on a line of its own, under the title or at the end
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        issuer = next((line for line in lines[:6] + lines[-4:] if len(line) <= 20 and _ISSUER.search(line)), "")
    number = _DOC_NUMBER.search(text[:3000])
    date = ""
    dates = list(_DATE.finditer(text[:3000])) + list(_DATE.finditer(text[-600:]))
    for match in dates:
        try:
            year, month, day = (_number(g) for g in match.groups())
        except (ValueError, KeyError):
            continue
        if 1 <= month <= 12 and 1 <= day <= 31:
            date = f"{year:04d}-{month:02d}-{day:02d}"
            break
    return {"title": title, "issuer": issuer, "doc_number": number.group(0) if number else "", "date": date}


def read_document(path: Path, seeds_dir: Path) -> Document:
    """Read one seed file (text as stored, other formats extracted); raise SeedError if unusable."""
    from .errors import SeedError

    rel = path.relative_to(seeds_dir).as_posix()
    raw = path.read_bytes()
    if len(raw) > MAX_SEED_BYTES:
        raise SeedError(f"seeds/{rel}: {len(raw):,} bytes is over the {MAX_SEED_BYTES:,}-byte limit; split it into several files")
    try:
        text = extract_text(path)
    except SeedError as exc:
        raise SeedError(f"seeds/{rel}: {str(exc).split(': ', 1)[-1]}") from None
    if not text.strip():
        raise SeedError(f"seeds/{rel}: the file is empty")
    meta = metadata(text)
    return Document(
        doc_id=path.stem,
        title=meta["title"] or path.stem,
        path=rel,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        issuer=meta["issuer"],
        doc_number=meta["doc_number"],
        date=meta["date"],
    )


def read_seeds(seeds_dir: Path) -> SeedReport:
    """Read every supported file under seeds_dir, in path order."""
    from .errors import SeedError

    documents: list[Document] = []
    skipped: list[str] = []
    if not seeds_dir.is_dir():
        raise SeedError(f"{seeds_dir} is not a folder; create it and put the policy documents ({', '.join(SEED_SUFFIXES)}) in it")
    for path in seed_files(seeds_dir):
        try:
            documents.append(read_document(path, seeds_dir))
        except SeedError as exc:
            skipped.append(str(exc))
    # notice.docx and notice.pdf are two documents: the suffix tells them apart.
    stems = [d.doc_id for d in documents]
    documents = [replace(d, doc_id=f"{d.doc_id}-{Path(d.path).suffix.lstrip('.').lower()}") if stems.count(d.doc_id) > 1 else d for d in documents]
    return SeedReport(tuple(documents), tuple(skipped))


def corpus_hash(documents: tuple[Document, ...] | list[Document]) -> str:
    """Hash the corpus as a whole: paths and contents, in order."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(doc.path.encode("utf-8") + b"\0" + doc.sha256.encode("ascii") + b"\n")
    return digest.hexdigest()


def seed_files(seeds_dir: Path) -> list[Path]:
    """The files under seeds/ that reformqa reads, in path order."""
    return sorted(p for p in seeds_dir.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SEED_SUFFIXES)


def seeds_hash(seeds_dir: Path) -> str:
    """Hash every seed file's bytes, usable or not: a staleness check that reads no document."""
    digest = hashlib.sha256()
    for path in seed_files(seeds_dir):
        rel = path.relative_to(seeds_dir).as_posix()
        digest.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).hexdigest().encode("ascii") + b"\n")
    return digest.hexdigest()
