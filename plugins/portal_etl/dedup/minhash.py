"""MinHash signatures and LSH band keys for near-duplicate detection across channels.

Signatures are stored (:func:`serialize`) and band keys indexed in PostgreSQL, so everything
here is frozen by :data:`SIGNATURE_VERSION`: the hash parameters derive from BLAKE2b of fixed
labels (not from a NumPy RNG stream or Python's salted ``hash()``), words are hashed with
CRC-32. Changing any of that means a new version and recomputing stored signatures.

Computation, all vectorised in NumPy with ``uint64`` wrap-around arithmetic:

1. words = ``keys.shingle_words(text)`` (the same words ``keys.body_shingles`` joins), each
   hashed with CRC-32;
2. shingle hash of k consecutive word hashes ``w``: polynomial ``Σ w_j·C^(k−1−j) mod 2^64``,
   then the SplitMix64 finaliser, keeping the high 32 bits ``x``;
3. permutation ``i``: ``π_i(x) = ((a_i·x + b_i) mod 2^64) >> 32`` with random 64-bit ``a_i, b_i``
   — Dietzfelbinger's multiply-add-shift family, strongly universal for 32-bit ``x``;
4. signature slot ``i`` = ``min_x π_i(x)`` (``uint32[128]``). Since ``>> 32`` is monotone the
   minimum is taken before the shift.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np

from portal_etl.dedup.keys import shingle_words

__all__ = [
    "NUM_PERM",
    "SHINGLE_K",
    "BANDS",
    "ROWS",
    "DUP_THRESHOLD",
    "REVIEW_THRESHOLD",
    "SIGNATURE_VERSION",
    "signature",
    "is_empty",
    "band_keys",
    "jaccard_estimate",
    "serialize",
    "deserialize",
    "classify",
    "candidate_probability",
]

SIGNATURE_VERSION = 1
NUM_PERM = 128  # std. error of the estimate √(J(1−J)/128) ≤ 0.044; 512 bytes per signature
SHINGLE_K = 5  # see keys.body_shingles

_EMPTY = np.uint32(0xFFFFFFFF)  # signature of a text with no words: all slots at the maximum
_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier for the shingle polynomial
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # SplitMix64 finaliser constants
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S32 = (np.uint64(n) for n in (30, 27, 31, 32))


def _params(label: str, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        digest = hashlib.blake2b(f"portal-etl/minhash/v1/{label}/{i}".encode(), digest_size=8)
        out[i] = int.from_bytes(digest.digest(), "big")
    return out


_A = (_params("a", NUM_PERM) | np.uint64(1))[:, None]  # odd multipliers
_B = _params("b", NUM_PERM)[:, None]


def _shingle_hashes(words: list[str], k: int) -> np.ndarray:
    n = len(words)
    w = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=n)
    m = max(n - k + 1, 1)  # a text shorter than k words is one shingle (as in body_shingles)
    h = np.zeros(m, dtype=np.uint64)
    for j in range(min(k, n)):
        h *= _POLY
        h += w[j : j + m]
    h ^= h >> _S30
    h *= _MIX1
    h ^= h >> _S27
    h *= _MIX2
    h ^= h >> _S31
    return h >> _S32


def signature(text: str | None, *, k: int = SHINGLE_K) -> np.ndarray:
    """MinHash signature (``uint32[NUM_PERM]``) of the word ``k``-shingles of ``text``.

    Deterministic across processes and machines. ``text`` is normalised like
    ``keys.body_shingles`` (datelines, case, tone placement, NFC, Ð, punctuation), so pass
    title + sapo + body as one string. A text without words gives the *empty* signature
    (:func:`is_empty`), which matches nothing.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    words = shingle_words(text)
    if not words:
        return np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    x = _shingle_hashes(words, k)
    permuted = _A * x[None, :]
    permuted += _B
    return (permuted.min(axis=1) >> _S32).astype(np.uint32)


def is_empty(sig: np.ndarray) -> bool:
    """True for the signature of a text without words."""
    return bool(np.all(sig == _EMPTY))


def jaccard_estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets: the share of equal slots.

    Empty signatures are similar to nothing (0.0), not to each other.
    """
    if sig_a.shape != sig_b.shape:
        raise ValueError(f"signature shapes differ: {sig_a.shape} vs {sig_b.shape}")
    if is_empty(sig_a) or is_empty(sig_b):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.shape[0]


# --- thresholds ------------------------------------------------------------------------------
#
# DUP_THRESHOLD = 0.70 and REVIEW_THRESHOLD = 0.50, on the estimated Jaccard similarity of word
# 5-shingle sets. Measured (exact J / 128-slot estimate; cases in tests/test_dedup_minhash.py):
#
#   seed article (~650 words) vs. copy with 1 sentence dropped, title punctuation and
#     tone placement changed ......................................... 0.95 / 0.95 duplicate
#   same, republished with (ĐCSVN) dateline, captions once, "Theo Báo Đồng Nai" 0.98 / 1.00
#   same, title reworded + 2 sentences dropped + 1 added .............. 0.90 / 0.87
#   same, 3 of 13 paragraphs dropped .................................. 0.76 / 0.70
#   160-word "tin", 1 sentence dropped / + title reworded ............. 0.82 / 0.81, 0.74 / 0.73
#   two different stories, same topic, same officials and bodies ....... 0.04 / 0.03 distinct
#   two different "khai trương điểm phục vụ hành chính công" stories .... 0.06 / 0.09 distinct
#   the same 160-word text with only names, numbers and dates swapped . 0.66 / 0.67 review
#
# Tone placement, Ð/Đ, NFD, dash/quote style and the (ĐN)/(ĐCSVN) dateline cost nothing: they
# are normalised away before shingling. One edited sentence costs ~(its words + 4) shingles, so
# small edits keep long texts above 0.85 and short ones above 0.70 — hence DUP = 0.70, the
# lowest value no real distinct pair came near. Below it sit heavy rewrites, a story cut down to
# a part, and machine-templated items that differ only in names/numbers (0.6–0.7): those need
# a person, so REVIEW = 0.50. Distinct stories measure ≤ 0.1; the estimate's standard error is
# √(J(1−J)/128) ≤ 0.044, so a true 0.15 pair is estimated ≥ 0.50 with p < 1e-14, and a true
# 0.85 copy below 0.70 with p ≈ 7e-6 (exact binomial tails).
DUP_THRESHOLD = 0.70
REVIEW_THRESHOLD = 0.50

# --- LSH banding -----------------------------------------------------------------------------
#
# A pair with Jaccard s agrees on one slot with probability s, on a band of r slots with
# probability s^r, and becomes a candidate (shares ≥ 1 of b band keys) with probability
#     P(s) = 1 − (1 − s^r)^b.
# Requirement: P(REVIEW_THRESHOLD = 0.50) > 0.99 with b·r ≤ 128 slots.
#     r = 4: 0.5^4 = 0.0625 → b ≥ ln 0.01 / ln 0.9375 = 71.4 → 288 slots: too many;
#     r = 3: 0.5^3 = 0.125  → b ≥ ln 0.01 / ln 0.875  = 34.5 → b = 42 uses 126 slots;
#     r = 2: 0.5^2 = 0.25   → b ≥ 16, but P(0.05) = 1 − 0.9975^64 = 0.15: too many false hits.
# Chosen b = 42, r = 3: P(0.50) = 1 − 0.875^42 = 0.9964, P(0.70) = 1 − 2e-8, while unrelated
# pairs rarely collide: P(0.10) = 0.041, P(0.05) = 0.0052, P(0.02) = 3.4e-4, P(0.01) = 4.2e-5.
# False candidates are removed by comparing the stored signatures; with a 100 000-item history
# of J ≈ 0.01 that is ~4 extra signature reads per new item, so lookups scale with the batch.
# (The r = 4, b = 32 split would give P(0.50) = 0.87 and miss one review pair in eight.)
BANDS = 42
ROWS = 3


def candidate_probability(s: float, bands: int = BANDS, rows: int = ROWS) -> float:
    """Probability that a pair with Jaccard ``s`` shares at least one band key."""
    return 1.0 - (1.0 - s**rows) ** bands


BAND_BITS = 6  # a key's top bits hold its band number (up to 64 bands)
_HASH_BITS = 64 - BAND_BITS


def band_keys(sig: np.ndarray, bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """LSH bucket keys, one signed 64-bit integer per band, for a database index.

    Two signatures are candidates iff they share a key. The top 6 bits hold the band number, so
    equal slot values in different bands never match; the other 58 are the top bits of the
    band's blake2b digest (sql/012 converts the earlier ``"<band:02d>:<16 hex>"`` keys to exactly
    these). Integer keys make the band table's index half the size of text keys. The empty
    signature has no keys.
    """
    if bands * rows > sig.shape[0]:
        raise ValueError(f"bands*rows = {bands * rows} exceeds signature length {sig.shape[0]}")
    if bands > 1 << BAND_BITS:
        raise ValueError(f"at most {1 << BAND_BITS} bands fit in a key")
    if is_empty(sig):
        return []
    data = sig.astype(">u4")  # fixed byte order: keys must not depend on the machine
    keys = []
    for band in range(bands):
        chunk = data[band * rows : (band + 1) * rows].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=b"pe-lsh-v1").digest()
        key = (band << _HASH_BITS) | (int.from_bytes(digest, "big") >> BAND_BITS)
        keys.append(key - (1 << 64) if key >> 63 else key)  # as PostgreSQL's signed bigint
    return keys


def classify(
    similarity: float,
    *,
    dup_threshold: float = DUP_THRESHOLD,
    review_threshold: float = REVIEW_THRESHOLD,
) -> str:
    """``"duplicate"`` (≥ dup_threshold), ``"review"`` (≥ review_threshold) or ``"distinct"``.

    Default thresholds and their rationale: see the comment block above ``DUP_THRESHOLD``.
    """
    if not 0.0 <= review_threshold <= dup_threshold <= 1.0:
        raise ValueError("need 0 <= review_threshold <= dup_threshold <= 1")
    if similarity >= dup_threshold:
        return "duplicate"
    if similarity >= review_threshold:
        return "review"
    return "distinct"


# --- storage -----------------------------------------------------------------------------------

_MAGIC = b"MH"


def serialize(sig: np.ndarray) -> bytes:
    """``b"MH" + version byte + big-endian uint32 slots`` (515 bytes for 128 slots)."""
    if sig.ndim != 1:
        raise ValueError("signature must be one-dimensional")
    return _MAGIC + bytes([SIGNATURE_VERSION]) + sig.astype(">u4").tobytes()


def deserialize(data: bytes) -> np.ndarray:
    """Inverse of :func:`serialize`; rejects other versions (stored signatures of another
    version must be recomputed, not compared)."""
    data = bytes(data)  # accepts memoryview from psycopg2 bytea
    if len(data) < 3 or data[:2] != _MAGIC:
        raise ValueError("not a serialized MinHash signature")
    if data[2] != SIGNATURE_VERSION:
        raise ValueError(f"signature version {data[2]} != {SIGNATURE_VERSION}")
    body = data[3:]
    if len(body) % 4:
        raise ValueError("truncated signature")
    return np.frombuffer(body, dtype=">u4").astype(np.uint32)
