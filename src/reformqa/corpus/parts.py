"""The names clauses of a document's own lines carry, apart from the chunker: answering reads them without loading it."""

__all__ = ["NUMBER_PLACE", "SIGNATURE_PLACE", "DATE_PLACE", "OWN_LINE_PLACES"]

# A document's lines about itself, by the names GB/T 9704 gives the parts of an official document.
NUMBER_PLACE, SIGNATURE_PLACE, DATE_PLACE = "发文字号", "发文机关署名", "成文日期"
OWN_LINE_PLACES = frozenset({NUMBER_PLACE, SIGNATURE_PLACE, DATE_PLACE})
