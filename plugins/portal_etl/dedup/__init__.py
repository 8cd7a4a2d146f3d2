"""Layered duplicate detection: exact keys (URL, native id, title + day) and MinHash/LSH.

Pure functions only; the lead stores keys, signatures and band keys in PostgreSQL.
"""

from portal_etl.dedup.keys import (
    LEAD_MIN_WORDS,
    body_shingles,
    lead_key,
    native_key,
    shingle_words,
    title_day_key,
    url_key,
)
from portal_etl.dedup.minhash import (
    BANDS,
    DUP_THRESHOLD,
    NUM_PERM,
    REVIEW_THRESHOLD,
    ROWS,
    SIGNATURE_VERSION,
    band_keys,
    candidate_probability,
    classify,
    deserialize,
    is_empty,
    jaccard_estimate,
    serialize,
    signature,
)

__all__ = [
    "BANDS",
    "DUP_THRESHOLD",
    "LEAD_MIN_WORDS",
    "NUM_PERM",
    "REVIEW_THRESHOLD",
    "ROWS",
    "SIGNATURE_VERSION",
    "band_keys",
    "body_shingles",
    "candidate_probability",
    "classify",
    "deserialize",
    "is_empty",
    "jaccard_estimate",
    "lead_key",
    "native_key",
    "serialize",
    "shingle_words",
    "signature",
    "title_day_key",
    "url_key",
]
