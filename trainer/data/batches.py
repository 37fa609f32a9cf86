"""Blocks with doc spans -> model inputs, shifted labels, per-document positions, category ids.

A block holds `seq_len + 1` token ids and the spans of the documents in it (start, length,
category), which tile the block. For n blocks, with L = seq_len:

    input[i]     = tokens[i]                                   i in 0..L-1
    label[i]     = tokens[i + 1], or -100 when tokens[i + 1] starts another span
    position[i]  = i - start of the span holding token i       (0 at every span start)
    category[i]  = index of the span's category, or -1 where label[i] is -100

So a document never predicts the first token of the next one, and the positions reset to 0 at
every span, which is how torchtitan finds documents (`get_document_mask_mod`: a new document
wherever positions == 0) for its block-causal mask. A document continued from the previous
block restarts at 0 too: this block cannot attend to its earlier part, and positions stay below
seq_len, inside the RoPE cache.

Algorithm (no per-token Python): mark span starts in a flat (n * (L + 1),) array, a cumulative
sum of the marks gives every token's span index, and positions, masks and categories are
gathers by that index. Cost per batch of n blocks: O(n * L + spans) numpy work, ~10 passes over
int64 arrays of n * L; memory 4 int64 arrays of (n, L) for the outputs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

IGNORE_INDEX = -100
"""Label of a token that is not trained on (torch.nn.functional.cross_entropy's default ignore_index)."""
NO_CATEGORY = -1
"""Category id of a token whose label is IGNORE_INDEX."""


class BlockFormatError(ValueError):
    """A `blocks` row does not hold seq_len + 1 tokens or its doc spans do not tile them."""


@dataclass(frozen=True)
class Spans:
    """Doc spans of n blocks, flat over the blocks in order; all arrays (n_spans,) except `offsets`."""

    offsets: np.ndarray
    """(n + 1,) block b's spans are [offsets[b], offsets[b + 1])."""
    starts: np.ndarray
    lengths: np.ndarray
    categories: np.ndarray
    """Category id of each span (index into the chunk's sorted category names)."""


@dataclass(frozen=True)
class Prepared:
    """Model-ready arrays of n blocks, each (n, seq_len) int64."""

    inputs: np.ndarray
    labels: np.ndarray
    positions: np.ndarray
    category_ids: np.ndarray


def check_spans(spans: Spans, block_len: int, block_ids: np.ndarray) -> None:
    """Raise BlockFormatError naming the first block whose spans do not tile [0, block_len)."""
    counts = np.diff(spans.offsets)
    bad = counts < 1
    if not bad.any():
        first, last = spans.offsets[:-1], spans.offsets[1:] - 1
        ends = spans.starts.astype(np.int64) + spans.lengths
        follows = np.ones(len(spans.starts), dtype=bool)  # span k starts where span k-1 ended
        follows[1:] = spans.starts[1:] == ends[:-1]
        follows[first] = spans.starts[first] == 0
        bad = (np.add.reduceat(~follows, first) > 0) | (ends[last] != block_len) | (
            np.minimum.reduceat(spans.lengths, first) < 1)
    if bad.any():
        b = int(np.flatnonzero(bad)[0])
        sl = slice(spans.offsets[b], spans.offsets[b + 1])
        raise BlockFormatError(
            f"block {int(block_ids[b])}: doc spans (starts {spans.starts[sl].tolist()}, lengths "
            f"{spans.lengths[sl].tolist()}) do not tile its {block_len} tokens; the chunk is corrupt, rebuild it "
            "with `flywheel mix --chunk-id <k>`")


def prepare(tokens: np.ndarray, spans: Spans) -> Prepared:
    """Inputs, labels, positions and category ids of blocks `tokens` (n, L + 1) with their `spans`.

    >>> spans = Spans(np.array([0, 2]), np.array([0, 3]), np.array([3, 2]), np.array([1, 0]))
    >>> p = prepare(np.array([[5, 6, 7, 8, 9]]), spans)
    >>> p.inputs.tolist(), p.labels.tolist(), p.positions.tolist(), p.category_ids.tolist()
    ([[5, 6, 7, 8]], [[6, 7, -100, 9]], [[0, 1, 2, 0]], [[1, 1, -1, 0]])
    """
    n, block_len = tokens.shape
    counts = np.diff(spans.offsets)
    # Flat index of every span start: block b's row begins at b * block_len.
    flat_starts = np.repeat(np.arange(n, dtype=np.int64) * block_len, counts) + spans.starts
    is_start = np.zeros(n * block_len, dtype=np.int64)
    is_start[flat_starts] = 1
    span_of = np.cumsum(is_start) - 1  # every block's first span starts at 0, so no token precedes one
    positions = (np.arange(n * block_len, dtype=np.int64) - flat_starts[span_of]).reshape(n, block_len)
    categories = spans.categories.astype(np.int64)[span_of].reshape(n, block_len)
    crosses = is_start.reshape(n, block_len)[:, 1:].astype(bool)  # label i would be the next span's first token
    labels = tokens[:, 1:].astype(np.int64)
    labels[crosses] = IGNORE_INDEX
    category_ids = categories[:, :-1].copy()
    category_ids[crosses] = NO_CATEGORY
    return Prepared(inputs=tokens[:, :-1].astype(np.int64), labels=labels,
                    positions=np.ascontiguousarray(positions[:, :-1]), category_ids=category_ids)


def from_arrow(batch: pa.RecordBatch, block_len: int, categories: pa.Array) -> tuple[np.ndarray, Spans]:
    """Tokens (n, block_len) int32 and checked spans of a `blocks` record batch.

    `categories` holds the chunk's sorted category names; span categories become indices into it.
    Uses `flatten()`, not `.values`: on a sliced batch `.values` is the whole child buffer.
    """
    block_ids = batch.column("block_id").to_numpy()
    tokens_col = batch.column("tokens")
    sizes = pc.list_value_length(tokens_col).to_numpy()
    if (sizes != block_len).any():
        b = int(np.flatnonzero(sizes != block_len)[0])
        raise BlockFormatError(f"block {int(block_ids[b])} holds {int(sizes[b])} tokens, expected {block_len} "
                               "(mix.seq_len + 1): train with the seq_len the chunk was mixed with")
    tokens = tokens_col.flatten().to_numpy().reshape(-1, block_len)
    starts_col = batch.column("doc_starts")
    counts = pc.list_value_length(starts_col).to_numpy()
    for name in ("doc_lengths", "doc_categories"):
        if (pc.list_value_length(batch.column(name)).to_numpy() != counts).any():
            raise BlockFormatError(f"a block has not as many {name} as doc_starts: the chunk is corrupt, rebuild it")
    cat_ids = pc.index_in(batch.column("doc_categories").flatten(), value_set=categories)
    if cat_ids.null_count:
        raise BlockFormatError("a doc category is missing from the chunk's category list (chunk changed under "
                               "the loader); restart from the last checkpoint")
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    spans = Spans(offsets=offsets, starts=starts_col.flatten().to_numpy(),
                  lengths=batch.column("doc_lengths").flatten().to_numpy(), categories=cat_ids.to_numpy())
    check_spans(spans, block_len, block_ids)
    return tokens, spans
