"""Tests for udfs.packing: cutting a document stream into blocks with doc spans."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.packing import block_slices, pack_tokens, plan_pieces


def test_plan_pieces_golden_doc_crossing_block_boundary():
    # stream: doc0 = 5 tokens, doc1 = 4 tokens, doc2 = 3 tokens; blocks of 4
    p = plan_pieces(np.array([5, 4, 3]), block_len=4)
    assert p.n_blocks == 3
    assert list(zip(p.block.tolist(), p.doc.tolist(), p.start.tolist(), p.length.tolist(),
                    p.doc_offset.tolist())) == [
        (0, 0, 0, 4, 0),
        (1, 0, 0, 1, 4), (1, 1, 1, 3, 0),
        (2, 1, 0, 1, 3), (2, 2, 1, 3, 0),
    ]
    assert block_slices(p).tolist() == [0, 1, 3, 5]


def test_plan_pieces_partial_last_block_raises():
    with pytest.raises(ValueError, match="2 left over"):
        plan_pieces(np.array([3, 3]), block_len=4)


def test_plan_pieces_empty_doc_raises():
    with pytest.raises(ValueError, match="at least one token"):
        plan_pieces(np.array([4, 0]), block_len=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=40), st.integers(1, 17))
def test_plan_pieces_spans_rebuild_the_stream(lengths, block_len):
    lengths = np.array(lengths)
    extra = -lengths.sum() % block_len
    lengths[-1] += extra  # make the total a whole number of blocks, as the mixer does
    doc_of_token = np.repeat(np.arange(len(lengths)), lengths)
    pos_in_doc = np.concatenate([np.arange(n) for n in lengths])
    blocks = pack_tokens(doc_of_token * 1000 + pos_in_doc, block_len)
    p = plan_pieces(lengths, block_len)
    for b, s, n, d, off in zip(p.block, p.start, p.length, p.doc, p.doc_offset):
        assert blocks[b, s:s + n].tolist() == (d * 1000 + np.arange(off, off + n)).tolist()
    per_block = np.bincount(p.block, weights=p.length, minlength=p.n_blocks)
    assert (per_block == block_len).all()
    assert (np.bincount(p.doc, weights=p.length) == lengths).all()
