"""Every kept block goes to exactly one rank; ranks get equal whole batches; excluded blocks to none."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.data.sharding import shard_rows


@settings(max_examples=200, deadline=None)
@given(n_blocks=st.integers(0, 60), world=st.integers(1, 5), batch=st.integers(1, 4), data=st.data())
def test_shard_rows_ranks_partition_kept_rows_in_equal_whole_batches(n_blocks, world, batch, data):
    block_ids = np.array(data.draw(st.permutations(range(1000, 1000 + n_blocks))), dtype=np.int64)
    excluded = np.array(data.draw(st.lists(st.sampled_from(block_ids.tolist()), unique=True))
                        if n_blocks else [], dtype=np.int64)
    shards = [shard_rows(block_ids, excluded, r, world, batch) for r in range(world)]
    kept_rows = [i for i, b in enumerate(block_ids) if b not in set(excluded.tolist())]
    steps = len(kept_rows) // (world * batch)
    assert {s.steps for s in shards} == {steps}
    assert all(len(s.rows) == steps * batch for s in shards)
    # Rank r holds the r-th contiguous run of the kept rows, ascending; together: all but the tail.
    assert np.concatenate([s.rows for s in shards]).tolist() == kept_rows[:steps * batch * world]
    assert shards[0].left_over == len(kept_rows) - steps * batch * world < world * batch
    assert shards[0].excluded == len(excluded)


def test_shard_rows_rank_outside_world_raises():
    with pytest.raises(ValueError, match="dp rank 2 is outside a dp world of 2"):
        shard_rows(np.arange(4), np.zeros(0, np.int64), 2, 2, 1)
