"""Documents in: reading files, their structure and metadata, chunking into clauses, pilot regions, jurisdictions and places."""

# Each name is imported from its module the first time it is used (PEP 562): a
# question (`reformqa ask`) needs the places and the chunker's version, not the
# readers' metadata, the chunker or the intake, which a build loads.

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .chunk import REGION_SLUGS, chunk
    from .documents import MAX_SEED_BYTES, SEED_SUFFIXES, SeedReport, read_document, read_seeds, seed_files, seeds_hash
    from .intake import Addition, add_files, plan_additions, shown
    from .jurisdiction import NATIONAL, jurisdiction, jurisdiction_names
    from .legal import Layout, Passage, read_layout
    from .load import Corpus, load_corpus
    from .metadata import metadata, short_title
    from .parts import OWN_LINE_PLACES, SIGNATURE_PLACE
    from .places import Gazetteer, national_places, places_named
    from .regions import build_regions, scope_places
    from .version import CHUNKER_VERSION

_HOME = {
    "chunk": ("REGION_SLUGS", "chunk"),
    "documents": ("MAX_SEED_BYTES", "SEED_SUFFIXES", "SeedReport", "read_document", "read_seeds", "seed_files", "seeds_hash"),
    "intake": ("Addition", "add_files", "plan_additions", "shown"),
    "jurisdiction": ("NATIONAL", "jurisdiction", "jurisdiction_names"),
    "legal": ("Layout", "Passage", "read_layout"),
    "parts": ("OWN_LINE_PLACES", "SIGNATURE_PLACE"),
    "load": ("Corpus", "load_corpus"),
    "metadata": ("metadata", "short_title"),
    "places": ("Gazetteer", "national_places", "places_named"),
    "regions": ("build_regions", "scope_places"),
    "version": ("CHUNKER_VERSION",),
}

__all__ = [
    "CHUNKER_VERSION",
    "MAX_SEED_BYTES",
    "NATIONAL",
    "OWN_LINE_PLACES",
    "REGION_SLUGS",
    "SEED_SUFFIXES",
    "SIGNATURE_PLACE",
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


__getattr__, __dir__ = lazy_names(__name__, _HOME)
