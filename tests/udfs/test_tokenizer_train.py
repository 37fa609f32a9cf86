"""Tests for udfs.tokenizer_train: byte-level BPE with special, domain and reserved tokens."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import decoders

from udfs.tokenizer_train import TokenizerSpec, remove_dirty_tokens, train_bpe

MASKS = ["|||EMAIL|||", "|||PHONE|||", "|||IP|||"]
SPECIALS = ["<|endoftext|>", "<|begin_of_text|>", "<|pad|>"] + MASKS
WORDS = ("the of and to in data model train token river mountain whisper garden quick brown fox "
         "jumps over lazy dog def return import class self print value number").split()


def corpus(n=400, seed=0):
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40)))
        docs.append(f"{words} in {rng.randint(1900, 2030)}. Mail |||EMAIL||| or FlyWheelTok now.\n"
                    f"def f_{i}(x):\n    return x * {rng.randint(0, 999)}\n========== 数据 训练\n")
    return docs


def spec(**overrides):
    values = dict(vocab_size=700, min_frequency=2, special_tokens=SPECIALS, domain_tokens=["FlyWheelTok"],
                  n_reserved=10, vocab_multiple=128, dirty_token_patterns=[])
    values.update(overrides)
    return TokenizerSpec(**values)


@pytest.fixture(scope="module")
def tok():
    return train_bpe(corpus(), spec())


def test_train_bpe_special_tokens_take_first_ids_in_order(tok):
    assert [tok.token_to_id(t) for t in SPECIALS] == list(range(len(SPECIALS)))


def test_train_bpe_digits_split_one_per_token(tok):
    enc = tok.encode("year 2024 and 31337", add_special_tokens=False)
    digit_tokens = [tok.decode([i]) for i in enc.ids if tok.decode([i]).strip().isdigit()]
    assert digit_tokens == list("2024") + list("31337")


def test_train_bpe_mask_token_encodes_to_its_single_id(tok):
    enc = tok.encode("write to |||EMAIL||| or |||PHONE|||", add_special_tokens=False)
    assert enc.ids.count(tok.token_to_id("|||EMAIL|||")) == 1
    assert enc.ids.count(tok.token_to_id("|||PHONE|||")) == 1
    assert "|" not in "".join(tok.decode([i]) for i in enc.ids if i >= len(SPECIALS))


def test_train_bpe_domain_token_kept_whole_and_decoded(tok):
    enc = tok.encode("see FlyWheelTok here", add_special_tokens=False)
    assert tok.token_to_id("FlyWheelTok") in enc.ids
    assert tok.decode(enc.ids) == "see FlyWheelTok here"


def test_train_bpe_vocab_padded_to_multiple_with_reserved_at_end(tok):
    vocab = tok.get_vocab_size(with_added_tokens=True)
    reserved = sorted(i for t, i in tok.get_vocab(with_added_tokens=True).items() if t.startswith("<|reserved_"))
    assert vocab % 128 == 0
    assert len(reserved) >= 10
    assert reserved == list(range(vocab - len(reserved), vocab))


def test_train_bpe_vocab_too_small_raises():
    with pytest.raises(ValueError, match="tokenizer.vocab_size"):
        train_bpe(corpus(10), spec(vocab_size=200))


def test_remove_dirty_tokens_symbol_run_removed_and_text_still_encodes():
    clean = train_bpe(corpus(), spec(dirty_token_patterns=[r"^([^\w\s])\1{3,}$"]))
    byte_level = decoders.ByteLevel()
    learned = [byte_level.decode([t]) for t, i in clean.get_vocab(with_added_tokens=False).items()
               if i >= len(SPECIALS) + 256]
    assert not [t for t in learned if t.startswith("====")]
    dirty = train_bpe(corpus(), spec())
    assert "====" in {dirty.decode([i]) for i in range(dirty.get_vocab_size())}
    text = "a ========== b"
    assert clean.decode(clean.encode(text, add_special_tokens=False).ids) == text


def test_remove_dirty_tokens_no_match_keeps_vocab(tok):
    same = remove_dirty_tokens(tok, [r"^\b$"], n_protected=len(SPECIALS) + 256)
    assert same.get_vocab(with_added_tokens=False) == tok.get_vocab(with_added_tokens=False)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_train_bpe_any_text_roundtrips(tok, text):
    assert tok.decode(tok.encode(text, add_special_tokens=False).ids, skip_special_tokens=False) == text
