"""The chunker's version, apart from the chunker: an index records it, and opening one must not load the chunker."""

__all__ = ["CHUNKER_VERSION"]

CHUNKER_VERSION = 5  # 5: a document's number, signature and date lines are clauses
