"""Which stream rows of a chunk each data-parallel rank trains on, in which order.

The chunk's stream rows minus the excluded blocks are cut into W contiguous, equal ranges of
`steps * batch_size` rows (W = dp world size); rank r takes range r and yields it in order,
batch_size rows per step. Every rank thus has the same number of steps, reads only its own
part of the chunk (contiguous rows: sequential reads) and no row is trained twice. The last
`kept % (W * batch_size)` rows (fewer than one global batch) are left out and counted.

Cost: O(n_blocks) numpy for the exclusion mask; the ranges themselves are O(1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Shard:
    """A rank's part of a chunk: stream rows in training order and the step count (same on every rank)."""

    rows: np.ndarray
    """(steps * batch_size,) int64 stream rows, ascending."""
    steps: int
    left_over: int
    """Kept rows of the chunk no rank trains on (fewer than W * batch_size)."""
    excluded: int
    """Rows left out because their block id is excluded."""


def shard_rows(block_ids: np.ndarray, excluded: np.ndarray, dp_rank: int, dp_world_size: int,
               batch_size: int) -> Shard:
    """Rank `dp_rank`'s rows of a chunk whose stream rows hold `block_ids`, leaving out `excluded` ids.

    >>> s = shard_rows(np.arange(10) + 100, np.array([103]), dp_rank=1, dp_world_size=2, batch_size=2)
    >>> s.rows.tolist(), s.steps, s.left_over, s.excluded
    ([5, 6, 7, 8], 2, 1, 1)
    """
    if not 0 <= dp_rank < dp_world_size:
        raise ValueError(f"dp rank {dp_rank} is outside a dp world of {dp_world_size}")
    keep = ~np.isin(block_ids, excluded)
    kept = np.flatnonzero(keep)
    steps = len(kept) // (dp_world_size * batch_size)
    per_rank = steps * batch_size
    rows = kept[dp_rank * per_rank:(dp_rank + 1) * per_rank].astype(np.int64)
    return Shard(rows=rows, steps=steps, left_over=len(kept) - per_rank * dp_world_size,
                 excluded=int((~keep).sum()))
