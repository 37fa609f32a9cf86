"""Vectorised MinHash over word n-gram shingles, one Arrow batch at a time.

Bit-identical to ``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash32)`` (its
default "affine32" scheme) updated with ``word_shingles(text, ngram)``: the permutations
are datasketch's own, and ``shingle_hash32`` is the scalar twin of the vectorised shingle
hash below. ``tests/udfs/test_minhash.py`` proves the identity.

Algorithm and cost for a batch of B bytes, W words, S shingles (S ~ W), P permutations:
  1. words: Arrow C++ kernels lower-case and split on non-word characters (word = a run of
     Unicode letters, digits, marks or "_").                              O(B), no Python loop
  2. word hash: a polynomial hash of each word's bytes over Z/2^64 from one cumulative sum
     over the whole batch, H(word) = sum_i T[byte_i] * K^i, then a murmur finaliser.    O(B)
  3. shingle hash: n consecutive word hashes of one document combined with n odd constants,
     finalised, top 32 bits (datasketch's affine32 input).                            O(n*W)
  4. MinHash: for each permutation, a*fmix32(h)+b mod 2^32 over all S shingles, then the min
     per document with ``np.minimum.reduceat`` -- P passes over a (S,) uint32 vector that
     stays in cache, instead of one (S, P) matrix (S*P*4 bytes: 330 MB for 4 MB of text). O(P*S)

A document with fewer than ``ngram`` words has one shingle made of all its words; a
document with no word has no shingle and keeps datasketch's empty signature (all 2^32-1).

Chinese and Japanese are written without spaces: split on non-word characters, a whole
sentence is one "word", and word 5-grams see no near-duplicate there. Documents whose
language is in ``char_ngrams`` (`dedup.char_ngrams`, e.g. {zh: 5, ja: 5}) therefore get
character shingles: every Han/kana character (``CJK_CHARS``) is a word of its own (ASCII words
inside stay whole) and the shingle length is that language's n. Step 1 gains one regex
replace over those documents; ``ngram`` may differ per document at no extra cost.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datasketch import MinHash

# A word is a run of letters, numbers, marks or "_" (RE2 syntax, Arrow's regex engine).
_NON_WORD = r"[^\p{L}\p{N}\p{M}_]+"
_WORD_CATEGORIES = ("L", "N", "M")
# Han ideographs (+ ext. A, compatibility, supplementary planes), 々 〇 〡-〩, hiragana, katakana
# (with ー), katakana extensions, half-width kana: explicit ranges, so the scalar twin below
# uses exactly the set RE2 does.
_CJK_RANGES = ((0x3005, 0x3005), (0x3007, 0x3007), (0x3021, 0x3029), (0x3040, 0x30FF), (0x31F0, 0x31FF),
               (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x20000, 0x2FFFF))
CJK_CHARS = "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in _CJK_RANGES) + "]"
"""RE2 class of the characters that are one word each in a char-shingled document."""


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return any(a <= cp <= b for a, b in _CJK_RANGES)

# Fixed constants of the shingle hash (part of its definition, like a hash seed): drawn once
# from a fixed generator so they never change between runs, workers or versions.
_RNG = np.random.Generator(np.random.PCG64(0x5EED_F1A7))
_BYTE_TABLE = _RNG.integers(1, 2**63, size=256, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_WORD_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible mod 2^64
_WORD_BASE_INV = np.uint64(pow(int(_WORD_BASE), -1, 2**64))
_LENGTH_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
_MAX_NGRAM = 64
_NGRAM_MIX = _RNG.integers(1, 2**63, size=_MAX_NGRAM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)

# Shingles hashed per MinHash pass: 2^16 * 4 bytes = 256 KB per vector, cache resident.
_SHINGLE_CHUNK = 1 << 16
# Bytes of text turned into word hashes at once: ~32 bytes of temporaries per text byte.
_BYTE_CHUNK = 1 << 22
_U32_MAX = np.uint32(0xFFFFFFFF)


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 64-bit finaliser (a bijection that spreads every input bit)."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 32-bit finaliser: datasketch's affine32 pre-mix of every input hash."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


@functools.lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a odd, b), each (num_perm,) uint32."""
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


@functools.lru_cache(maxsize=4)
def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """K^i and K^-i mod 2^64 for i < n (n rounded up to a power of two so the cache stays small)."""
    pw = np.full(n, _WORD_BASE, dtype=np.uint64)
    pw[0] = 1
    inv = np.full(n, _WORD_BASE_INV, dtype=np.uint64)
    inv[0] = 1
    return np.cumprod(pw), np.cumprod(inv)  # uint64 products wrap: arithmetic mod 2^64


def _split_words(texts: pa.Array, per_char: np.ndarray | None = None) -> pa.ListArray:
    lowered = pc.utf8_lower(texts.cast(pa.large_string()))
    if per_char is not None and per_char.any():
        # one word per CJK character: surround each with spaces (RE2 rewrite \0 = the match)
        spaced = pc.replace_substring_regex(lowered, pattern=CJK_CHARS, replacement=" \\0 ")
        lowered = pc.if_else(pa.array(per_char), spaced, lowered)
    words = pc.split_pattern_regex(lowered, pattern=_NON_WORD)
    # Splitting leaves "" where a text starts or ends with a separator, and [""] for "".
    return words


def _word_hashes(words: pa.Array) -> np.ndarray:
    """64-bit hash of every word of a flat (large_)string array, (W,) uint64."""
    offsets = np.frombuffer(words.buffers()[1], dtype=np.int64)[words.offset : words.offset + len(words) + 1]
    data = np.frombuffer(words.buffers()[2], dtype=np.uint8) if words.buffers()[2] else np.zeros(0, np.uint8)
    out = np.empty(len(words), dtype=np.uint64)
    start_word = 0
    while start_word < len(words):
        # Words whose bytes fit the chunk (at least one word, however long).
        end_word = int(np.searchsorted(offsets, offsets[start_word] + _BYTE_CHUNK, side="right")) - 1
        end_word = max(end_word, start_word + 1)
        lo, hi = int(offsets[start_word]), int(offsets[end_word])
        size = 1 << max(int(hi - lo), 1).bit_length()
        pw, inv = _powers(size)
        n = hi - lo
        terms = _BYTE_TABLE[data[lo:hi]] * pw[:n]  # (n,) T[byte_i] * K^i, global position i
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(terms, out=prefix[1:])
        rel = offsets[start_word : end_word + 1] - lo
        starts, ends = rel[:-1], rel[1:]
        # Shift each word's sum back to position 0 with K^-start: the hash is position-free.
        h = (prefix[ends] - prefix[starts]) * inv[starts]
        h = h + (ends - starts).astype(np.uint64) * _LENGTH_MIX
        out[start_word:end_word] = _fmix64(h)
        start_word = end_word
    return out


def _words_and_docs(texts: pa.Array, per_char: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of every non-empty word (W,) uint64 and per-document word offsets (D+1,)."""
    lists = _split_words(texts, per_char)
    flat = lists.flatten()
    parents = pc.list_parent_indices(lists).to_numpy()
    lengths = pc.binary_length(flat).to_numpy(zero_copy_only=False)
    keep = lengths > 0
    hashes = _word_hashes(flat)[keep]
    counts = np.bincount(parents[keep], minlength=len(texts))
    doc_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=doc_offsets[1:])
    return hashes, doc_offsets


def _shingle_hashes(word_h: np.ndarray, doc_offsets: np.ndarray,
                    ngram: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hash of every shingle (S,) uint32 and per-document shingle offsets (D+1,).

    `ngram` is one length for all documents or a (D,) array of lengths, one per document.
    """
    ngram = np.broadcast_to(np.asarray(ngram, dtype=np.int64), (len(doc_offsets) - 1,))
    if len(ngram) and not (1 <= ngram.min() and ngram.max() <= _MAX_NGRAM):
        raise ValueError(f"ngram must be in 1..{_MAX_NGRAM}, got {sorted(set(ngram.tolist()))}")
    n_words = np.diff(doc_offsets)
    n_shingles = np.where(n_words >= ngram, n_words - ngram + 1, np.minimum(n_words, 1))
    shingle_offsets = np.zeros(len(n_words) + 1, dtype=np.int64)
    np.cumsum(n_shingles, out=shingle_offsets[1:])
    total = int(shingle_offsets[-1])
    # Shingle j of document d starts at word doc_offsets[d] + j.
    doc_of = np.repeat(np.arange(len(n_words)), n_shingles)
    starts = doc_offsets[doc_of] + (np.arange(total) - shingle_offsets[doc_of])
    ends = np.minimum(doc_offsets[doc_of + 1], starts + ngram[doc_of])  # a shingle's last word + 1
    acc = np.zeros(total, dtype=np.uint64)
    longest = int(ngram.max()) if len(ngram) else 1
    padded = np.concatenate([word_h, np.zeros(longest, dtype=np.uint64)])
    for k in range(longest):
        # Words past the end of the shingle or the document contribute nothing.
        term = padded[starts + k] * _NGRAM_MIX[k]
        acc += np.where(starts + k < ends, term, np.uint64(0))
    return (_fmix64(acc) >> np.uint64(32)).astype(np.uint32), shingle_offsets


def _min_per_document(h32: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """(D, num_perm) uint32 signatures: min over each document's shingles of a*fmix32(h)+b."""
    a, b = permutations(num_perm, seed)
    n_docs = len(offsets) - 1
    sig = np.full((n_docs, num_perm), _U32_MAX, dtype=np.uint32)
    mixed = _fmix32(h32)
    for lo in range(0, len(mixed), _SHINGLE_CHUNK):
        hi = min(lo + _SHINGLE_CHUNK, len(mixed))
        # Segments of this chunk: one per document overlapping it (starts clipped to lo).
        first = int(np.searchsorted(offsets, lo, side="right")) - 1
        last = int(np.searchsorted(offsets, hi, side="left"))
        docs = np.arange(first, last)
        docs = docs[np.diff(offsets)[docs] > 0]
        seg = np.maximum(offsets[docs], lo) - lo
        chunk = mixed[lo:hi]
        for p in range(num_perm):
            perm = chunk * a[p] + b[p]  # uint32 arithmetic wraps: mod 2^32, datasketch's affine32
            mins = np.minimum.reduceat(perm, seg)
            sig[docs, p] = np.minimum(sig[docs, p], mins)
    return sig


def shingle_plan(langs: list[str | None] | None, n_docs: int, ngram: int,
                 char_ngrams: dict[str, int] | None) -> tuple[np.ndarray | None, np.ndarray]:
    """(per-character mask (D,) bool or None, shingle length per document (D,) int64)."""
    if not langs or not char_ngrams:
        return None, np.full(n_docs, ngram, dtype=np.int64)
    per_char = np.fromiter((lang in char_ngrams for lang in langs), dtype=bool, count=n_docs)
    lengths = np.fromiter((char_ngrams.get(lang, ngram) for lang in langs), dtype=np.int64, count=n_docs)
    return per_char, lengths


def signatures(texts: pa.Array, num_perm: int, seed: int, ngram: int, langs: list[str | None] | None = None,
               char_ngrams: dict[str, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signature (D, num_perm) uint32 and shingle count (D,) int64 of each text.

    ``texts`` is an Arrow string array (nulls count as empty); documents whose ``langs[i]`` is
    in ``char_ngrams`` get character shingles of that length (module docstring). Equal to
    datasketch row by row over ``word_shingles``; see the module docstring for the cost.
    """
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    per_char, lengths = shingle_plan(langs, len(texts), ngram, char_ngrams)
    word_h, doc_offsets = _words_and_docs(texts, per_char)
    h32, offsets = _shingle_hashes(word_h, doc_offsets, lengths)
    return _min_per_document(h32, offsets, num_perm, seed), np.diff(offsets)


def shingle_sets(texts: pa.Array, ngram: int, langs: list[str | None] | None = None,
                 char_ngrams: dict[str, int] | None = None) -> list[np.ndarray]:
    """Sorted unique 32-bit shingle hashes of each text (for exact Jaccard verification)."""
    texts = pc.fill_null(texts.cast(pa.large_string()), "")
    per_char, lengths = shingle_plan(langs, len(texts), ngram, char_ngrams)
    word_h, doc_offsets = _words_and_docs(texts, per_char)
    h32, offsets = _shingle_hashes(word_h, doc_offsets, lengths)
    return [np.unique(h32[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1)]


# --- scalar reference: the same definitions, one shingle at a time (for datasketch) -------


def word_shingles(text: str, ngram: int, per_char: bool = False) -> list[tuple[str, ...]]:
    """The shingles of one text as word tuples (pure Python; reference for the vectorised path).

    `per_char`: every CJK character is a word of its own (char-shingled languages).
    """
    words, current = [], []
    for ch in text.lower():
        if ch == "_" or unicodedata.category(ch)[0] in _WORD_CATEGORIES:
            if per_char and _is_cjk(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
                continue
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    if not words:
        return []
    if len(words) < ngram:
        return [tuple(words)]
    return [tuple(words[i : i + ngram]) for i in range(len(words) - ngram + 1)]


def _word_hash_scalar(word: str) -> int:
    mask = (1 << 64) - 1
    h, k = 0, 1
    data = word.encode("utf-8")
    for byte in data:
        h = (h + int(_BYTE_TABLE[byte]) * k) & mask
        k = (k * int(_WORD_BASE)) & mask
    h = (h + len(data) * int(_LENGTH_MIX)) & mask
    return int(_fmix64(np.array([h], dtype=np.uint64))[0])


def shingle_hash32(shingle: tuple[str, ...]) -> int:
    """32-bit hash of one shingle: datasketch's ``hashfunc`` twin of the vectorised path."""
    mask = (1 << 64) - 1
    acc = 0
    for k, word in enumerate(shingle):
        acc = (acc + _word_hash_scalar(word) * int(_NGRAM_MIX[k])) & mask
    return int(_fmix64(np.array([acc], dtype=np.uint64))[0] >> np.uint64(32))
