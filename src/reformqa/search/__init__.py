"""Stored and searched: embedders, the search backends (the index folder, Milvus), BM25 tokens, fusion and the retriever."""

# Each name is imported from its module the first time it is used (PEP 562, reformqa/lazy.py): a question
# does not load the build.

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .backend import BACKENDS, SearchBackend, Where
    from .build import FLAT_BELOW, factory_for, index_lock, passage_text, replace_folder, seal_index, write_index
    from .embed import Embedder, embedder_id, make_embedder
    from .fusion import DEFAULT_FUSION, MODES
    from .local import LocalBackend
    from .request import SearchRequest
    from .retriever import CANDIDATES, SPAN_WEIGHT, Retriever, Searchable
    from .store import FORMAT_VERSION, IVF_NPROBE, StoredIndex, read_index
    from .tokenize import STOPWORDS, Tokenizer, corpus_terms

_HOME = {
    "backend": ("BACKENDS", "SearchBackend", "Where"),
    "build": ("FLAT_BELOW", "factory_for", "index_lock", "passage_text", "replace_folder", "seal_index", "write_index"),
    "embed": ("Embedder", "embedder_id", "make_embedder"),
    "fusion": ("DEFAULT_FUSION", "MODES"),
    "local": ("LocalBackend",),
    "request": ("SearchRequest",),
    "retriever": ("CANDIDATES", "SPAN_WEIGHT", "Retriever", "Searchable"),
    "store": ("FORMAT_VERSION", "IVF_NPROBE", "StoredIndex", "read_index"),
    "tokenize": ("STOPWORDS", "Tokenizer", "corpus_terms"),
}

__all__ = [
    "BACKENDS",
    "CANDIDATES",
    "DEFAULT_FUSION",
    "FLAT_BELOW",
    "FORMAT_VERSION",
    "IVF_NPROBE",
    "MODES",
    "SPAN_WEIGHT",
    "STOPWORDS",
    "Embedder",
    "LocalBackend",
    "Retriever",
    "SearchBackend",
    "SearchRequest",
    "Searchable",
    "StoredIndex",
    "Tokenizer",
    "Where",
    "corpus_terms",
    "embedder_id",
    "factory_for",
    "index_lock",
    "make_embedder",
    "passage_text",
    "read_index",
    "replace_folder",
    "seal_index",
    "write_index",
]

__getattr__, __dir__ = lazy_names(__name__, _HOME)
