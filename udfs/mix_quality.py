"""Quality floor of a phase: keep only documents at or above a quantile of their group's scores.

Used by the anneal phase (OLMo 2 style: the last chunks see the best documents). The quantile
is taken per mixing group, because quality scores are not comparable across groups (a fine
code file and a fine news article score differently). `np.quantile(method="lower")` makes the
floor an actual score, so at least (1 - q) of a group's scored documents stay. A document
without a score is left out where its group has scores; a group with no score at all (no
quality model) keeps every document and reports a null floor.

Cost: one sort per group, O(n log n) over the candidates' metadata.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from udfs.sampling import assign_groups


def group_floors(group: np.ndarray, scores: np.ndarray, n_groups: int, quantile: float) -> np.ndarray:
    """Per group (n_groups,): the `quantile` of its finite scores, NaN for a group without any.

    >>> group_floors(np.array([0, 0, 0, 0, 1]), np.array([0.1, 0.4, 0.2, 0.3, np.nan]), 2, 0.5).tolist()
    [0.2, nan]
    """
    floors = np.full(n_groups, np.nan)
    for g in range(n_groups):
        s = scores[(group == g) & np.isfinite(scores)]
        if s.size:
            floors[g] = float(np.quantile(s, quantile, method="lower"))
    return floors


def above_floor(group: np.ndarray, scores: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """(n,) True for documents of no group's concern (-1), of a group without a floor, or scoring >= it."""
    floor = np.where(group >= 0, floors[np.maximum(group, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        return np.isnan(floor) | (scores >= floor)  # a NaN score compares False: left out


def apply_quality_floor(cands: pa.Table, groups: list[str], quantile: float | None) -> tuple[pa.Table, dict]:
    """(candidates at or above their group's floor, {group: floor or None}); unchanged for None."""
    if quantile is None:
        return cands, {}
    group = assign_groups(cands.column("category"), cands.column("lang"), groups)
    scores = pc.fill_null(cands.column("quality_score").cast(pa.float64()), float("nan")).to_numpy()
    floors = group_floors(group, scores, len(groups), quantile)
    keep = above_floor(group, scores, floors)
    report = {g: (None if np.isnan(f) else round(float(f), 6)) for g, f in zip(groups, floors)}
    return cands.filter(pa.array(keep)), report
