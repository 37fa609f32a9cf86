"""Order the documents of a chunk so related ones sit next to each other (numpy + stdlib, no Spark).

In-context pretraining (Shi et al. 2023): with each document's nearest neighbours in hand (an
edge list u, v, similarity, e.g. from MinHash LSH candidates scored by signature agreement), a
greedy path starts at the document with the smallest tie key, steps to its most similar
unvisited neighbour, and when none is left jumps to the unvisited document with the smallest
tie key. Concatenating the path and cutting it into blocks then packs related documents into
the same context. Ties (equal similarity) are broken by the neighbour's tie key (a hash of the
doc id), so the path depends only on the documents, never on the edges' order.

Cost: sorting the edges O(E log E) (numpy), then one pass that looks at each edge at most twice
and each document once, O(n + E) Python steps: with k neighbours a document, about
k + 1 dictionary-free array reads per document.
"""
from __future__ import annotations

import numpy as np


def greedy_path(n: int, u: np.ndarray, v: np.ndarray, similarity: np.ndarray, tie_key: np.ndarray) -> np.ndarray:
    """A permutation (n,) of 0..n-1 visiting every document once along the neighbour graph.

    `u`, `v` (E,) int: undirected edges between documents; `similarity` (E,): higher = closer;
    `tie_key` (n,): distinct integers that order jumps and break similarity ties.

    >>> greedy_path(4, np.array([0, 1, 2]), np.array([2, 3, 3]), np.array([0.9, 0.8, 0.1]), np.arange(4)).tolist()
    [0, 2, 3, 1]
    """
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    sim = np.asarray(similarity, dtype=np.float64)
    tie = np.asarray(tie_key)
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    s = np.concatenate([sim, sim])
    keep = src != dst
    src, dst, s = src[keep], dst[keep], s[keep]
    # Neighbour lists: by source, then most similar first, then the neighbour's tie key.
    order = np.lexsort((tie[dst], -s, src))
    dst = dst[order]
    starts = np.searchsorted(src[order], np.arange(n + 1))
    cursor = starts[:-1].copy()
    # Python lists and a bytearray in the loop: a numpy scalar read costs ~10x a list read.
    visited = bytearray(n)
    jumps = np.argsort(tie, kind="stable").tolist()
    next_jump = 0
    path = [0] * n
    dst_list, end_list, cursor_list = dst.tolist(), starts[1:].tolist(), cursor.tolist()
    current = -1
    for i in range(n):
        nxt = -1
        if current >= 0:
            c, end = cursor_list[current], end_list[current]
            while c < end and visited[dst_list[c]]:
                c += 1
            cursor_list[current] = c
            if c < end:
                nxt = dst_list[c]
        if nxt < 0:
            while visited[jumps[next_jump]]:
                next_jump += 1
            nxt = jumps[next_jump]
        visited[nxt] = 1
        path[i] = nxt
        current = nxt
    return np.array(path, dtype=np.int64)


def adjacent_similarity(path: np.ndarray, u: np.ndarray, v: np.ndarray, similarity: np.ndarray) -> float:
    """Mean similarity of consecutive documents of `path` (pairs without an edge count 0)."""
    if len(path) < 2:
        return 0.0
    table = {}
    for a, b, s in zip(np.asarray(u).tolist(), np.asarray(v).tolist(), np.asarray(similarity).tolist()):
        table[(min(a, b), max(a, b))] = max(s, table.get((min(a, b), max(a, b)), 0.0))
    p = np.asarray(path).tolist()
    return float(np.mean([table.get((min(a, b), max(a, b)), 0.0) for a, b in zip(p, p[1:])]))
