"""Run one benchmark worker in this fresh interpreter: python bench/workers.py NAME ARGS.json OUT.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

WORKERS = {
    "cold_parts": ("pipeline", "cold_parts"),
    "warm": ("pipeline", "warm"),
    "build": ("pipeline", "build"),
    "st_baseline": ("pipeline", "st_baseline"),
    "engine": ("engine", "engine"),
    "embed_corpus": ("engine", "embed_corpus"),
    "scale": ("scale", "scale"),
    "open_sample": ("openfolder", "open_sample"),
    "ingest_sample": ("ingest", "ingest_sample"),
}


def main(argv: list[str]) -> None:
    name, args_file, out_file = argv
    module_name, function = WORKERS[name]
    module = __import__(module_name)
    result = getattr(module, function)(json.loads(Path(args_file).read_text(encoding="utf-8")))
    Path(out_file).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
