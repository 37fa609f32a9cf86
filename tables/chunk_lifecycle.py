"""The `chunks` status machine, moved with delta-rs (no JVM): what the trainer and mix agree on.

STAND-IN written on the trainer branch until the dedup/mix helper's version lands (same names);
the lead keeps theirs at merge.

    building ──> ready ──> training ──> trained
       ^           ^          │  ^         │
       │           │          v  │         v
       └────────── rolled_back <───────────┘

A rolled-back chunk is trained again (retry / skipped blocks / `flywheel train rollback`) or
rebuilt by the mix job (`building`, after the exclusions it caused).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tables.delta_rs import open_table

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

STATUSES = ("building", "ready", "training", "trained", "rolled_back")
_ALLOWED = {
    "building": {"ready"},
    "ready": {"building", "training"},
    "training": {"trained", "rolled_back"},
    "trained": {"rolled_back"},
    "rolled_back": {"building", "training"},
}
# Statuses a trainer may (re)start a chunk from: `training` too, for a run that resumes from the
# previous chunk's checkpoint after a crash (one trainer per warehouse owns the chunks it trains).
TRAINABLE = ("ready", "training", "rolled_back")


class ChunkTransitionError(ValueError):
    """A status move the lifecycle does not allow (e.g. trained -> training)."""


def check_transition(old: str, new: str) -> None:
    """Raise ChunkTransitionError unless `old -> new` is an allowed move."""
    for status in (old, new):
        if status not in STATUSES:
            raise ChunkTransitionError(f"unknown chunk status {status!r}; known: {', '.join(STATUSES)}")
    if new not in _ALLOWED[old]:
        raise ChunkTransitionError(f"chunk status cannot move {old} -> {new}; from {old} it may move to "
                                   f"{', '.join(sorted(_ALLOWED[old]))}")


def read_chunks(cfg: PipelineConfig) -> list[dict]:
    """Every `chunks` row as a dict, ordered by chunk_id."""
    rows = open_table(cfg, "chunks").to_pyarrow_table().to_pylist()
    return sorted(rows, key=lambda r: r["chunk_id"])


def _sql(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def set_status(cfg: PipelineConfig, chunk_id: int, new: str, **fields: Any) -> dict:
    """Move chunk `chunk_id` to status `new` (validated) and set `fields`; returns the updated row."""
    table = open_table(cfg, "chunks")
    rows = [r for r in read_chunks(cfg) if r["chunk_id"] == chunk_id]
    if not rows:
        raise LookupError(f"no chunk {chunk_id} in the chunks table: run `flywheel mix` to build it")
    check_transition(rows[0]["status"], new)
    updates = {"status": _sql(new), **{name: _sql(value) for name, value in fields.items()}}
    table.update(updates=updates, predicate=f"chunk_id = {int(chunk_id)}")
    return {**rows[0], "status": new, **fields}


def next_ready(cfg: PipelineConfig, after: int | None = None) -> int | None:
    """Smallest trainable (ready, training or rolled_back) chunk id greater than `after`; None if none."""
    ids = [r["chunk_id"] for r in read_chunks(cfg) if r["status"] in TRAINABLE
           and (after is None or r["chunk_id"] > after)]
    return min(ids) if ids else None
