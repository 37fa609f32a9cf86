"""Tests for udfs.tokenize_batch: Arrow batches → int32 ids with EOS."""
import numpy as np
import pyarrow as pa
import pytest

from udfs.tokenize_batch import append_eos, compression_stats, encode_batch, load_tokenizer
from udfs.tokenizer_train import TokenizerSpec, train_bpe

EOS = "<|endoftext|>"


@pytest.fixture(scope="module")
def tok():
    texts = [f"plain words number {i} and |||EMAIL||| here, über café" for i in range(200)]
    spec = TokenizerSpec(vocab_size=600, min_frequency=2, special_tokens=[EOS, "<|pad|>", "|||EMAIL|||"],
                         domain_tokens=[], n_reserved=4, vocab_multiple=128, dirty_token_patterns=[])
    return train_bpe(texts, spec)


def test_append_eos_splices_eos_after_each_doc():
    out = append_eos(np.array([1, 2, 3, 4], np.int32), np.array([2, 0, 2]), eos_id=9)
    assert out.to_pylist() == [[1, 2, 9], [9], [3, 4, 9]]
    assert out.type == pa.list_(pa.int32())


def test_encode_batch_matches_library_encode_plus_eos(tok):
    texts = ["plain words", "number 42 and |||EMAIL|||", "über café"]
    out = encode_batch(pa.array(texts), tok, eos_id=0)
    expected = [tok.encode(t, add_special_tokens=False).ids + [0] for t in texts]
    assert out.to_pylist() == expected
    assert out.type.value_type == pa.int32()


def test_encode_batch_null_and_empty_text_give_only_eos(tok):
    assert encode_batch(pa.array([None, ""], pa.string()), tok, eos_id=0).to_pylist() == [[0], [0]]


def test_encode_batch_mask_token_single_id(tok):
    ids = encode_batch(["a |||EMAIL||| b"], tok, eos_id=0).to_pylist()[0]
    assert ids.count(tok.token_to_id("|||EMAIL|||")) == 1


def test_load_tokenizer_parses_once_per_version(tok):
    first = load_tokenizer("test-v1", tok.to_str(), rayon_threads=None)
    again = load_tokenizer("test-v1", "not json: a cached version is never parsed again", rayon_threads=None)
    assert first is again
    assert first.encode("plain words").ids == tok.encode("plain words").ids


def test_compression_stats_counts_chars_bytes_tokens(tok):
    tokens, chars, n_bytes = compression_stats(["über", "ab"], tok)
    assert chars.tolist() == [4, 2]
    assert n_bytes.tolist() == [5, 2]
    assert tokens.tolist() == [len(tok.encode("über", add_special_tokens=False).ids), len(tok.encode("ab").ids)]
