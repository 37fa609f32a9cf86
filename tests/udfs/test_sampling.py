"""Tests for udfs.sampling: usage-aware, capped, seeded choice of a chunk's documents."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.sampling import SupplyError, hash_uniform, plan_chunk, select_group, split_budget, usage_weights

NO_CAP = -1


def corpus(n, seed, n_groups=3):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, n_groups, n), rng.integers(0, 2**63, n, dtype=np.int64),
            rng.integers(20, 400, n), np.zeros(n, np.int64))


def plan(group, h, nt, tu, shares, caps, total, seed=7, chunk_id=0, decay=0.5):
    return plan_chunk(group, h, nt, tu, np.array(shares, float), np.array(caps), total,
                      seed=seed, chunk_id=chunk_id, curve="exponential", decay=decay)


def test_usage_weights_golden_curves():
    t = np.array([0, 1, 3])
    assert usage_weights(t, "exponential", 0.5).tolist() == [1.0, 0.5, 0.125]
    assert usage_weights(t, "inverse", 1.0).tolist() == [1.0, 0.5, 0.25]
    assert usage_weights(t, "none", 0.3).tolist() == [1.0, 1.0, 1.0]


def test_usage_weights_unknown_curve_names_key():
    with pytest.raises(ValueError, match="mix.usage_curve"):
        usage_weights(np.array([0]), "linear", 0.5)


def test_split_budget_golden_largest_remainder():
    assert split_budget(np.array([4, 4, 2]), 10).tolist() == [4, 4, 2]
    assert split_budget(np.array([1, 1, 1]), 10).tolist() == [4, 3, 3]
    assert split_budget(np.array([0.5, 0.5]), 7).sum() == 7


def test_hash_uniform_inside_open_interval_and_salt_sensitive():
    h = np.arange(10_000, dtype=np.uint64)
    u = hash_uniform(h, 1, 2, 0)
    assert ((u > 0) & (u < 1)).all()
    assert abs(u.mean() - 0.5) < 0.02
    assert not np.array_equal(u, hash_uniform(h, 1, 2, 1))


def test_plan_chunk_exact_total_and_shares_when_supply_allows():
    g, h, nt, tu = corpus(1000, 0)
    p = plan(g, h, nt, tu, [4, 4, 2], [NO_CAP] * 3, 50_000)
    assert p.length.sum() == 50_000
    achieved = np.bincount(p.group, weights=p.length, minlength=3) / 50_000
    assert np.abs(achieved - [0.4, 0.4, 0.2]).max() <= 0.01
    assert p.shortfall_tokens.tolist() == [0, 0, 0]
    assert (p.repeat == 0).all()


def test_plan_chunk_short_group_reports_shortfall_and_others_fill():
    g, h, nt, tu = corpus(600, 1)
    supply2 = int(nt[g == 2].sum())
    total = 10 * supply2  # group 2 asks for 2/10 of it = twice what one use of each doc (cap 1) gives
    p = plan(g, h, nt, tu, [4, 4, 2], [NO_CAP, NO_CAP, 1], total)
    assert p.length.sum() == total
    assert p.achieved_tokens[2] == supply2
    assert p.shortfall_tokens.tolist() == [0, 0, supply2]
    assert p.achieved_tokens[:2].sum() == total - supply2
    assert abs(int(p.achieved_tokens[0]) - int(p.achieved_tokens[1])) <= 1


def test_plan_chunk_upsamples_within_cap():
    g, h, nt, tu = corpus(300, 2)
    tu[:50] = 1
    p = plan(g, h, nt, tu, [1, 1, 1], [3, 3, 3], int(nt.sum() * 2))
    uses = np.bincount(p.doc, minlength=len(nt)) + tu
    assert uses.max() <= 3
    assert p.repeat.max() >= 1


def test_plan_chunk_not_enough_supply_raises_naming_key():
    g, h, nt, tu = corpus(100, 3)
    with pytest.raises(SupplyError, match="mix.max_repeats"):
        plan(g, h, nt, tu, [1, 1, 1], [1, 1, 1], int(nt.sum()) + 1)


def test_plan_chunk_same_seed_same_plan_any_input_order():
    g, h, nt, tu = corpus(500, 4)
    a = plan(g, h, nt, tu, [4, 4, 2], [NO_CAP] * 3, 30_000)
    perm = np.random.default_rng(9).permutation(500)
    b = plan(g[perm], h[perm], nt[perm], tu[perm], [4, 4, 2], [NO_CAP] * 3, 30_000)
    assert h[a.doc].tolist() == h[perm][b.doc].tolist()
    assert a.length.tolist() == b.length.tolist()
    c = plan(g, h, nt, tu, [4, 4, 2], [NO_CAP] * 3, 30_000, seed=8)
    assert h[c.doc].tolist() != h[a.doc].tolist()


@settings(max_examples=80, deadline=None)
@given(st.integers(20, 200), st.integers(0, 2**32), st.floats(0.1, 0.9), st.data())
def test_select_group_more_usage_never_makes_a_doc_chosen(n, seed, frac, data):
    rng = np.random.default_rng(seed)
    h = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64)
    nt = rng.integers(1, 100, n)
    tu = rng.integers(0, 3, n)
    allow = np.full(n, 10**9)
    budget = max(1, int(nt.sum() * frac))
    doc = data.draw(st.integers(0, n - 1))
    before, _, _ = select_group(h, nt, tu, allow, budget, seed=seed, chunk_id=1, curve="exponential", decay=0.5)
    tu2 = tu.copy()
    tu2[doc] += 1
    after, _, _ = select_group(h, nt, tu2, allow, budget, seed=seed, chunk_id=1, curve="exponential", decay=0.5)
    assert not (doc in after and doc not in before)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.floats(0.15, 0.4))
def test_plan_chunk_doc_used_in_chunk_k_less_likely_in_k_plus_1(seed, frac):
    g, h, nt, tu = corpus(2000, seed)
    total = int(nt.sum() * frac)
    k = plan(g, h, nt, tu, [4, 4, 2], [NO_CAP] * 3, total, seed=seed, chunk_id=0)
    used = np.bincount(k.doc, minlength=len(nt))
    k1 = plan(g, h, nt, tu + used, [4, 4, 2], [NO_CAP] * 3, total, seed=seed, chunk_id=1)
    in_k1 = np.bincount(k1.doc, minlength=len(nt)) > 0
    assert in_k1[used > 0].mean() < in_k1[used == 0].mean()


def test_assign_groups_most_specific_key_wins_and_unmatched_is_minus_one():
    from udfs.sampling import assign_groups

    cats = ["code", "web", "web", "code", "books", "code"]
    langs = ["en", "zh", "en", "zh", "fr", "de"]
    assert assign_groups(cats, langs, ["zh", "en", "code", "code/de"]).tolist() == [2, 0, 1, 2, -1, 3]
