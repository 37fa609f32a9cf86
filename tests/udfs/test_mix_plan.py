"""The mix planner on the driver's metadata only (numpy + pyarrow): no JVM, no Spark."""
import numpy as np
import pyarrow as pa
import pytest

from conf import replace
from udfs import mix_plan
from udfs.sampling import ChunkPlan


def candidates(n_per_group=30, seed=0):
    rng = np.random.default_rng(seed)
    cats = ["web"] * (2 * n_per_group) + ["code"] * n_per_group
    langs = ["en"] * n_per_group + ["zh"] * n_per_group + ["en"] * n_per_group
    n = len(cats)
    return pa.table({"doc_id": [f"d{i:03d}" for i in range(n)], "category": cats, "lang": langs,
                     "n_tokens": rng.integers(20, 100, n), "times_used": np.zeros(n, np.int64),
                     "doc_hash": rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64)})


def test_plan_for_short_group_reported_in_summary(cfg):
    cands = candidates()
    code_supply = int(pa.compute.sum(cands.filter(pa.compute.equal(cands["category"], "code"))["n_tokens"]).as_py())
    total = 320 * (code_supply // 64)  # whole blocks of 64, 2/5 exact: code asks ~twice its supply (cap 1)
    cfg = replace(cfg, ["mix.seq_len=63", f"mix.chunk_tokens={total}", "mix.target_shares={zh: 2, en: 1, code: 2}",
                        "mix.max_repeats={code: 1}", "mix.default_max_repeats=null"])
    mixing = mix_plan.mixing_for(cfg.mix, cands)
    plan, rows = mix_plan.plan_for(cands, mixing, cfg.mix, chunk_id=0)
    summary = mix_plan.chunk_summary(cands, plan, rows, mixing, top=3)
    code = summary["groups"]["code"]
    assert plan.length.sum() == total
    assert code["shortfall_tokens"] == total * 2 // 5 - code_supply
    assert code["achieved_share"] == round(code_supply / total, 6)
    assert code["upsampled"] == 0
    assert summary["groups"]["zh"]["upsampled"] > 0  # zh fills the gap by a second pass over its docs
    assert summary["top_reused"] and summary["top_reused"][0]["times_used"] >= 2


def test_mixing_for_empty_targets_one_group_per_category_by_supply(cfg):
    cands = candidates()
    mixing = mix_plan.mixing_for(cfg.mix, cands)
    tokens = cands["n_tokens"].to_numpy()
    assert mixing.groups == ["code", "web"]
    assert np.allclose(mixing.shares, [tokens[60:].sum() / tokens.sum(), tokens[:60].sum() / tokens.sum()])
    assert mixing.max_repeats.tolist() == [4, 4]


def test_mixing_for_cap_on_unknown_group_names_key(cfg):
    with pytest.raises(ValueError, match="mix.max_repeats"):
        mix_plan.mixing_for(replace(cfg, ["mix.max_repeats={books: 2}"]).mix, candidates())


def test_plan_for_chunk_smaller_than_a_block_names_key(cfg):
    with pytest.raises(ValueError, match="mix.chunk_tokens"):
        mix_plan.plan_for(candidates(), mix_plan.mixing_for(cfg.mix, candidates()), replace(cfg, ["mix.chunk_tokens=100"]).mix, 0)


def test_chunk_size_rounds_down_to_whole_blocks(cfg):
    assert mix_plan.chunk_size(replace(cfg, ["mix.seq_len=63", "mix.chunk_tokens=1300"]).mix) == (1280, 64)
    assert mix_plan.chunk_size(replace(cfg, ["mix.seq_len=63", "mix.chunk_tokens=64"]).mix) == (64, 64)


def test_leave_out_listed_ids_removed_and_counted_order_kept():
    cands = candidates()
    kept, n = mix_plan.leave_out(cands, ["d005", "d001", "d077", "not-a-candidate"])
    assert n == 3
    assert kept.num_rows == cands.num_rows - 3
    assert kept["doc_id"].to_pylist() == [d for d in cands["doc_id"].to_pylist() if d not in ("d001", "d005", "d077")]


def test_leave_out_empty_list_keeps_all():
    cands = candidates()
    kept, n = mix_plan.leave_out(cands, pa.array([], pa.string()))
    assert n == 0 and kept.equals(cands)


def _plan(doc, length):
    n = len(doc)
    return ChunkPlan(doc=np.array(doc), length=np.array(length), repeat=np.zeros(n, np.int64),
                     group=np.zeros(n, np.int64), target_tokens=np.array([sum(length)]),
                     achieved_tokens=np.array([sum(length)]), shortfall_tokens=np.array([0]))


def test_pieces_table_and_usage_updates_golden_two_blocks():
    cands = pa.table({"doc_id": ["a", "b", "c"], "category": ["web", "code", "web"], "lang": ["en"] * 3,
                      "n_tokens": [5, 6, 9], "times_used": [0, 0, 0], "doc_hash": [1, 2, 3]})
    rows = np.array([0, 1, 2])
    # stream: c (5 of its 9 tokens), a (5), c again (6 tokens): 16 tokens = 2 blocks of 8
    plan = _plan([2, 0, 2], [5, 5, 6])
    pieces = mix_plan.pieces_table(cands, plan, rows, block_len=8)
    assert pieces.to_pylist() == [
        {"doc_id": "c", "category": "web", "block_id": 0, "start": 0, "length": 5, "doc_offset": 0},
        {"doc_id": "a", "category": "web", "block_id": 0, "start": 5, "length": 3, "doc_offset": 0},
        {"doc_id": "a", "category": "web", "block_id": 1, "start": 0, "length": 2, "doc_offset": 3},
        {"doc_id": "c", "category": "web", "block_id": 1, "start": 2, "length": 6, "doc_offset": 0},
    ]
    assert mix_plan.usage_updates(cands, plan, rows).to_pylist() == [
        {"doc_id": "a", "uses": 1, "tokens": 5}, {"doc_id": "c", "uses": 2, "tokens": 11}]
