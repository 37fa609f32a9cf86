"""Per-category loss sums and counts, their window, and the rows written to `train_metrics`."""
from __future__ import annotations

import pytest
import torch

from tables.delta_rs import read_arrow
from trainer.lifecycle.channel_loss import ChannelLoss, write_channel_losses


def test_reduce_token_weighted_mean_per_category_and_all():
    channels = ChannelLoss()
    channels.add(torch.tensor([[1.0, 3.0, 2.0, 9.0]]), torch.tensor([[0, 0, 1, -1]]), ["code", "web"])
    # -1 (label -100) is not counted: code (1 + 3) / 2, web 2 / 1, all 6 / 3
    assert channels.reduce() == {"_all": (2.0, 3), "code": (2.0, 2), "web": (2.0, 1)}


def test_add_batches_with_other_category_lists_merged_by_name():
    channels = ChannelLoss()
    channels.add(torch.tensor([[1.0, 4.0]]), torch.tensor([[0, 1]]), ["code", "web"])
    channels.add(torch.tensor([[6.0, 5.0, 7.0]]), torch.tensor([[1, 0, 1]]), ["math", "web"])
    # web: 4 + 6 + 7 over 3 tokens; code 1 / 1; math 5 / 1; all 23 / 5
    assert channels.reduce() == {"_all": (4.6, 5), "code": (1.0, 1), "math": (5.0, 1), "web": (17 / 3, 3)}


def test_reduce_starts_a_new_window():
    channels = ChannelLoss()
    channels.add(torch.tensor([[1.0]]), torch.tensor([[0]]), ["code"])
    channels.reduce()
    assert channels.reduce() == {}


def test_add_category_id_past_names_refused():
    with pytest.raises(ValueError, match="category id 2 but only 2 category names"):
        ChannelLoss().add(torch.tensor([[1.0]]), torch.tensor([[2]]), ["code", "web"])


def test_write_channel_losses_rows_in_train_metrics(cfg):
    means = {"_all": (2.5, 40), "code": (2.0, 10), "web": (2.75, 30)}
    assert write_channel_losses(cfg, means, run_id="r1", step=20, chunk_id=3) == 3
    rows = sorted(read_arrow(cfg, "train_metrics").to_pylist(), key=lambda r: r["category"])
    assert rows == [
        {"run_id": "r1", "step": 20, "chunk_id": 3, "category": "_all", "loss": 2.5, "tokens": 40},
        {"run_id": "r1", "step": 20, "chunk_id": 3, "category": "code", "loss": 2.0, "tokens": 10},
        {"run_id": "r1", "step": 20, "chunk_id": 3, "category": "web", "loss": 2.75, "tokens": 30},
    ]
