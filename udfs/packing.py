"""Cut a stream of documents into fixed blocks of `seq_len + 1` tokens (numpy, no Spark).

Documents (each already ending in EOS) are laid end to end in mixing order; the stream is
cut every `block_len = seq_len + 1` tokens, so a document may continue in the next block.
Each block keeps its doc spans: for every piece of a document inside it, the owner, where the
piece starts in the block, its length and where it starts inside the document. A trainer
builds per-document positions (block-causal masks) and per-category losses from them.

Cost: O(n_docs + n_blocks) numpy work for the plan; tokens are only reshaped, never looped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pieces:
    """The parts of documents inside blocks, ordered by (block, start); all arrays (n_pieces,)."""

    doc: np.ndarray
    """Index of the document occurrence in the stream (int64)."""
    block: np.ndarray
    """Block the piece lies in (int64)."""
    start: np.ndarray
    """Offset of the piece's first token inside its block (int32)."""
    length: np.ndarray
    """Tokens in the piece (int32)."""
    doc_offset: np.ndarray
    """Offset of the piece's first token inside its document (int32); 0 = the doc starts here."""
    n_blocks: int


def plan_pieces(lengths: np.ndarray, block_len: int) -> Pieces:
    """Split documents of `lengths` (n,), laid end to end, at every multiple of `block_len`.

    The total must be a whole number of blocks (the mixer trims the last document to make
    it so); a ValueError says by how much it is off otherwise.

    >>> p = plan_pieces(np.array([3, 4, 1]), block_len=4)
    >>> p.block.tolist(), p.start.tolist(), p.length.tolist(), p.doc_offset.tolist()
    ([0, 0, 1, 1], [0, 3, 0, 3], [3, 1, 3, 1], [0, 0, 1, 0])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if block_len <= 0:
        raise ValueError(f"block_len must be positive, got {block_len}")
    if (lengths <= 0).any():
        raise ValueError("every document must have at least one token")
    total = int(lengths.sum())
    if total % block_len:
        raise ValueError(f"{total} tokens are not a whole number of blocks of {block_len} "
                         f"({total % block_len} left over)")
    n_blocks = total // block_len
    doc_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    # Every piece starts at a document start or a block start; the union, sorted, gives them all.
    cuts = np.union1d(doc_starts, np.arange(n_blocks, dtype=np.int64) * block_len)
    piece_len = np.diff(np.append(cuts, total))
    doc = np.searchsorted(doc_starts, cuts, side="right") - 1
    block = cuts // block_len
    return Pieces(
        doc=doc, block=block,
        start=(cuts - block * block_len).astype(np.int32),
        length=piece_len.astype(np.int32),
        doc_offset=(cuts - doc_starts[doc]).astype(np.int32),
        n_blocks=n_blocks,
    )


def pack_tokens(values: np.ndarray, block_len: int) -> np.ndarray:
    """The concatenated stream `values` (a whole number of blocks) as a (n_blocks, block_len) view."""
    if len(values) % block_len:
        raise ValueError(f"{len(values)} tokens are not a whole number of blocks of {block_len}")
    return np.asarray(values).reshape(-1, block_len)


def block_slices(pieces: Pieces) -> np.ndarray:
    """Offsets (n_blocks + 1,) such that block b's pieces are `[offsets[b], offsets[b+1])`."""
    return np.searchsorted(pieces.block, np.arange(pieces.n_blocks + 1), side="left")
