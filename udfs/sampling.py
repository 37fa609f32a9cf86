"""Choose which documents fill a chunk, and in what order (numpy, no Spark).

Each mixing group (a category, a language, or a category/language pair) gets a token
budget from its target share. Inside a group, documents are drawn without replacement by
weighted random keys (Efraimidis–Spirakis: key = log(u) / w, largest first) until the
budget is met, the last document trimmed to fit exactly. The weight `w` falls with the
document's `times_used` (configurable curve), so a document fed to the trainer in chunk k
is less likely in chunk k+1. When a group runs out of documents it starts another pass over
them (upsampling), each pass counting as one more use, never beyond the group's cap on
repetitions; what is still missing is reported as a shortfall and given to the other groups
in proportion to their targets.

Randomness comes from hashing (doc hash, seed, chunk, pass) with splitmix64, so the result
depends only on the documents' content and the seed, not on their order or partitioning.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

CURVES = ("exponential", "inverse", "none")

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


class SupplyError(ValueError):
    """All groups together cannot fill the chunk under their repetition caps."""


@dataclass(frozen=True)
class ChunkPlan:
    """Document occurrences of one chunk in stream order (all arrays (n_occurrences,))."""

    doc: np.ndarray
    """Index into the candidate arrays (int64)."""
    length: np.ndarray
    """Tokens taken from the start of the document (int64); the last one per group may be trimmed."""
    repeat: np.ndarray
    """Pass over its group that drew this occurrence; > 0 means upsampled inside the chunk."""
    group: np.ndarray
    """Group index of the occurrence (int64)."""
    target_tokens: np.ndarray
    """Per group (n_groups,): tokens the shares asked for."""
    achieved_tokens: np.ndarray
    """Per group (n_groups,): tokens the chunk holds."""
    shortfall_tokens: np.ndarray
    """Per group (n_groups,): target tokens the group could not supply under its cap."""


def usage_weights(times_used: np.ndarray, curve: str, decay: float) -> np.ndarray:
    """Sampling weight per document from how often it was used (1.0 for an unused doc).

    exponential: decay ** t;  inverse: 1 / (1 + t) ** decay;  none: 1.
    """
    t = np.asarray(times_used, dtype=np.float64)
    if curve == "exponential":
        if not 0.0 < decay <= 1.0:
            raise ValueError(f"mix.usage_decay must be in (0, 1] for the exponential curve, got {decay}")
        return np.power(decay, t)
    if curve == "inverse":
        if decay < 0:
            raise ValueError(f"mix.usage_decay must be >= 0 for the inverse curve, got {decay}")
        return np.power(1.0 + t, -decay)
    if curve == "none":
        return np.ones_like(t)
    raise ValueError(f"mix.usage_curve must be one of {CURVES}, got {curve!r}")


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser over uint64 (wrapping arithmetic): a well-mixed 64-bit hash."""
    z = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hash_uniform(doc_hash: np.ndarray, *salt: int) -> np.ndarray:
    """A uniform number in (0, 1) per document, fixed by its hash and the integers `salt`."""
    z = np.asarray(doc_hash).astype(np.uint64, copy=True)
    for s in salt:
        z = splitmix64(z ^ splitmix64(np.uint64(s & 0xFFFFFFFFFFFFFFFF)))
    # 53 random bits → a double strictly inside (0, 1), so log(u) is finite.
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)


def assign_groups(category: pa.Array | list[str], lang: pa.Array | list[str], keys: list[str]) -> np.ndarray:
    """Index into `keys` of each document's mixing group, -1 when none matches.

    A key is `category/lang`, a category or a language; the most specific match wins
    (`code/en` before `code` before `en`), so {zh, en, code} puts English code in `code`.
    """
    index = {k: i for i, k in enumerate(keys)}
    cats, cat_codes = _codes(category)
    langs, lang_codes = _codes(lang)
    # Resolve each of the few distinct (category, lang) pairs once, then look up by code.
    table = np.array([[index.get(f"{c}/{lg}", index.get(c, index.get(lg, -1))) for lg in langs] for c in cats],
                     dtype=np.int64).reshape(len(cats), len(langs))
    return table[cat_codes, lang_codes]


def _codes(values: pa.Array | list[str]) -> tuple[list[str], np.ndarray]:
    """(distinct values, code per row) via Arrow dictionary encoding."""
    arr = pa.chunked_array([values]) if not isinstance(values, (pa.Array, pa.ChunkedArray)) else values
    enc = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).dictionary_encode()
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def split_budget(shares: np.ndarray, total: int) -> np.ndarray:
    """Integer token budgets proportional to `shares` summing exactly to `total` (largest remainder)."""
    shares = np.asarray(shares, dtype=np.float64)
    if (shares < 0).any() or shares.sum() <= 0:
        raise ValueError(f"mix shares must be >= 0 with a positive sum, got {shares.tolist()}")
    exact = shares / shares.sum() * total
    base = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base


def select_group(doc_hash: np.ndarray, n_tokens: np.ndarray, times_used: np.ndarray,
                 allowance: np.ndarray, budget: int, *, seed: int, chunk_id: int,
                 curve: str, decay: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw occurrences of one group's documents until `budget` tokens.

    `allowance` (n,) is how many more times each doc may be used (a large number when
    uncapped). Returns (doc index, tokens taken, pass) per occurrence in draw order; the
    tokens sum to min(budget, everything the allowances permit).
    """
    docs, lengths, passes = [], [], []
    need, p = int(budget), 0
    while need > 0:
        idx = np.flatnonzero(allowance > p)
        if idx.size == 0:
            break
        w = usage_weights(times_used[idx] + p, curve, decay)
        with np.errstate(divide="ignore"):
            key = np.log(hash_uniform(doc_hash[idx], seed, chunk_id, p)) / w
        order = idx[np.lexsort((doc_hash[idx], -key))]
        cum = np.cumsum(n_tokens[order])
        if cum[-1] <= need:
            docs.append(order), lengths.append(n_tokens[order]), passes.append(np.full(order.size, p))
            need -= int(cum[-1])
            p += 1
            continue
        k = int(np.searchsorted(cum, need, side="left"))  # first position reaching the budget
        take = order[: k + 1]
        taken = n_tokens[take].astype(np.int64, copy=True)
        taken[-1] -= int(cum[k]) - need
        docs.append(take), lengths.append(taken), passes.append(np.full(take.size, p))
        need = 0
    if not docs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return (np.concatenate(docs).astype(np.int64), np.concatenate(lengths).astype(np.int64),
            np.concatenate(passes).astype(np.int64))


def plan_chunk(group: np.ndarray, doc_hash: np.ndarray, n_tokens: np.ndarray, times_used: np.ndarray,
               shares: np.ndarray, max_repeats: np.ndarray, total_tokens: int, *, seed: int,
               chunk_id: int, curve: str, decay: float) -> ChunkPlan:
    """Choose and order the document occurrences of chunk `chunk_id` holding exactly `total_tokens`.

    Per document (n,): `group` index, `doc_hash` (uint64/int64), `n_tokens`, `times_used`.
    Per group (g,): target `shares` and `max_repeats` (total uses allowed per document,
    -1 = no cap). Groups short of supply keep all they have and the deficit goes to the
    others by share; SupplyError when all of them together fall short.
    """
    group = np.asarray(group, dtype=np.int64)
    doc_hash = np.asarray(doc_hash).astype(np.uint64)
    n_tokens = np.asarray(n_tokens, dtype=np.int64)
    times_used = np.asarray(times_used, dtype=np.int64)
    n_groups = len(shares)
    cap = np.asarray(max_repeats, dtype=np.int64)[group]
    allowance = np.where(cap < 0, np.iinfo(np.int64).max, cap - times_used)
    target = split_budget(shares, total_tokens)
    budget, exhausted = target.copy(), np.zeros(n_groups, dtype=bool)
    picks: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    while True:
        for g in range(n_groups):
            members = np.flatnonzero(group == g)
            d, ln, ps = select_group(doc_hash[members], n_tokens[members], times_used[members],
                                     allowance[members], int(budget[g]), seed=seed, chunk_id=chunk_id,
                                     curve=curve, decay=decay)
            picks[g] = (members[d], ln, ps)
            if ln.sum() < budget[g]:
                exhausted[g] = True
                budget[g] = ln.sum()
        missing = total_tokens - int(budget.sum())
        if missing == 0:
            break
        open_groups = ~exhausted & (np.asarray(shares) > 0)
        if not open_groups.any():
            raise SupplyError(
                f"chunk {chunk_id} needs {total_tokens} tokens but the documents allow only "
                f"{int(budget.sum())} under mix.max_repeats; add documents or raise the caps"
            )
        budget[open_groups] += split_budget(np.asarray(shares)[open_groups], missing)
    doc = np.concatenate([picks[g][0] for g in range(n_groups)])
    length = np.concatenate([picks[g][1] for g in range(n_groups)])
    repeat = np.concatenate([picks[g][2] for g in range(n_groups)])
    order = stream_order(doc_hash[doc], repeat, seed=seed, chunk_id=chunk_id)
    return ChunkPlan(
        doc=doc[order], length=length[order], repeat=repeat[order], group=group[doc][order],
        target_tokens=target, achieved_tokens=budget,
        shortfall_tokens=np.maximum(target - budget, 0),
    )


def stream_order(doc_hash: np.ndarray, repeat: np.ndarray, *, seed: int, chunk_id: int) -> np.ndarray:
    """A seeded shuffle of occurrences that interleaves the groups (argsort of hashed keys)."""
    # Salt -1 keeps the order key independent of the selection keys of pass 0, 1, ...
    key = hash_uniform(splitmix64(doc_hash.astype(np.uint64) ^ repeat.astype(np.uint64)), seed, chunk_id, -1)
    return np.lexsort((repeat, doc_hash, key))
