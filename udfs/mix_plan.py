"""Plan one chunk of the mix from the candidates' metadata (numpy + pyarrow, no Spark).

The candidates are one Arrow table, one row per tokenized document sorted by doc_id, with
columns doc_id, category, lang, n_tokens, times_used and doc_hash (xxhash64 of doc_id), a
few dozen bytes a document besides its id. From them this module
decides everything about a chunk but its token ids: the groups and their shares, which
document occurrences fill the chunk in which order (udfs/sampling.py), where each piece
lands in which block (udfs/packing.py), the increments of `usage`, and the summary of
target vs achieved shares that the `chunks` row records.

Last-partial-block rule: a chunk holds exactly floor(chunk_tokens / (seq_len + 1)) full
blocks; the partial block is never made, so no block carries padding.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from udfs.packing import plan_pieces
from udfs.sampling import ChunkPlan, assign_groups, plan_chunk


class MixSettings(Protocol):
    """What the planner reads from `cfg.mix` (conf.schema.MixConfig)."""

    target_shares: dict[str, float]
    chunk_tokens: int
    seq_len: int
    seed: int
    usage_curve: str
    usage_decay: float
    max_repeats: dict[str, int]
    default_max_repeats: int | None


@dataclass(frozen=True)
class Mixing:
    """What the plan needs besides the documents: group names, shares and caps, in one order."""

    groups: list[str]
    shares: np.ndarray
    max_repeats: np.ndarray  # -1 = no cap


def chunk_size(mc: MixSettings) -> tuple[int, int]:
    """(tokens, block_len) of every chunk: chunk_tokens rounded down to whole blocks of seq_len + 1."""
    block_len = mc.seq_len + 1
    total = mc.chunk_tokens // block_len * block_len
    if total == 0:
        raise ValueError(f"mix.chunk_tokens={mc.chunk_tokens} is less than one block of "
                         f"mix.seq_len + 1 = {block_len} tokens")
    return total, block_len


def leave_out(cands: pa.Table, doc_ids: pa.Array | list[str]) -> tuple[pa.Table, int]:
    """(candidates without `doc_ids`, how many candidates that removed); order kept."""
    drop = pc.is_in(cands.column("doc_id"), value_set=pa.array(doc_ids, pa.string()))
    return cands.filter(pc.invert(drop)), int(pc.sum(drop).as_py() or 0)


def mixing_for(mc: MixSettings, cands: pa.Table) -> Mixing:
    """Groups and shares from `mix.target_shares`; {} = one group per category, shares as supplied."""
    if mc.target_shares:
        groups = sorted(mc.target_shares)
        shares = np.array([mc.target_shares[g] for g in groups], dtype=np.float64)
        if (shares < 0).any() or shares.sum() <= 0:
            raise ValueError(f"mix.target_shares must be >= 0 with a positive sum, got {mc.target_shares}")
    else:
        supply = cands.group_by("category").aggregate([("n_tokens", "sum")]).sort_by("category")
        groups = supply.column("category").to_pylist()
        shares = supply.column("n_tokens_sum").to_numpy().astype(np.float64)
    unknown = sorted(set(mc.max_repeats) - set(groups))
    if unknown:
        raise ValueError(f"mix.max_repeats names groups that are not in the mix: {unknown} (groups: {groups})")
    default = -1 if mc.default_max_repeats is None else mc.default_max_repeats
    caps = np.array([mc.max_repeats.get(g, default) for g in groups], dtype=np.int64)
    return Mixing(groups, shares / shares.sum(), caps)


def plan_for(cands: pa.Table, mixing: Mixing, mc: MixSettings, chunk_id: int) -> tuple[ChunkPlan, np.ndarray]:
    """(plan over the candidates that fall in a group, their row indices in `cands`)."""
    total, _ = chunk_size(mc)
    group = assign_groups(cands.column("category"), cands.column("lang"), mixing.groups)
    rows = np.flatnonzero(group >= 0)
    plan = plan_chunk(
        group[rows], cands.column("doc_hash").to_numpy()[rows], cands.column("n_tokens").to_numpy()[rows],
        cands.column("times_used").to_numpy()[rows], mixing.shares, mixing.max_repeats, total,
        seed=mc.seed, chunk_id=chunk_id, curve=mc.usage_curve, decay=mc.usage_decay,
    )
    return plan, rows


def pieces_table(cands: pa.Table, plan: ChunkPlan, rows: np.ndarray, block_len: int) -> pa.Table:
    """One row per piece of a document inside a block: where its tokens come from and go."""
    p = plan_pieces(plan.length, block_len)
    take = pa.array(rows[plan.doc[p.doc]])
    return pa.table({
        "doc_id": cands.column("doc_id").take(take), "category": cands.column("category").take(take),
        "block_id": pa.array(p.block, pa.int64()), "start": pa.array(p.start, pa.int32()),
        "length": pa.array(p.length, pa.int32()), "doc_offset": pa.array(p.doc_offset, pa.int32()),
    })


def usage_updates(cands: pa.Table, plan: ChunkPlan, rows: np.ndarray) -> pa.Table:
    """(doc_id, uses, tokens) of every document in the chunk: the increments of `usage`."""
    idx = rows[plan.doc]
    docs, inverse = np.unique(idx, return_inverse=True)
    return pa.table({
        "doc_id": cands.column("doc_id").take(pa.array(docs)),
        "uses": pa.array(np.bincount(inverse), pa.int64()),
        "tokens": pa.array(np.bincount(inverse, weights=plan.length).astype(np.int64), pa.int64()),
    })


def chunk_summary(cands: pa.Table, plan: ChunkPlan, rows: np.ndarray, mixing: Mixing, top: int) -> dict:
    """Target vs achieved shares, shortfall, repetition and the most reused documents."""
    total = int(plan.length.sum())
    used_before = cands.column("times_used").to_numpy()[rows][plan.doc]
    summary = {"groups": {}, "tokens": total, "top_reused": []}
    for g, name in enumerate(mixing.groups):
        sel = plan.group == g
        summary["groups"][name] = {
            "target_share": round(float(mixing.shares[g]), 6),
            "achieved_share": round(float(plan.achieved_tokens[g]) / total, 6),
            "shortfall_tokens": int(plan.shortfall_tokens[g]),
            "occurrences": int(sel.sum()),
            "upsampled": int((plan.repeat[sel] > 0).sum()),
            "reused": int((used_before[sel] > 0).sum()),
        }
    idx = rows[plan.doc]
    docs, inverse = np.unique(idx, return_inverse=True)
    after = cands.column("times_used").to_numpy()[docs] + np.bincount(inverse)
    best = np.lexsort((docs, -after))[:top]  # most used first, ties by doc_id order
    doc_ids = cands.column("doc_id").take(pa.array(docs[best])).to_pylist()
    summary["top_reused"] = [{"doc_id": d, "times_used": int(n)} for d, n in zip(doc_ids, after[best]) if n > 1]
    return summary
