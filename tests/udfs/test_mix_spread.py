"""Near-duplicates kept apart: properties over random streams, checked against the rule directly."""
import numpy as np
from hypothesis import given, settings, strategies as st

from udfs.mix_spread import duplicate_gaps, spread


def blocks_of(starts, lengths, block_len):
    return set(range(starts // block_len, (starts + lengths - 1) // block_len + 1))


def check(order, lengths, cluster, block_len):
    """(pairs sharing a block, smallest gap) of consecutive same-cluster occurrences, computed by hand."""
    ln = lengths[order]
    starts = np.concatenate(([0], np.cumsum(ln)[:-1]))
    seen, shared, gaps = {}, 0, []
    for k, o in enumerate(order):
        c = cluster[o]
        if c < 0:
            continue
        for j in seen.get(c, []):
            shared += bool(blocks_of(starts[k], ln[k], block_len) & blocks_of(starts[j], ln[j], block_len))
        if seen.get(c):
            j = seen[c][-1]
            gaps.append(starts[k] - starts[j] - ln[j])
        seen.setdefault(c, []).append(k)
    return shared, min(gaps) if gaps else None


@st.composite
def streams(draw, fillers_per_dup=6, min_filler=1):
    n_dup = draw(st.integers(0, 12))
    n = n_dup * (fillers_per_dup + 1) + draw(st.integers(1, 10))
    lengths = np.array(draw(st.lists(st.integers(1, 40), min_size=n, max_size=n)), dtype=np.int64)
    cluster = np.full(n, -1, dtype=np.int64)
    pos = draw(st.permutations(range(n)))[:n_dup]
    for k, p in enumerate(pos):
        cluster[p] = k % max(1, n_dup // 2)  # clusters of about two members
    lengths[cluster < 0] = np.maximum(lengths[cluster < 0], min_filler)
    return lengths, cluster


@settings(max_examples=200, deadline=None)
@given(streams(), st.integers(4, 32), st.integers(0, 40))
def test_spread_is_a_permutation_and_counts_what_it_could_not_place(s, block_len, gap):
    lengths, cluster = s
    order, violations = spread(lengths, cluster, block_len, gap)
    assert sorted(order.tolist()) == list(range(len(lengths)))
    shared, smallest = check(order, lengths, cluster, block_len)
    if violations == 0:
        assert shared == 0 and (smallest is None or smallest >= gap)


@settings(max_examples=200, deadline=None)
@given(streams(fillers_per_dup=8, min_filler=40))
def test_spread_with_enough_free_documents_keeps_every_cluster_apart(s):
    # fillers of >= 40 tokens, blocks of 16, gap 40: one filler between two members is enough
    lengths, cluster = s
    order, violations = spread(lengths, cluster, 16, 40)
    assert violations == 0
    shared, smallest = check(order, lengths, cluster, 16)
    assert shared == 0 and (smallest is None or smallest >= 40)
    gaps = duplicate_gaps(lengths[order], cluster[order], 16)
    assert gaps == {} or (gaps["same_block"] == 0 and gaps["min_gap_tokens"] == smallest)


@settings(max_examples=100, deadline=None)
@given(streams())
def test_spread_deterministic(s):
    lengths, cluster = s
    assert spread(lengths, cluster, 8, 10)[0].tolist() == spread(lengths.copy(), cluster.copy(), 8, 10)[0].tolist()


def test_spread_only_duplicates_counts_violations():
    order, violations = spread(np.array([5, 5, 5]), np.array([1, 1, 1]), 4, 100)
    assert sorted(order.tolist()) == [0, 1, 2] and violations == 2
