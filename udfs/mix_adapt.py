"""Loss feedback for the next chunk's shares: exponentiated-gradient reweighting (numpy only).

An online data-mixing rule (as in DoReMi / online data mixing): a group whose channel loss
in the last chunk is high relative to its reference gets a larger share of the next chunk,

    w_g = share_g * exp(eta * (loss_g - reference_g))

then the weights are scaled back onto the simplex inside the floors and caps:
share'_g = clip(c * w_g, floor_g, cap_g) with the scale c found by bisection so that they
sum to 1 (monotone in c, so 60 halvings pin it to float precision). Cost: O(groups).
"""
from __future__ import annotations

import numpy as np


def clip_to_simplex(weights: np.ndarray, floors: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """clip(c * weights, floors, caps) summing to 1; ValueError when floors and caps allow no such shares."""
    w, lo, hi = (np.asarray(x, dtype=np.float64) for x in (weights, floors, caps))
    if lo.sum() > 1 + 1e-12 or hi.sum() < 1 - 1e-12 or (lo > hi).any():
        raise ValueError(f"mix.adapt floors {lo.tolist()} and caps {hi.tolist()} admit no shares summing to 1")
    a, b = 0.0, 1.0
    while np.clip(b * w, lo, hi).sum() < 1:
        b *= 2
        if b > 1e300:
            break
    for _ in range(200):
        c = (a + b) / 2
        if np.clip(c * w, lo, hi).sum() < 1:
            a = c
        else:
            b = c
    out = np.clip(b * w, lo, hi)
    # The last float of error goes to a group strictly inside its bounds, so the sum is exactly 1.
    free = np.flatnonzero((out > lo) & (out < hi))
    if free.size:
        out[free[0]] += 1.0 - out.sum()
    return out


def eg_update(shares: np.ndarray, losses: np.ndarray, reference: np.ndarray, eta: float,
              floors: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """The next shares (g,) from the current `shares`, channel `losses` and their `reference`
    (nats; NaN loss = group not seen: no change for it), inside `floors` and `caps`."""
    shares = np.asarray(shares, dtype=np.float64)
    excess = np.nan_to_num(np.asarray(losses, dtype=np.float64) - np.asarray(reference, dtype=np.float64), nan=0.0)
    return clip_to_simplex(shares * np.exp(eta * excess), floors, caps)
