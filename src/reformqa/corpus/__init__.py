"""Documents in: reading files, their structure and metadata, chunking into clauses, pilot regions, jurisdictions and places."""

from .chunk import CHUNKER_VERSION, REGION_SLUGS, chunk
from .documents import MAX_SEED_BYTES, SEED_SUFFIXES, SeedReport, read_document, read_seeds, seed_files, seeds_hash
from .intake import Addition, add_files, plan_additions, shown
from .jurisdiction import NATIONAL, jurisdiction, jurisdiction_names
from .legal import OWN_LINE_PLACES, Layout, Passage, read_layout
from .load import Corpus, load_corpus
from .metadata import metadata, short_title
from .places import Gazetteer, national_places, places_named
from .regions import build_regions, scope_places

__all__ = [
    "OWN_LINE_PLACES",
    "CHUNKER_VERSION",
    "MAX_SEED_BYTES",
    "NATIONAL",
    "REGION_SLUGS",
    "SEED_SUFFIXES",
    "Addition",
    "Corpus",
    "Gazetteer",
    "Layout",
    "Passage",
    "SeedReport",
    "add_files",
    "build_regions",
    "chunk",
    "jurisdiction",
    "jurisdiction_names",
    "load_corpus",
    "metadata",
    "national_places",
    "places_named",
    "plan_additions",
    "read_document",
    "read_layout",
    "read_seeds",
    "scope_places",
    "seed_files",
    "seeds_hash",
    "short_title",
    "shown",
]
