"""`chunks` rows moved by the trainer: training -> trained with step, loss, checkpoint; rolled_back."""
from __future__ import annotations

import pytest

from tables.chunk_lifecycle import ChunkTransitionError, read_chunks
from trainer.lifecycle.chunk_ledger import ChunkLedger

from tests.trainer.fixtures import write_synthetic_chunks


def _row(cfg, chunk_id):
    return next(r for r in read_chunks(cfg) if r["chunk_id"] == chunk_id)


@pytest.fixture
def two_chunks(cfg):
    write_synthetic_chunks(cfg, 2, blocks_per_chunk=2, vocab_size=16, seed=1, seq_len=8)
    return cfg


def test_start_then_finish_trained_with_run_relative_checkpoint(two_chunks, tmp_path):
    ledger = ChunkLedger(two_chunks, run_dir=tmp_path / "run")
    ledger.start(1)
    assert _row(two_chunks, 1)["status"] == "training"
    ledger.finish(1, step=120, loss=2.5, checkpoint=tmp_path / "run" / "checkpoints" / "chunk-1")
    row = _row(two_chunks, 1)
    assert (row["status"], row["step"], row["loss"], row["checkpoint"]) == ("trained", 120, 2.5, "checkpoints/chunk-1")
    assert _row(two_chunks, 0)["status"] == "ready"


def test_roll_back_then_start_again(two_chunks, tmp_path):
    ledger = ChunkLedger(two_chunks, run_dir=tmp_path)
    ledger.start(0)
    ledger.roll_back(0, step=33)
    assert (_row(two_chunks, 0)["status"], _row(two_chunks, 0)["step"]) == ("rolled_back", 33)
    ledger.start(0)
    assert _row(two_chunks, 0)["status"] == "training"


def test_start_trained_chunk_refused(two_chunks, tmp_path):
    ledger = ChunkLedger(two_chunks, run_dir=tmp_path)
    ledger.start(0)
    ledger.finish(0, step=10, loss=None, checkpoint=tmp_path / "checkpoints" / "chunk-0")
    with pytest.raises(ChunkTransitionError, match="chunk 0 cannot go from trained to training"):
        ledger.start(0)


def test_start_unknown_chunk_names_mix(two_chunks, tmp_path):
    with pytest.raises(LookupError, match="chunk 9 has no row in table 'chunks'"):
        ChunkLedger(two_chunks, run_dir=tmp_path).start(9)


def test_start_chunk_already_training_left_as_is(two_chunks, tmp_path):
    ledger = ChunkLedger(two_chunks, run_dir=tmp_path)
    ledger.start(1)
    ledger.start(1)  # resumed after a crash inside chunk 1: no second move, no error
    assert _row(two_chunks, 1)["status"] == "training"
