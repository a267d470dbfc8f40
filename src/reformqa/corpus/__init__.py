"""Documents in: reading files, their structure and metadata, chunking into clauses, pilot regions and places."""

from .chunk import CHUNKER_VERSION, REGION_SLUGS, chunk
from .documents import MAX_SEED_BYTES, SEED_SUFFIXES, SeedReport, read_document, read_seeds, seed_files, seeds_hash
from .intake import Addition, add_files, plan_additions, shown
from .load import Corpus, load_corpus
from .metadata import metadata
from .places import Gazetteer, national_places, places_named
from .regions import build_regions, scope_places

__all__ = [
    "CHUNKER_VERSION",
    "REGION_SLUGS",
    "MAX_SEED_BYTES",
    "SEED_SUFFIXES",
    "Addition",
    "Corpus",
    "Gazetteer",
    "SeedReport",
    "add_files",
    "build_regions",
    "chunk",
    "load_corpus",
    "metadata",
    "national_places",
    "places_named",
    "plan_additions",
    "read_document",
    "read_seeds",
    "scope_places",
    "seed_files",
    "seeds_hash",
    "shown",
]
