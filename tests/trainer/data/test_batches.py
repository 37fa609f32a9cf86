"""Labels, positions and category ids from doc spans, against a per-token reference written here."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tables.catalog import BLOCKS
from trainer.data.batches import IGNORE_INDEX, NO_CATEGORY, BlockFormatError, from_arrow, prepare

CATEGORIES = ["code", "news", "web"]


@st.composite
def block_rows(draw):
    """1-5 blocks of seq_len + 1 tokens, each tiled by 1..n random doc spans."""
    seq_len = draw(st.integers(1, 24))
    rows = []
    for b in range(draw(st.integers(1, 5))):
        cuts = sorted(draw(st.sets(st.integers(1, seq_len), max_size=seq_len)))
        starts = [0, *cuts]
        lengths = [e - s for s, e in zip(starts, [*cuts, seq_len + 1])]
        rows.append({"chunk_id": 0, "block_id": 10 + b,
                     "tokens": draw(st.lists(st.integers(0, 999), min_size=seq_len + 1, max_size=seq_len + 1)),
                     "doc_ids": [f"d{b}-{i}" for i in range(len(starts))], "doc_starts": starts,
                     "doc_lengths": lengths, "doc_offsets": [0] * len(starts),
                     "doc_categories": draw(st.lists(st.sampled_from(CATEGORIES), min_size=len(starts),
                                                     max_size=len(starts)))})
    return seq_len, rows


def reference(row: dict, seq_len: int) -> tuple[list, list, list, list]:
    """One block the slow way: find each token's span by scanning the spans."""
    inputs, labels, positions, cats = [], [], [], []
    for i in range(seq_len):
        span = max(k for k, s in enumerate(row["doc_starts"]) if s <= i)
        next_starts_span = (i + 1) in row["doc_starts"]
        inputs.append(row["tokens"][i])
        positions.append(i - row["doc_starts"][span])
        labels.append(IGNORE_INDEX if next_starts_span else row["tokens"][i + 1])
        cats.append(NO_CATEGORY if next_starts_span else CATEGORIES.index(row["doc_categories"][span]))
    return inputs, labels, positions, cats


def record_batch(rows: list[dict]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist(rows, schema=BLOCKS.arrow_schema())


@settings(max_examples=100, deadline=None)
@given(block_rows())
def test_prepare_random_spans_match_per_token_reference(case):
    seq_len, rows = case
    tokens, spans = from_arrow(record_batch(rows), seq_len + 1, pa.array(CATEGORIES))
    got = prepare(tokens, spans)
    for b, row in enumerate(rows):
        inputs, labels, positions, cats = reference(row, seq_len)
        assert got.inputs[b].tolist() == inputs
        assert got.labels[b].tolist() == labels
        assert got.positions[b].tolist() == positions
        assert got.category_ids[b].tolist() == cats
    assert {a.dtype for a in (got.inputs, got.labels, got.positions, got.category_ids)} == {np.dtype(np.int64)}


@settings(max_examples=100, deadline=None)
@given(block_rows(), st.data())
def test_from_arrow_sliced_batch_reads_only_its_rows(case, data):
    seq_len, rows = case
    start = data.draw(st.integers(0, len(rows) - 1))
    stop = data.draw(st.integers(start + 1, len(rows)))
    sliced = from_arrow(record_batch(rows).slice(start, stop - start), seq_len + 1, pa.array(CATEGORIES))
    alone = from_arrow(record_batch(rows[start:stop]), seq_len + 1, pa.array(CATEGORIES))
    assert sliced[0].tolist() == alone[0].tolist()
    assert prepare(*sliced).labels.tolist() == prepare(*alone).labels.tolist()


def test_prepare_packed_block_every_doc_restarts_at_zero():
    # Block of 8 tokens: a doc continued from the previous block (3 tokens), one of 4, one cut after 1.
    row = {"chunk_id": 0, "block_id": 0, "tokens": [11, 12, 0, 21, 22, 23, 0, 31], "doc_ids": ["a", "b", "c"],
           "doc_starts": [0, 3, 7], "doc_lengths": [3, 4, 1], "doc_offsets": [5, 0, 0],
           "doc_categories": ["web", "code", "web"]}
    got = prepare(*from_arrow(record_batch([row]), 8, pa.array(CATEGORIES)))
    assert got.positions.tolist() == [[0, 1, 2, 0, 1, 2, 3]]
    assert got.labels.tolist() == [[12, 0, -100, 22, 23, 0, -100]]
    assert got.category_ids.tolist() == [[2, 2, -1, 0, 0, 0, -1]]


def _row(**changes) -> dict:
    row = {"chunk_id": 0, "block_id": 7, "tokens": [1, 2, 3, 4, 5], "doc_ids": ["a", "b"], "doc_starts": [0, 2],
           "doc_lengths": [2, 3], "doc_offsets": [0, 0], "doc_categories": ["web", "web"]}
    return {**row, **changes}


@pytest.mark.parametrize("changes, message", [
    ({"tokens": [1, 2, 3, 4]}, "block 8 holds 4 tokens, expected 5"),
    ({"doc_starts": [0, 3]}, "block 8: doc spans"),
    ({"doc_lengths": [2, 2]}, "block 8: doc spans"),
    ({"doc_starts": [1, 2]}, "block 8: doc spans"),
    ({"doc_starts": [], "doc_lengths": [], "doc_ids": [], "doc_offsets": [], "doc_categories": []},
     "block 8: doc spans"),
    ({"doc_categories": ["web"]}, "not as many doc_categories"),
    ({"doc_categories": ["web", "poetry"]}, "missing from the chunk's category list"),
])
def test_from_arrow_malformed_block_raises_block_format_error(changes, message):
    with pytest.raises(BlockFormatError, match=message):
        from_arrow(record_batch([_row(), _row(block_id=8, **changes)]), 5, pa.array(CATEGORIES))
