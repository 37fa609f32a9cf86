"""Train flywheel's byte-level BPE tokenizer with HF `tokenizers` (no Spark).

Layout of the ids of a trained tokenizer (vocab V, a multiple of `vocab_multiple`):

    0 .. s-1      special tokens: EOS, BOS, PAD, then the PII mask tokens (`|||EMAIL|||` …)
    s .. m-1      the BPE model: 256 byte symbols first, then learned merges
    m .. d-1      user domain tokens (kept whole, decoded like text)
    d .. V-1      reserved unused special tokens `<|reserved_i|>`: at least `n_reserved`,
                  plus as many as needed to pad V up to the multiple

Digits are split one per token before the byte-level split, so numbers never merge
("2024" → 2 0 2 4). Dirty tokens (learned tokens whose text matches a configured regex)
are removed after training together with every merge that makes or uses them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

RESERVED_FORMAT = "<|reserved_{}|>"


@dataclass(frozen=True, kw_only=True)
class TokenizerSpec:
    """Everything that decides the trained tokenizer besides the texts."""

    vocab_size: int
    """Wanted final vocab size (special + BPE + domain + reserved), before padding up."""
    min_frequency: int
    """A pair must occur this often in the sample to become a merge."""
    special_tokens: list[str]
    """EOS, BOS, PAD then the PII mask tokens; they get ids 0, 1, 2, … in this order."""
    domain_tokens: list[str]
    """User tokens that must stay whole (e.g. `<think>`); decoded as text."""
    n_reserved: int
    """Minimum number of reserved unused special tokens at the end of the vocab."""
    vocab_multiple: int
    """Final vocab size is padded (with more reserved tokens) to a multiple of this."""
    dirty_token_patterns: list[str]
    """Regexes (`re.search`) over a learned token's decoded text; matches are removed."""


def new_tokenizer() -> Tokenizer:
    """An untrained byte-level BPE with one-digit-per-token splitting."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    return tok


def train_bpe(texts: Iterable[str], spec: TokenizerSpec) -> Tokenizer:
    """Train on `texts` (any iterator; streamed once) and return the finished tokenizer."""
    _check_spec(spec)
    n_bpe = spec.vocab_size - len(spec.special_tokens) - len(spec.domain_tokens) - spec.n_reserved
    if n_bpe < 256:
        raise ValueError(
            f"tokenizer.vocab_size={spec.vocab_size} leaves {n_bpe} BPE tokens after special, domain "
            "and reserved tokens; byte-level BPE needs at least 256"
        )
    tok = new_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=n_bpe + len(spec.special_tokens),
        min_frequency=spec.min_frequency,
        special_tokens=list(spec.special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    if spec.dirty_token_patterns:
        tok = remove_dirty_tokens(tok, spec.dirty_token_patterns, n_protected=len(spec.special_tokens) + 256)
    if spec.domain_tokens:
        tok.add_tokens([AddedToken(t, normalized=False, special=False) for t in spec.domain_tokens])
    n_now = tok.get_vocab_size(with_added_tokens=True)
    n_pad = -(n_now + spec.n_reserved) % spec.vocab_multiple
    tok.add_special_tokens([RESERVED_FORMAT.format(i) for i in range(spec.n_reserved + n_pad)])
    return tok


def remove_dirty_tokens(tok: Tokenizer, patterns: list[str], n_protected: int) -> Tokenizer:
    """A copy of `tok` without learned tokens whose decoded text matches any of `patterns`.

    The first `n_protected` ids (special tokens and the 256 byte symbols) are never removed:
    without a byte symbol some input could not be encoded at all. A merge is dropped when it
    makes or uses a removed token, and what it made is removed too (it could never form);
    merges are in creation order, so one pass reaches the fixpoint. Ids are renumbered
    densely in their old order.
    """
    regexes = [re.compile(p) for p in patterns]
    data = json.loads(tok.to_str())
    vocab: dict[str, int] = data["model"]["vocab"]
    byte_decoder = decoders.ByteLevel()
    dirty = {
        piece for piece, idx in vocab.items()
        if idx >= n_protected and any(r.search(byte_decoder.decode([piece])) for r in regexes)
    }
    kept_merges = []
    for merge in data["model"]["merges"]:
        left, right = merge if isinstance(merge, list) else merge.split(" ", 1)
        made = left + right
        if left in dirty or right in dirty or made in dirty:
            if vocab.get(made, -1) >= n_protected:
                dirty.add(made)
            continue
        kept_merges.append([left, right])
    kept = sorted((idx, piece) for piece, idx in vocab.items() if piece not in dirty)
    data["model"]["vocab"] = {piece: new_id for new_id, (_, piece) in enumerate(kept)}
    data["model"]["merges"] = kept_merges
    return Tokenizer.from_str(json.dumps(data))


def _check_spec(spec: TokenizerSpec) -> None:
    if spec.vocab_multiple <= 0:
        raise ValueError(f"tokenizer.vocab_multiple must be positive, got {spec.vocab_multiple}")
    if spec.n_reserved < 0:
        raise ValueError(f"tokenizer.n_reserved must be >= 0, got {spec.n_reserved}")
    clash = set(spec.special_tokens) & set(spec.domain_tokens)
    if clash or len(set(spec.special_tokens)) != len(spec.special_tokens):
        raise ValueError(f"special and domain tokens must be distinct; repeated: {sorted(clash)}")
    for pattern in spec.dirty_token_patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"tokenizer.dirty_token_patterns: bad regex {pattern!r}: {exc}") from None
