"""Exponentiated-gradient reweighting: properties over random losses, floors and caps."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from udfs.mix_adapt import clip_to_simplex, eg_update


@st.composite
def cases(draw):
    g = draw(st.integers(2, 6))
    raw = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=g, max_size=g)))
    floors = np.full(g, draw(st.floats(0.0, 0.8 / g)))
    caps = np.full(g, draw(st.floats(1.2 / g, 1.0)))
    shares = clip_to_simplex(raw, floors, caps)
    losses = np.array(draw(st.lists(st.floats(1.0, 6.0), min_size=g, max_size=g)))
    return shares, losses, floors, caps


@settings(max_examples=300, deadline=None)
@given(cases(), st.floats(0.1, 3.0))
def test_eg_update_sums_to_one_inside_floors_and_caps(c, eta):
    shares, losses, floors, caps = c
    new = eg_update(shares, losses, np.full_like(losses, losses.mean()), eta, floors, caps)
    assert new.sum() == pytest.approx(1.0, abs=1e-12)
    assert (new >= floors - 1e-12).all() and (new <= caps + 1e-12).all()


@settings(max_examples=300, deadline=None)
@given(cases(), st.floats(0.1, 3.0))
def test_eg_update_raises_the_highest_loss_group_unless_bounds_forbid(c, eta):
    shares, losses, floors, caps = c
    top = int(np.argmax(losses))
    assume(losses[top] > np.sort(losses)[-2] + 0.1)  # one clearly highest loss
    assume(shares[top] < caps[top] - 1e-9)
    assume((np.delete(shares - floors, top) > 1e-9).any())  # some other group can give way
    new = eg_update(shares, losses, np.full_like(losses, losses.mean()), eta, floors, caps)
    assert new[top] > shares[top]


def test_eg_update_by_hand_and_equal_losses_change_nothing():
    shares = np.array([0.5, 0.5])
    new = eg_update(shares, np.array([3.0, 2.0]), np.array([2.5, 2.5]), 1.0, np.zeros(2), np.ones(2))
    e = np.exp([0.5, -0.5])
    assert new == pytest.approx(e / e.sum())
    capped = eg_update(shares, np.array([3.0, 2.0]), np.array([2.5, 2.5]), 1.0, np.zeros(2), np.array([0.6, 1.0]))
    assert capped == pytest.approx([0.6, 0.4])
    same = eg_update(np.array([0.2, 0.8]), np.array([2.0, 2.0]), np.array([2.0, 2.0]), 1.0, np.zeros(2), np.ones(2))
    assert same == pytest.approx([0.2, 0.8])


def test_infeasible_floors_refused():
    with pytest.raises(ValueError, match="mix.adapt floors"):
        clip_to_simplex(np.ones(3), np.full(3, 0.5), np.ones(3))
