"""Chunk lifecycle: the transition table against a hand-written golden list, and status moves on a
real Delta table through delta-rs (no JVM), read back with a plain `deltalake.DeltaTable`."""
from __future__ import annotations

import math

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from tables import chunk_lifecycle as lc
from tables.catalog import TableNotFoundError
from tables.delta_rs import append, read_arrow

# Written out by hand from the lifecycle (mix: build and rebuild; trainer: run, spike, retry;
# rollback by hand). Not derived from lc.TRANSITIONS.
ALLOWED = {
    ("building", "ready"), ("ready", "building"),
    ("ready", "training"), ("training", "trained"), ("training", "rolled_back"),
    ("rolled_back", "training"), ("trained", "rolled_back"),
}
REFUSED = [
    ("building", "training"),  # the trainer never starts a chunk the mix is still writing
    ("building", "trained"), ("ready", "trained"), ("ready", "rolled_back"),
    ("training", "ready"), ("training", "building"),  # mix never rebuilds a started chunk
    ("trained", "ready"), ("trained", "building"), ("trained", "training"),
    ("rolled_back", "ready"), ("rolled_back", "trained"), ("rolled_back", "building"),
    ("ready", "ready"), ("trained", "trained"),
]


def test_transitions_golden_allowed_set_exactly():
    assert set(lc.TRANSITIONS) == ALLOWED
    assert lc.STATUSES == ("building", "ready", "training", "trained", "rolled_back")


@pytest.mark.parametrize("old,new", sorted(ALLOWED))
def test_check_transition_allowed_pair_passes(old, new):
    lc.check_transition(old, new, chunk_id=3)


@pytest.mark.parametrize("old,new", REFUSED)
def test_check_transition_refused_pair_names_chunk_and_both_statuses(old, new):
    with pytest.raises(lc.ChunkTransitionError, match=f"chunk 7 cannot go from {old} to {new}") as err:
        lc.check_transition(old, new, chunk_id=7)
    assert (err.value.chunk_id, err.value.old, err.value.new) == (7, old, new)


def test_check_transition_every_pair_outside_golden_refused():
    for old in lc.STATUSES:
        for new in lc.STATUSES:
            if (old, new) not in ALLOWED:
                with pytest.raises(lc.ChunkTransitionError):
                    lc.check_transition(old, new)


def test_check_transition_unknown_status_lists_the_statuses():
    with pytest.raises(lc.ChunkTransitionError, match="unknown status 'done'.*rolled_back"):
        lc.check_transition("training", "done", chunk_id=1)


def _row(chunk_id: int, status: str) -> dict:
    return dict(chunk_id=chunk_id, tokens=128, blocks=2, target_shares="{}", achieved_shares="{}", status=status,
                seed=1, tokenizer_version="v1", checkpoint=None, seq_len=63, shortfall="{}", repetition="{}",
                usage_version=0, step=None, loss=None, phase=None, quality_floor=None, layout=None, adaptation=None)


@pytest.fixture
def chunks(cfg):
    """A real `chunks` Delta table (declared schema, written by delta-rs) with four chunks."""
    append(cfg, "chunks", pa.Table.from_pylist(
        [_row(0, "trained"), _row(1, "ready"), _row(2, "building"), _row(3, "ready")]))
    return cfg


def _plain(cfg) -> dict[int, dict]:
    """The table read back through delta-rs, not through the module under test."""
    rows = read_arrow(cfg, "chunks").to_pylist()
    return {r["chunk_id"]: r for r in rows}


def test_set_status_training_then_trained_writes_fields_and_leaves_others(chunks):
    before = _plain(chunks)
    v1 = lc.set_status(chunks, 1, "training")
    v2 = lc.set_status(chunks, 1, "trained", step=40, loss=2.5, checkpoint="checkpoints/chunk-1")
    after = _plain(chunks)
    assert v2 == v1 + 1
    assert {k: after[1][k] for k in ("status", "step", "loss", "checkpoint")} == {
        "status": "trained", "step": 40, "loss": 2.5, "checkpoint": "checkpoints/chunk-1"}
    assert {k: after[k] for k in (0, 2, 3)} == {k: before[k] for k in (0, 2, 3)}
    ops = [h["operation"] for h in DeltaTable(f"{chunks.spark.warehouse}/chunks").history(2)]
    assert ops == ["UPDATE", "UPDATE"]


def test_set_status_refused_move_commits_nothing(chunks):
    version = DeltaTable(f"{chunks.spark.warehouse}/chunks").version()
    with pytest.raises(lc.ChunkTransitionError, match="chunk 2 cannot go from building to training"):
        lc.set_status(chunks, 2, "training")
    assert DeltaTable(f"{chunks.spark.warehouse}/chunks").version() == version
    assert _plain(chunks)[2]["status"] == "building"


def test_set_status_spike_then_retry_and_manual_rollback(chunks):
    lc.set_status(chunks, 3, "training")
    lc.set_status(chunks, 3, "rolled_back", step=17, loss=float("nan"))
    lc.set_status(chunks, 3, "training")
    lc.set_status(chunks, 0, "rolled_back")
    rows = _plain(chunks)
    assert rows[3]["status"] == "training" and rows[3]["step"] == 17 and math.isnan(rows[3]["loss"])
    assert rows[0]["status"] == "rolled_back"


def test_set_status_quote_in_text_kept_verbatim(chunks):
    lc.set_status(chunks, 1, "training")
    lc.set_status(chunks, 1, "trained", checkpoint="runs/o'brien/chunk-1")
    assert _plain(chunks)[1]["checkpoint"] == "runs/o'brien/chunk-1"


def test_set_status_wrong_field_or_type_names_it(chunks):
    with pytest.raises(ValueError, match=r"\['status'\] are not columns"):
        lc.set_status(chunks, 1, "training", status="trained")
    with pytest.raises(ValueError, match="'stepp'"):
        lc.set_status(chunks, 1, "training", stepp=3)
    with pytest.raises(ValueError, match="column 'step' is long, got float 3.5"):
        lc.set_status(chunks, 1, "training", step=3.5)
    assert _plain(chunks)[1]["status"] == "ready"


def test_set_status_missing_chunk_says_run_mix(chunks):
    with pytest.raises(lc.ChunkNotFoundError, match="chunk 9 has no row.*flywheel mix"):
        lc.set_status(chunks, 9, "ready")


def test_next_ready_smallest_ready_after(chunks):
    assert lc.next_ready(chunks) == 1
    assert lc.next_ready(chunks, after=1) == 3
    assert lc.next_ready(chunks, after=3) is None
    lc.set_status(chunks, 1, "training")
    assert lc.next_ready(chunks) == 3


def test_read_chunks_rows_by_chunk_id(chunks):
    rows = lc.read_chunks(chunks)
    assert [(r["chunk_id"], r["status"]) for r in rows] == [(0, "trained"), (1, "ready"), (2, "building"), (3, "ready")]
    assert lc.read_chunk(chunks, 2)["status"] == "building" and lc.read_chunk(chunks, 5) is None


def test_read_chunks_before_first_mix_table_not_found(cfg):
    with pytest.raises(TableNotFoundError, match="chunks"):
        lc.read_chunks(cfg)
