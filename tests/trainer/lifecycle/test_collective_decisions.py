"""Decisions all ranks must share, taken by 2 real processes in a gloo group (torch.multiprocessing spawn).

One spawn runs every scenario (process start-up dominates on 2 cores); each test checks one part.
Rank 1 plays the rank that holds the garbage block / sees the `save` file; rank 0 sees nothing
unusual and must still act alike.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from conf import load_config
from conf.train_schema import TrainSaveConfig, TrainSpikeConfig
from tables.chunk_lifecycle import read_chunks, set_status
from tables.delta_rs import read_arrow
from trainer.lifecycle import ChannelLoss, SaveTrigger, SpikeGuard, roll_back_on_spike
from trainer.lifecycle.checkpoints import checkpoints_dir
from trainer.lifecycle.collectives import any_rank

from tests.conftest import TEST_OVERRIDES
from tests.trainer.fixtures import write_synthetic_chunks
from tests.trainer.lifecycle.helpers import run_ranks, write_checkpoint

SPIKE = TrainSpikeConfig(rule="zscore", window=3, max_zscore=2.0, max_ratio=2.0, min_steps=3,
                         on_spike="skip_blocks", max_rollbacks=1)
# Per rank, per step: (loss sum, tokens). Global means 2, 3, 4 (limit 3 + 2 * sqrt(2/3) = 4.633),
# then 120 / 20 = 6.0: a spike only rank 1's data explains.
STEPS = {0: [(20.0, 10), (30.0, 10), (40.0, 10), (30.0, 10)], 1: [(20.0, 10), (30.0, 10), (40.0, 10), (90.0, 10)]}
# The spike step's blocks: rank 1's block (1, 1) has mean 15, every other block mean 3.
BLOCKS = {0: ([(1, 0), (1, 2)], [15.0, 15.0], [5, 5]), 1: ([(1, 1), (1, 3)], [75.0, 15.0], [5, 5])}


def _scenarios(rank: int, cfg, tmp: str) -> dict:
    out = {"any_rank": any_rank(rank == 1)}

    node = Path(tmp) / f"node{rank}"  # node-local run folders: only rank 1's holds the file
    node.mkdir()
    if rank == 1:
        (node / "save").touch()
    trigger = SaveTrigger(TrainSaveConfig(file_name="save", check_every=1), run_dir=node)
    out["save_requested"] = trigger.requested(4)
    trigger.done()
    out["save_file_left"] = (node / "save").exists()
    out["save_requested_after"] = trigger.requested(5)

    guard = SpikeGuard(SPIKE)
    decisions = [guard.check(s, n) for s, n in STEPS[rank]]
    out["spikes"] = [d.spike for d in decisions]
    out["losses"] = [d.loss for d in decisions]
    out["limit"] = decisions[-1].limit
    ids, sums, tokens = BLOCKS[rank]
    out["blamed"] = guard.explain(decisions[-1], ids, sums, tokens)

    channels = ChannelLoss()
    if rank == 0:
        channels.add(torch.tensor([[1.0, 2.0]]), torch.tensor([[0, 0]]), ["code"])
    else:
        channels.add(torch.tensor([[4.0, 6.0]]), torch.tensor([[0, 1]]), ["code", "web"])
    out["channels"] = channels.reduce()

    plan = roll_back_on_spike(cfg, guard, decisions[-1], run_dir=Path(tmp) / "run", run_id="r1", chunk_id=1,
                              step=57, block_ids=ids, loss_sums=torch.tensor(sums, dtype=torch.float64),
                              tokens=torch.tensor(tokens))
    out["rollback"] = (plan.target, plan.skip_blocks, plan.excluded_docs)
    return out


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("collective")
    cfg = load_config(overrides=TEST_OVERRIDES + [f"spark.warehouse={tmp / 'warehouse'}"])
    chunks = write_synthetic_chunks(cfg, 2, blocks_per_chunk=4, vocab_size=16, seed=3, seq_len=8)
    set_status(cfg, 0, "training")
    set_status(cfg, 0, "trained", step=40)
    set_status(cfg, 1, "training")
    run = tmp / "run"
    for name in ("chunk-0", "step-50"):
        write_checkpoint(checkpoints_dir(run) / name)
    (checkpoints_dir(run) / "LATEST").write_text("step-50\n")
    return {"results": run_ranks(_scenarios, cfg, str(tmp)), "cfg": cfg, "run": run, "chunks": chunks}


def test_any_rank_one_true_all_true(ran):
    assert [r["any_rank"] for r in ran["results"]] == [True, True]


def test_save_file_on_one_rank_all_ranks_save(ran):
    assert [r["save_requested"] for r in ran["results"]] == [True, True]


def test_save_done_file_removed_and_not_requested_again(ran):
    assert [r["save_file_left"] for r in ran["results"]] == [False, False]
    assert [r["save_requested_after"] for r in ran["results"]] == [False, False]


def test_spike_on_one_rank_decided_on_both(ran):
    for r in ran["results"]:
        assert r["spikes"] == [False, False, False, True]
        assert r["losses"] == [2.0, 3.0, 4.0, 6.0]
        assert r["limit"] == pytest.approx(3 + 2 * math.sqrt(2 / 3))


def test_explain_gathers_blocks_blames_rank1_block_on_both(ran):
    assert [r["blamed"] for r in ran["results"]] == [[(1, 1)], [(1, 1)]]


def test_channel_loss_sum_then_divide_over_ranks(ran):
    # code: (1 + 2 + 4) / 3 tokens; web only on rank 1: 6 / 1; all: 13 / 4
    expected = {"_all": (3.25, 4), "code": (7 / 3, 3), "web": (6.0, 1)}
    assert [r["channels"] for r in ran["results"]] == [expected, expected]


def test_roll_back_on_spike_same_plan_on_both_ranks(ran):
    target = checkpoints_dir(ran["run"]) / "chunk-0"
    assert ran["results"][0]["rollback"][:2] == ran["results"][1]["rollback"][:2] == (target, [(1, 1)])


def test_roll_back_on_spike_block_docs_excluded_once(ran):
    block = ran["chunks"][1].blocks.filter(ran["chunks"][1].blocks["block_id"].to_numpy() == 1)
    docs = list(dict.fromkeys(block["doc_ids"][0].as_py()))
    assert ran["results"][0]["rollback"][2] == len(docs) and ran["results"][1]["rollback"][2] == 0
    rows = read_arrow(ran["cfg"], "excluded_docs").to_pylist()
    assert sorted(r["doc_id"] for r in rows) == sorted(docs)
    assert {(r["chunk_id"], r["block_id"], r["step"], r["reason"]) for r in rows} == {(1, 1, 57, "loss_spike")}


def test_roll_back_on_spike_chunk_rolled_back_run_points_at_chunk0(ran):
    row = next(r for r in read_chunks(ran["cfg"]) if r["chunk_id"] == 1)
    assert (row["status"], row["step"]) == ("rolled_back", 57)
    root = checkpoints_dir(ran["run"])
    assert (root / "LATEST").read_text() == "chunk-0\n"
    assert not (root / "step-50").exists()
