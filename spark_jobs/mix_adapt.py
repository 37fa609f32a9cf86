"""Loss feedback of the mix (`mix.adapt`): chunk k's shares from chunk k-1's channel losses.

Reads `train_metrics` (the trainer's channel loss per category and log step) for chunk k-1
and the `chunks` row of k-1 (its shares, adapted or not), moves the shares by one
exponentiated-gradient step (udfs/mix_adapt.py) within `mix.adapt.min_share`/`max_share`, and
returns them with, per group, the old and new share, the loss, the reference and the reason,
which the `chunks` row keeps in `adaptation`. A group's loss is the token-weighted mean over
chunk k-1's log steps; a group with no loss there keeps its weight. Re-running chunk k re-reads
the table, so a rebuild after the trainer logged more steps of k-1 may draw other shares.
"""
from __future__ import annotations

import json

import numpy as np

from conf.schema import MixConfig
from tables.catalog import TableNotFoundError
from tables.chunk_lifecycle import read_chunk
from tables.delta_rs import read_arrow
from udfs.mix_adapt import eg_update
from udfs.mix_plan import Mixing


def channel_losses(cfg, chunk_id: int) -> dict[str, float]:
    """{category: token-weighted mean loss} over chunk `chunk_id`'s rows of train_metrics ({} = none)."""
    try:
        rows = read_arrow(cfg, "train_metrics", filters=[("chunk_id", "=", chunk_id)]).to_pylist()
    except TableNotFoundError:
        return {}
    sums: dict[str, list[float]] = {}
    for r in rows:
        if r["category"].startswith("_") or r["tokens"] <= 0:
            continue  # `_all` is the whole batch, not a group
        s = sums.setdefault(r["category"], [0.0, 0.0])
        s[0] += r["loss"] * r["tokens"]
        s[1] += r["tokens"]
    return {c: s / n for c, (s, n) in sums.items()}


def previous_shares(cfg, chunk_id: int, mixing: Mixing) -> np.ndarray:
    """Chunk `chunk_id`'s adapted shares when it has them over the same groups, else the targets."""
    row = read_chunk(cfg, chunk_id) if chunk_id >= 0 else None
    held = json.loads(row["adaptation"]).get("shares", {}) if row and row.get("adaptation") else {}
    if sorted(held) == sorted(mixing.groups):
        return np.array([held[g] for g in mixing.groups], dtype=np.float64)
    return mixing.shares


def adapt(cfg, mc: MixConfig, mixing: Mixing, chunk_id: int) -> tuple[Mixing, dict | None]:
    """(mixing with the adapted shares, the `chunks.adaptation` record); unchanged when mix.adapt is null."""
    a = mc.adapt
    if a is None:
        return mixing, None
    prev = chunk_id - 1
    losses = channel_losses(cfg, prev) if prev >= 0 else {}
    before = previous_shares(cfg, prev, mixing)
    if not any(g in losses for g in mixing.groups):
        reason = "first chunk" if prev < 0 else f"no channel loss of these groups for chunk {prev} in train_metrics"
        shares = np.clip(before, a.min_share, a.max_share)
        shares = shares / shares.sum()
        return Mixing(mixing.groups, shares, mixing.max_repeats), {
            "from_chunk": prev, "reason": reason, "shares": dict(zip(mixing.groups, shares.round(6).tolist()))}
    loss = np.array([losses.get(g, np.nan) for g in mixing.groups])
    mean = float(np.nanmean(loss))
    reference = np.array([a.reference.get(g, mean) for g in mixing.groups])
    try:
        shares = eg_update(before, loss, reference, a.eta, np.full(len(loss), a.min_share),
                           np.full(len(loss), a.max_share))
    except ValueError as exc:
        raise ValueError(f"{exc} for {len(loss)} groups ({mixing.groups}): change mix.adapt.min_share/max_share") from None
    changes = {}
    for g, b, s, l, r in zip(mixing.groups, before, shares, loss, reference):
        if np.isnan(l):
            why = "no channel loss: weight kept"
        else:
            why = (f"loss {l:.4f} {'above' if l > r else 'below' if l < r else 'at'} reference {r:.4f}"
                   + (" (held at mix.adapt.max_share)" if s >= a.max_share - 1e-12 else
                      " (held at mix.adapt.min_share)" if s <= a.min_share + 1e-12 else ""))
        changes[g] = {"from": round(float(b), 6), "to": round(float(s), 6),
                      "loss": None if np.isnan(l) else round(float(l), 6), "reference": round(float(r), 6),
                      "reason": why}
    record = {"from_chunk": prev, "eta": a.eta, "changes": changes,
              "shares": dict(zip(mixing.groups, [round(float(s), 9) for s in shares]))}
    return Mixing(mixing.groups, shares, mixing.max_repeats), record
