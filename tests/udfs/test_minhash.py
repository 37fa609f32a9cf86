"""MinHash over word shingles: identical to datasketch, batch-independent, golden cases."""

import numpy as np
import pyarrow as pa
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

import udfs.minhash as mh
from udfs.minhash import shingle_hash32, shingle_sets, signatures, word_shingles

# Letters (with accents, Cyrillic, CJK, a combining mark), digits, separators, punctuation.
_ALPHABET = "abcdeXYZ019 _\n\t,.-!éöЖж日本\u0301\u00a0"
_TEXTS = st.text(alphabet=_ALPHABET, max_size=300)


def _datasketch(text: str, num_perm: int, seed: int, ngram: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash32)
    m.update_batch(word_shingles(text, ngram))
    return m.hashvalues


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(_TEXTS, min_size=1, max_size=8), ngram=st.integers(1, 6), seed=st.integers(0, 2**31))
def test_signatures_any_text_bit_identical_to_datasketch(texts, ngram, seed):
    sig, n_shingles = signatures(pa.array(texts), num_perm=64, seed=seed, ngram=ngram)
    for text, row, count in zip(texts, sig, n_shingles):
        np.testing.assert_array_equal(row, _datasketch(text, 64, seed, ngram))
        assert count == len(word_shingles(text, ngram))


def test_word_shingles_golden_examples_expected_tuples():
    assert word_shingles("The cat, the HAT!", 2) == [("the", "cat"), ("cat", "the"), ("the", "hat")]
    assert word_shingles("only two", 5) == [("only", "two")]  # short doc: one shingle of all words
    assert word_shingles(" ...!? ", 5) == []
    assert word_shingles("snake_case café", 1) == [("snake_case",), ("café",)]


def test_signatures_case_and_punctuation_ignored_same_signature():
    sig, _ = signatures(pa.array(["Hello, World! How are you today?", "hello world how ARE you today"]), 128, 1, 5)
    np.testing.assert_array_equal(sig[0], sig[1])


def test_signatures_empty_or_null_text_empty_signature():
    sig, n = signatures(pa.array(["", None, "!!!"]), 16, 1, 5)
    assert (sig == np.uint32(2**32 - 1)).all()
    assert n.tolist() == [0, 0, 0]


def test_signatures_batch_composition_does_not_change_rows(monkeypatch):
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(500)]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(0, 300)))) for _ in range(40)]
    together, _ = signatures(pa.array(texts), 32, 7, 5)
    alone = np.vstack([signatures(pa.array([t]), 32, 7, 5)[0] for t in texts])
    # Tiny chunks force documents to straddle word-hash and MinHash chunk boundaries.
    monkeypatch.setattr(mh, "_BYTE_CHUNK", 64)
    monkeypatch.setattr(mh, "_SHINGLE_CHUNK", 37)
    chunked, _ = signatures(pa.array(texts), 32, 7, 5)
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(together, chunked)


def test_signatures_estimate_tracks_exact_jaccard_within_three_sigma():
    rng = np.random.default_rng(11)
    base = [f"tok{i}" for i in rng.integers(0, 10_000, size=2_000)]
    edited = list(base)
    for i in rng.choice(len(base), size=60, replace=False):
        edited[i] = "changed"
    sets = [set(word_shingles(" ".join(t), 5)) for t in (base, edited)]
    exact = len(sets[0] & sets[1]) / len(sets[0] | sets[1])
    sig, _ = signatures(pa.array([" ".join(base), " ".join(edited)]), 256, 1, 5)
    estimate = (sig[0] == sig[1]).mean()
    assert abs(estimate - exact) < 3 * np.sqrt(exact * (1 - exact) / 256)


def test_shingle_sets_match_scalar_hashes():
    text = "a b c d e f g a b c d e"
    expected = sorted({shingle_hash32(s) for s in word_shingles(text, 3)})
    assert shingle_sets(pa.array([text]), 3)[0].tolist() == expected


def test_signatures_ngram_out_of_range_raises():
    with pytest.raises(ValueError, match="ngram"):
        signatures(pa.array(["a b"]), 8, 1, 0)
