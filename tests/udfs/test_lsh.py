"""LSH banding: datasketch's parameters, band hashes that agree exactly when bands agree."""

import numpy as np
import pytest

from udfs.lsh import band_hashes, collision_probability, optimal_bands, signature_similarity


def test_optimal_bands_known_thresholds_datasketch_values():
    # Values of datasketch.MinHashLSH(threshold, num_perm=128).b/.r, read from its instances.
    from datasketch import MinHashLSH

    for t in (0.5, 0.7, 0.8, 0.85):
        lsh = MinHashLSH(threshold=t, num_perm=128)
        assert optimal_bands(t, 128) == (lsh.b, lsh.r)
    assert optimal_bands(0.7, 128) == (14, 9)


def test_optimal_bands_threshold_out_of_range_raises():
    with pytest.raises(ValueError, match="threshold"):
        optimal_bands(1.0, 128)


def test_band_hashes_equal_band_equal_hash_else_distinct():
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(2, 128), dtype=np.uint64).astype(np.uint32)
    sig[1, :9] = sig[0, :9]  # band 0 shared, others differ
    h = band_hashes(sig, 14, 9)
    assert h.shape == (2, 14) and h.dtype == np.int64
    assert h[0, 0] == h[1, 0]
    assert (h[0, 1:] != h[1, 1:]).all()
    assert len(set(h[0].tolist())) == 14  # bands of one doc do not collide with each other


def test_band_hashes_too_many_rows_raises():
    with pytest.raises(ValueError, match="num_perm"):
        band_hashes(np.zeros((1, 16), np.uint32), 5, 4)


def test_collision_probability_s_curve_at_threshold():
    b, r = optimal_bands(0.7, 128)
    # 1 - (1 - 0.9^9)^14 = 1 - 0.6125795^14, worked by hand: 0.998952
    assert collision_probability(0.9, b, r) == pytest.approx(0.998952, abs=1e-6)
    assert collision_probability(0.3, b, r) < 0.001
    assert signature_similarity(np.array([1, 2, 3, 4]), np.array([1, 2, 0, 4])) == 0.75
