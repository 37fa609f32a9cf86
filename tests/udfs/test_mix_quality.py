"""The quality floor of a phase against floors picked by hand."""
import numpy as np
import pyarrow as pa

from udfs.mix_quality import above_floor, apply_quality_floor, group_floors


def test_group_floors_lower_quantile_per_group_nan_without_scores():
    group = np.array([0, 0, 0, 0, 0, 1, 1, 2])
    scores = np.array([0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, np.nan])
    # group 0 sorted: .1 .3 .5 .7 .9 -> quantile 0.6 at index floor(0.6 * 4) = 2 -> 0.5
    floors = group_floors(group, scores, 3, 0.6)
    assert floors[:2].tolist() == [0.5, 0.2] and np.isnan(floors[2])


def test_above_floor_leaves_out_unscored_docs_of_scored_groups_only():
    group = np.array([0, 0, 0, 1, -1])
    scores = np.array([0.4, np.nan, 0.6, np.nan, 0.0])
    assert above_floor(group, scores, np.array([0.5, np.nan])).tolist() == [False, False, True, True, True]


def test_apply_quality_floor_keeps_top_half_of_each_group_and_reports_floors():
    cands = pa.table({"doc_id": [f"d{i}" for i in range(6)], "category": ["web"] * 4 + ["code"] * 2,
                      "lang": ["en"] * 6, "quality_score": [0.1, 0.9, 0.4, 0.6, 0.3, None]})
    kept, floors = apply_quality_floor(cands, ["code", "en"], 0.5)
    assert kept["doc_id"].to_pylist() == ["d1", "d2", "d3", "d4"]
    assert floors == {"en": 0.4, "code": 0.3}
    same, none = apply_quality_floor(cands, ["code", "en"], None)
    assert same.equals(cands) and none == {}
