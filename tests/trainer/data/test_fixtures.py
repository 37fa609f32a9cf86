"""The trainer fixtures write what the mix job writes: whole blocks with their doc spans, ready chunks."""
from __future__ import annotations

import numpy as np
import pytest

from tables.delta_rs import read_arrow
from tests.trainer.fixtures import (
    EOS_ID, docs_from_arrays, garbage_tokens, pack_blocks, read_blocks, replace_block, successor_maps,
    synthetic_docs, write_synthetic_chunks)


def test_pack_blocks_three_docs_spans_as_cut_by_hand():
    docs = docs_from_arrays([[1, 2, 3, 0], [4, 5, 6, 7, 8, 9, 0], [1] * 21 + [0]], ["a", "b", "a"])
    rows = pack_blocks(docs, seq_len=7, chunk_id=3).to_pylist()
    # 33 tokens in blocks of 8 -> 4 blocks; the last token (doc-2's EOS) is left out.
    assert [r["tokens"] for r in rows] == [[1, 2, 3, 0, 4, 5, 6, 7], [8, 9, 0, 1, 1, 1, 1, 1],
                                           [1] * 8, [1] * 8]
    assert rows[1]["doc_ids"] == ["doc-1", "doc-2"]
    assert (rows[1]["doc_starts"], rows[1]["doc_lengths"], rows[1]["doc_offsets"]) == ([0, 3], [3, 5], [4, 0])
    assert (rows[3]["doc_starts"], rows[3]["doc_offsets"], rows[3]["doc_categories"]) == ([0], [13], ["a"])
    assert {r["chunk_id"] for r in rows} == {3} and [r["block_id"] for r in rows] == [0, 1, 2, 3]


def test_pack_blocks_too_few_tokens_raises():
    with pytest.raises(ValueError, match="fill 0 blocks"):
        pack_blocks(docs_from_arrays([[1, 0]]), seq_len=7, chunk_id=0)


def test_synthetic_docs_walk_successor_map_and_end_in_eos():
    docs = synthetic_docs(20, vocab_size=40, seed=1, categories=("x", "y"), min_tokens=5, max_tokens=9)
    maps = successor_maps(40, ("x", "y"), seed=0)
    for d in docs:
        assert 5 <= len(d.tokens) <= 9 and d.tokens[-1] == EOS_ID and (d.tokens[:-1] > 0).all()
        assert (maps[d.category][d.tokens[:-2]] == d.tokens[1:-1]).all()


def test_write_synthetic_chunks_blocks_and_ready_rows_read_back(cfg):
    chunks = write_synthetic_chunks(cfg, 2, blocks_per_chunk=6, vocab_size=50, seed=3, seq_len=15, rows_per_file=4)
    for ch in chunks:
        stored = read_blocks(cfg, ch.chunk_id)
        assert stored.num_rows == 6 and stored.to_pylist() == ch.blocks.to_pylist()
        assert all(len(t) == 16 for t in stored.column("tokens").to_pylist())
    rows = sorted(read_arrow(cfg, "chunks").to_pylist(), key=lambda r: r["chunk_id"])
    assert [(r["chunk_id"], r["status"], r["blocks"], r["tokens"], r["seq_len"]) for r in rows] == [
        (0, "ready", 6, 96, 15), (1, "ready", 6, 96, 15)]
    # Two files per chunk (4 + 2 rows): four appends and the table's creation -> version 3.
    assert chunks[1].version == 3


def test_replace_block_garbage_single_doc():
    blocks = pack_blocks(synthetic_docs(30, vocab_size=50, seed=2), seq_len=15, chunk_id=0)
    junk = garbage_tokens(15, 50, seed=9)
    row = replace_block(blocks, 2, junk, doc_id="junk").to_pylist()[2]
    assert row["tokens"] == junk.tolist() and row["doc_ids"] == ["junk"] and row["doc_lengths"] == [16]
    assert np.all((junk >= 1) & (junk < 50))
