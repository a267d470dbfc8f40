"""Stored and searched: embedders, the search backends (the index folder, Milvus), BM25 tokens, fusion and the retriever."""

from .backend import BACKENDS, SearchBackend, Where
from .build import FLAT_BELOW, factory_for, index_lock, passage_text, replace_folder, seal_index, write_index
from .embed import Embedder, embedder_id, make_embedder
from .fusion import DEFAULT_FUSION, MODES
from .local import LocalBackend
from .request import SearchRequest
from .retriever import CANDIDATES, SPAN_WEIGHT, Retriever, Searchable
from .store import FORMAT_VERSION, IVF_NPROBE, StoredIndex, read_index
from .tokenize import STOPWORDS, Tokenizer, corpus_terms

__all__ = [
    "BACKENDS",
    "CANDIDATES",
    "DEFAULT_FUSION",
    "FLAT_BELOW",
    "FORMAT_VERSION",
    "IVF_NPROBE",
    "LocalBackend",
    "MODES",
    "SPAN_WEIGHT",
    "STOPWORDS",
    "Embedder",
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
