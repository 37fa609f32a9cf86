"""The life of a chunk in the `chunks` table, read and moved with delta-rs (no JVM).

    building ──mix──▶ ready ──trainer──▶ training ──▶ trained
        ▲               │                  │   ▲         │
        └──mix rebuild──┘                  ▼   │         │ rollback by hand
                                         rolled_back ◀───┘

The mix job inserts a chunk as `building` and moves it to `ready` once its blocks and usage
are written; re-running the mix on a `ready` chunk moves it back to `building` first, so no
trainer starts it half rebuilt. The trainer moves `ready → training → trained`, and on a
loss spike `training → rolled_back`, then `rolled_back → training` when it retries the chunk;
`flywheel train rollback --to-chunk k` takes a `trained` chunk back to `rolled_back`. A chunk
the trainer has started is never rebuilt. Every other move is refused.

Each move is one delta-rs UPDATE whose predicate holds the status it was read in
(`chunk_id = k AND status = 'old'`): Spark and delta-rs commits to the table serialise
through the Delta log, so when another writer moved the chunk first the UPDATE matches no
row and `set_status` raises instead of overwriting that move. One move takes ~13 ms on a
local table (delta-rs 1.6.6).
"""
from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from conf.errors import UserError
from tables.catalog import table_def
from tables.delta_rs import open_table, read_arrow

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

TABLE = "chunks"
STATUSES = ("building", "ready", "training", "trained", "rolled_back")
# Statuses a trainer may (re)start a chunk from: `training` too, for a run that crashed inside the
# chunk and resumes from the previous chunk's checkpoint (one trainer owns a warehouse's chunks).
TRAINABLE = ("ready", "training", "rolled_back")

# (from, to) -> who makes the move and why. The only moves there are.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("building", "ready"): "mix: the chunk's blocks and usage are written",
    ("ready", "building"): "mix: a chunk not yet trained on is rebuilt",
    ("ready", "training"): "trainer: starts the chunk",
    ("training", "trained"): "trainer: finished the chunk and wrote its chunk-<k> checkpoint",
    ("training", "rolled_back"): "trainer: loss spike, back to the last chunk checkpoint",
    ("rolled_back", "training"): "trainer: retries the chunk",
    ("trained", "rolled_back"): "flywheel train rollback --to-chunk k",
}

# Columns a move may set besides the status; the rest (chunk_id, the plan) belong to the mix.
_KEY_COLUMNS = ("chunk_id", "status")


class ChunkTransitionError(UserError):
    """A status move the lifecycle does not allow, or one another writer made first."""

    def __init__(self, message: str, chunk_id: int | None, old: str, new: str):
        super().__init__(message)
        self.chunk_id, self.old, self.new = chunk_id, old, new


class ChunkNotFoundError(UserError, LookupError):
    """The `chunks` table has no row for the chunk id."""


def check_transition(old: str, new: str, chunk_id: int | None = None) -> None:
    """Raise ChunkTransitionError unless `old → new` is one of TRANSITIONS."""
    name = "a chunk" if chunk_id is None else f"chunk {chunk_id}"
    for status in (old, new):
        if status not in STATUSES:
            raise ChunkTransitionError(f"{name}: unknown status {status!r}; statuses are {', '.join(STATUSES)}",
                                       chunk_id, old, new)
    if (old, new) not in TRANSITIONS:
        allowed = sorted(to for (frm, to) in TRANSITIONS if frm == old)
        raise ChunkTransitionError(
            f"{name} cannot go from {old} to {new} (from {old} it may go to: {', '.join(allowed) or 'nothing'})",
            chunk_id, old, new)


def read_chunks(cfg: PipelineConfig) -> list[dict]:
    """Every `chunks` row as a dict, by chunk_id; TableNotFoundError before the first mix."""
    rows = read_arrow(cfg, TABLE).to_pylist()
    return sorted(rows, key=lambda r: r["chunk_id"])


def read_chunk(cfg: PipelineConfig, chunk_id: int) -> dict | None:
    """The `chunks` row of `chunk_id`, or None."""
    rows = read_arrow(cfg, TABLE, filters=[("chunk_id", "=", chunk_id)]).to_pylist()
    return rows[0] if rows else None


def next_ready(cfg: PipelineConfig, after: int | None = None) -> int | None:
    """The smallest `ready` chunk id above `after` (any when None); None while the mix has none."""
    ready = [r["chunk_id"] for r in read_chunks(cfg)
             if r["status"] == "ready" and (after is None or r["chunk_id"] > after)]
    return min(ready) if ready else None


def next_trainable(cfg: PipelineConfig, after: int | None = None) -> int | None:
    """The smallest chunk id above `after` whose status is in TRAINABLE; None while there is none."""
    ids = [r["chunk_id"] for r in read_chunks(cfg)
           if r["status"] in TRAINABLE and (after is None or r["chunk_id"] > after)]
    return min(ids) if ids else None


def set_status(cfg: PipelineConfig, chunk_id: int, new: str, **fields) -> int:
    """Move chunk `chunk_id` to status `new`, setting `fields` (e.g. step, loss, checkpoint) in the
    same commit; returns the table version of that commit.

    Raises ChunkNotFoundError without a row, ChunkTransitionError for a move TRANSITIONS does not
    hold or when another writer changed the chunk's status since it was read, and ValueError for
    a field that is not a column the move may set or a value not of the column's type.
    """
    columns = {c.name: c for c in table_def(TABLE).columns}
    bad = sorted(f for f in fields if f not in columns or f in _KEY_COLUMNS)
    if bad:
        raise ValueError(f"set_status: {bad} are not columns a status move sets; "
                         f"allowed: {[c for c in columns if c not in _KEY_COLUMNS]}")
    updates = {name: _sql_literal(value, columns[name]) for name, value in {"status": new, **fields}.items()}
    table = open_table(cfg, TABLE)
    rows = read_arrow(cfg, TABLE, table.version(), columns=["status"], filters=[("chunk_id", "=", chunk_id)]).to_pylist()
    if not rows:
        raise ChunkNotFoundError(f"chunk {chunk_id} has no row in table {TABLE!r}: run flywheel mix to build it")
    old = rows[0]["status"]
    check_transition(old, new, chunk_id)
    predicate = f"chunk_id = {int(chunk_id)} AND status = {_sql_literal(old, columns['status'])}"
    metrics = table.update(updates=updates, predicate=predicate)
    if metrics["num_updated_rows"] != 1:
        now = read_chunk(cfg, chunk_id)
        raise ChunkTransitionError(
            f"chunk {chunk_id} moved from {old} to {now['status'] if now else 'gone'} while it was set to {new}; "
            f"read the chunk again", chunk_id, old, new)
    return table.version()


_PYTHON_TYPES = {"string": (str,), "int": (numbers.Integral,), "long": (numbers.Integral,),
                 "double": (numbers.Real,), "bool": (bool,)}


def _sql_literal(value, column) -> str:
    """A SQL literal for delta-rs UPDATE of `column` (a catalog Column), type-checked first:
    delta-rs would cast 3.5 into a long column as 3 without a word, and its `new_values`
    takes no None and does not escape quotes."""
    wanted = _PYTHON_TYPES[column.dtype]
    if value is None:
        if not column.nullable:
            raise ValueError(f"set_status: column {column.name!r} cannot be null")
        return "NULL"
    if not isinstance(value, wanted) or (isinstance(value, bool) and column.dtype != "bool"):
        raise ValueError(f"set_status: column {column.name!r} is {column.dtype}, got {type(value).__name__} {value!r}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):  # numpy integers too
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        # A diverged loss is NaN or inf: SQL has no literal for them, a cast from text does.
        return repr(value) if math.isfinite(value) else f"CAST('{value}' AS DOUBLE)"
    return "'" + value.replace("'", "''") + "'"
