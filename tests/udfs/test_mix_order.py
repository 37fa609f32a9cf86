"""The greedy similarity path: properties over random neighbour graphs, and a case by hand."""
import numpy as np
from hypothesis import given, settings, strategies as st

from udfs.mix_order import adjacent_similarity, greedy_path


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 40))
    e = draw(st.integers(0, 3 * n))
    u = np.array(draw(st.lists(st.integers(0, n - 1), min_size=e, max_size=e)), dtype=np.int64)
    v = np.array(draw(st.lists(st.integers(0, n - 1), min_size=e, max_size=e)), dtype=np.int64)
    sim = np.array(draw(st.lists(st.sampled_from([0.1, 0.3, 0.5, 0.9]), min_size=e, max_size=e)))
    tie = np.array(draw(st.permutations(range(n))), dtype=np.int64) * 7919
    return n, u, v, sim, tie


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_greedy_path_visits_each_document_exactly_once(g):
    n, u, v, sim, tie = g
    assert sorted(greedy_path(n, u, v, sim, tie).tolist()) == list(range(n))


@settings(max_examples=200, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_greedy_path_independent_of_edge_order(g, rnd):
    n, u, v, sim, tie = g
    perm = list(range(len(u)))
    rnd.shuffle(perm)
    flip = np.array([rnd.random() < 0.5 for _ in perm], dtype=bool)
    u2, v2 = np.where(flip, v[perm], u[perm]), np.where(flip, u[perm], v[perm])
    assert greedy_path(n, u, v, sim, tie).tolist() == greedy_path(n, u2, v2, sim[perm], tie).tolist()


def test_greedy_path_follows_the_most_similar_unvisited_neighbour():
    # two cliques {0,1,2} and {3,4,5} joined by a weak edge; tie keys favour 0 first
    u = np.array([0, 0, 1, 3, 3, 4, 2])
    v = np.array([1, 2, 2, 4, 5, 5, 3])
    sim = np.array([0.9, 0.5, 0.8, 0.9, 0.5, 0.8, 0.1])
    path = greedy_path(6, u, v, sim, np.arange(6))
    assert path.tolist() == [0, 1, 2, 3, 4, 5]
    assert adjacent_similarity(path, u, v, sim) == (0.9 + 0.8 + 0.1 + 0.9 + 0.8) / 5
    shuffled = np.array([0, 3, 1, 4, 2, 5])
    assert adjacent_similarity(shuffled, u, v, sim) == 0.0
