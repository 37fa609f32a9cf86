"""LSH banding of MinHash signatures: bands x rows from a Jaccard threshold, band hashes.

Two documents become candidates when all ``rows`` values of at least one of ``bands`` bands
agree; for Jaccard s that happens with probability 1 - (1 - s^rows)^bands (an S-curve whose
steepest point sits near the threshold). ``bands`` and ``rows`` come from datasketch's own
optimiser, so a threshold means here what it means in ``datasketch.MinHashLSH``.
"""

from __future__ import annotations

import numpy as np
from datasketch.lsh import _optimal_param

# Band hash = finalised sum of the band's values times per-row odd constants (fixed, like a seed).
_ROW_MIX = np.random.Generator(np.random.PCG64(0xBA4D5)).integers(1, 2**63, size=4096, dtype=np.uint64) * np.uint64(
    2
) + np.uint64(1)


def optimal_bands(
    threshold: float, num_perm: int, false_positive_weight: float = 0.5, false_negative_weight: float = 0.5
) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false positive + negative area, as datasketch does.

    For num_perm=128: 0.7 -> (14, 9), 0.8 -> (9, 13), 0.85 -> (8, 16).
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    return _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)


def collision_probability(similarity: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """Probability that two documents of Jaccard ``similarity`` share at least one band."""
    return 1.0 - (1.0 - np.asarray(similarity, dtype=np.float64) ** rows) ** bands


def band_hashes(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(D, bands) int64 hash of each band of each (D, num_perm) uint32 signature.

    64 bits: two different bands collide by chance with p = 2^-64 per pair, far below the
    LSH false-positive rate. Rows past bands * rows (e.g. 2 of 128 at 14 x 9) are unused.
    """
    if bands * rows > sig.shape[1]:
        raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {sig.shape[1]}")
    banded = sig[:, : bands * rows].reshape(len(sig), bands, rows).astype(np.uint64)
    acc = (banded * _ROW_MIX[:rows]).sum(axis=2, dtype=np.uint64)  # wraps mod 2^64
    acc = acc ^ (acc >> np.uint64(33))
    acc = acc * np.uint64(0xFF51AFD7ED558CCD)
    acc = acc ^ (acc >> np.uint64(33))
    return acc.view(np.int64)


def signature_similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard of paired signatures: the share of equal values, (N,) float64."""
    return (np.asarray(sig_a) == np.asarray(sig_b)).mean(axis=-1)
