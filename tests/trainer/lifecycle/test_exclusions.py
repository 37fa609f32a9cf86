"""Doc ids of blamed blocks into `excluded_docs`, and the block ids a run reads back."""
from __future__ import annotations

import pytest

from conf import replace
from tables.delta_rs import exists, read_arrow
from trainer.lifecycle.exclusions import block_doc_ids, excluded_blocks, write_exclusions

from tests.trainer.fixtures import docs_from_arrays, pack_blocks, write_chunk


def _chunk(cfg, chunk_id=0):
    """Chunk of 3 blocks of 8 + 1 tokens: docs a (12 tokens), b (4), c (6), d (5) end to end (27 tokens).

    block 0 = a[0:9]; block 1 = a[9:12] b[0:4] c[0:2]; block 2 = c[2:6] d[0:5]
    """
    docs = docs_from_arrays([[1] * 12, [2] * 4, [3] * 6, [4] * 5], prefix=f"k{chunk_id}")
    write_chunk(cfg, pack_blocks(docs, seq_len=8, chunk_id=chunk_id))


@pytest.fixture
def cfg8(cfg):
    return replace(cfg, ["mix.seq_len=8"])


def test_block_doc_ids_spans_of_each_block(cfg8):
    _chunk(cfg8)
    assert block_doc_ids(cfg8, [(0, 1), (0, 2)]) == {(0, 1): ["k0-0", "k0-1", "k0-2"], (0, 2): ["k0-2", "k0-3"]}


def test_write_exclusions_one_row_per_doc_of_each_block(cfg8):
    _chunk(cfg8, 0)
    _chunk(cfg8, 1)
    assert write_exclusions(cfg8, [(1, 2), (0, 1)], reason="loss_spike", step=42, run_id="r1") == 5
    rows = read_arrow(cfg8, "excluded_docs").to_pylist()
    assert sorted((r["doc_id"], r["chunk_id"], r["block_id"]) for r in rows) == [
        ("k0-0", 0, 1), ("k0-1", 0, 1), ("k0-2", 0, 1), ("k1-2", 1, 2), ("k1-3", 1, 2)]
    assert {(r["reason"], r["step"], r["run_id"]) for r in rows} == {("loss_spike", 42, "r1")}
    assert all(r["excluded_at"].endswith("+00:00") for r in rows)


def test_write_exclusions_unknown_block_nothing_written(cfg8):
    _chunk(cfg8)
    with pytest.raises(LookupError, match=r"blocks \[\(0, 7\)\] are not in table 'blocks'"):
        write_exclusions(cfg8, [(0, 1), (0, 7)], reason="loss_spike", step=1, run_id="r1")
    assert not exists(cfg8, "excluded_docs")


def test_excluded_blocks_by_chunk_and_run(cfg8):
    _chunk(cfg8, 0)
    _chunk(cfg8, 1)
    assert excluded_blocks(cfg8, chunk_id=0) == set()  # no table yet
    write_exclusions(cfg8, [(0, 1), (1, 0)], reason="loss_spike", step=5, run_id="r1")
    write_exclusions(cfg8, [(0, 2)], reason="loss_spike", step=9, run_id="r2")
    assert excluded_blocks(cfg8, chunk_id=0) == {1, 2}
    assert excluded_blocks(cfg8, chunk_id=0, run_id="r1") == {1}
    assert excluded_blocks(cfg8, chunk_id=1, run_id="r2") == set()
