"""Keep near-duplicates apart in a chunk's stream of documents (numpy + stdlib, no Spark).

Documents that dedup kept although similar (a per-category threshold above the global one, or
a lax threshold chosen for volume) share a cluster id; so do repeats of one document. Walking
the stream in order, an occurrence whose cluster was placed too recently, in the same block
or fewer than `min_gap_tokens` tokens before, waits in a queue; at each position the oldest
waiting occurrence that now fits goes first, else the next of the stream that fits, else
(nothing fits) the next of the stream anyway, counted as a violation. Occurrences of no
cluster (-1) always fit, so with enough of them every constraint holds.

Cost: O(n x w) for w occurrences waiting at once (small: a few per cluster), Python steps.
"""
from __future__ import annotations

from collections import deque

import numpy as np


def spread(lengths: np.ndarray, cluster: np.ndarray, block_len: int, min_gap_tokens: int) -> tuple[np.ndarray, int]:
    """(a permutation of the occurrences, how many were placed against the rule).

    `lengths` (n,) tokens of each occurrence in stream order; `cluster` (n,) its cluster id (-1 =
    none). Two occurrences of one cluster never share a block, and the tokens between them are
    at least `min_gap_tokens`, wherever a free occurrence can fill the space.

    >>> spread(np.array([4, 4, 4, 4]), np.array([7, 7, -1, -1]), block_len=4, min_gap_tokens=4)[0].tolist()
    [0, 2, 1, 3]
    """
    lengths = np.asarray(lengths, dtype=np.int64).tolist()
    cluster = np.asarray(cluster, dtype=np.int64).tolist()
    last_end: dict[int, int] = {}  # cluster -> end offset of its last placed occurrence
    waiting: deque[int] = deque()
    out: list[int] = []
    pos, i, n, violations = 0, 0, len(lengths), 0

    def fits(k: int) -> bool:
        c = cluster[k]
        if c < 0 or c not in last_end:
            return True
        end = last_end[c]
        return pos // block_len > (end - 1) // block_len and pos - end >= min_gap_tokens

    while len(out) < n:
        pick = next((k for k in waiting if fits(k)), None)
        if pick is not None:
            waiting.remove(pick)
        else:
            while i < n and not fits(i):
                waiting.append(i)
                i += 1
            if i < n:
                pick, i = i, i + 1
            else:
                pick = waiting.popleft()  # nothing fits: the longest waiting goes, against the rule
                violations += 1
        out.append(pick)
        pos += lengths[pick]
        if cluster[pick] >= 0:
            last_end[cluster[pick]] = pos
    return np.array(out, dtype=np.int64), violations


def duplicate_gaps(lengths: np.ndarray, cluster: np.ndarray, block_len: int) -> dict:
    """For an ordered stream: the smallest token gap between two occurrences of one cluster and
    how many such neighbours share a block ({} when no cluster occurs twice)."""
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + np.asarray(lengths)
    last: dict[int, int] = {}
    gaps, same_block = [], 0
    for k, c in enumerate(np.asarray(cluster).tolist()):
        if c < 0:
            continue
        if c in last:
            j = last[c]
            gaps.append(int(starts[k] - ends[j]))
            same_block += int(starts[k] // block_len <= (ends[j] - 1) // block_len)
        last[c] = k
    return {"pairs": len(gaps), "min_gap_tokens": min(gaps), "same_block": same_block} if gaps else {}
