"""Spike rule, window, blame and state on one process; the all-rank agreement is in test_collective_decisions."""
from __future__ import annotations

import math

import pytest
import torch

from conf.train_schema import TrainSpikeConfig
from trainer.lifecycle.spike import SpikeDecision, SpikeGuard, SpikeLimitError, per_block_loss


def _conf(**changes) -> TrainSpikeConfig:
    base = dict(rule="zscore", window=3, max_zscore=2.0, max_ratio=1.5, min_steps=3, on_spike="skip_blocks",
                max_rollbacks=1)
    return TrainSpikeConfig(**{**base, **changes})


def _fed(conf: TrainSpikeConfig, losses) -> SpikeGuard:
    guard = SpikeGuard(conf)
    for loss in losses:
        assert not guard.check(loss, 1).spike
    return guard


def test_check_global_mean_is_loss_sum_over_tokens():
    decision = SpikeGuard(_conf()).check(10.0, 4)
    assert decision == SpikeDecision(spike=False, loss=2.5, limit=None)


def test_zscore_limit_mean_plus_z_population_std():
    guard = _fed(_conf(), [1.0, 2.0, 3.0])
    # mean 2, population variance (1 + 0 + 1) / 3, limit 2 + 2 * sqrt(2/3) = 3.63299...
    assert guard.limit() == pytest.approx(3.6329931618554525, abs=1e-12)


def test_zscore_loss_above_limit_spike_and_window_unchanged():
    guard = _fed(_conf(), [1.0, 2.0, 3.0])
    decision = guard.check(3.7, 1)
    assert decision.spike and decision.limit == pytest.approx(3.6329931618554525)
    assert list(guard.window) == [1.0, 2.0, 3.0]


def test_zscore_loss_below_limit_enters_window_oldest_dropped():
    guard = _fed(_conf(), [1.0, 2.0, 3.0])
    assert not guard.check(3.6, 1).spike
    assert list(guard.window) == [2.0, 3.0, 3.6]


def test_ratio_limit_is_inclusive():
    guard = _fed(_conf(rule="ratio"), [1.0, 2.0, 3.0])  # mean 2, limit 1.5 * 2 = 3.0 (exact in binary)
    assert guard.limit() == 3.0
    assert not guard.check(3.0, 1).spike
    assert _fed(_conf(rule="ratio"), [1.0, 2.0, 3.0]).check(3.1, 1).spike


def test_before_min_steps_large_loss_not_spike():
    guard = _fed(_conf(window=5, min_steps=3), [2.0, 2.0])
    assert not guard.check(50.0, 1).spike


def test_non_finite_loss_spike_even_before_min_steps():
    guard = SpikeGuard(_conf())
    assert guard.check(math.nan, 1).spike
    assert guard.check(math.inf, 1).spike
    assert len(guard.window) == 0


def test_rule_null_never_spikes():
    guard = SpikeGuard(_conf(rule=None))
    assert [guard.check(x, 1).spike for x in (1.0, 1.0, 1.0, 1e9, math.nan)] == [False] * 5


def test_bad_config_error_names_the_key():
    with pytest.raises(ValueError, match="train.spike.rule"):
        SpikeGuard(_conf(rule="median"))
    with pytest.raises(ValueError, match="train.spike.on_spike"):
        SpikeGuard(_conf(on_spike="ignore"))
    with pytest.raises(ValueError, match="train.spike.min_steps"):
        SpikeGuard(_conf(min_steps=4))


def test_state_dict_round_trip_same_limit():
    guard = _fed(_conf(), [1.0, 2.0, 3.0])
    resumed = SpikeGuard(_conf())
    resumed.load_state_dict(guard.state_dict())
    assert list(resumed.window) == [1.0, 2.0, 3.0]
    assert resumed.check(3.7, 1).spike


def test_state_dict_other_format_refused():
    state = SpikeGuard(_conf()).state_dict() | {"format": 99}
    with pytest.raises(ValueError, match="format 99"):
        SpikeGuard(_conf()).load_state_dict(state)


def test_record_rollback_past_max_raises():
    guard = SpikeGuard(_conf(max_rollbacks=1))
    assert guard.record_rollback() == 1
    with pytest.raises(SpikeLimitError, match="max_rollbacks = 1"):
        guard.record_rollback()


def _explain(blocks, limit):
    keys, sums, tokens = zip(*blocks)
    return SpikeGuard(_conf()).explain(SpikeDecision(True, 0.0, limit), list(keys), list(sums), list(tokens))


def test_explain_one_garbage_block_blamed_alone():
    # means 3.0, 8.0, 2.8: all 138/30 = 4.6 > 3.5; without (0, 2): 58/20 = 2.9 <= 3.5
    blocks = [((0, 1), 30.0, 10), ((0, 2), 80.0, 10), ((0, 3), 28.0, 10)]
    assert _explain(blocks, 3.5) == [(0, 2)]


def test_explain_two_bad_blocks_both_blamed_sorted():
    # without (4, 9) (mean 9): 100/30 = 3.33 > 3.0; also without (4, 2) (mean 7): 30/20 = 1.5
    blocks = [((4, 9), 90.0, 10), ((4, 2), 70.0, 10), ((4, 5), 15.0, 10), ((4, 7), 15.0, 10)]
    assert _explain(blocks, 3.0) == [(4, 2), (4, 9)]


def test_explain_diffuse_spike_whole_step_blamed():
    blocks = [((1, 0), 50.0, 10), ((1, 1), 50.0, 10)]
    assert _explain(blocks, 3.0) == [(1, 0), (1, 1)]


def test_explain_non_finite_block_blamed_without_limit():
    blocks = [((2, 0), 20.0, 10), ((2, 1), math.nan, 10), ((2, 2), 25.0, 10)]
    assert _explain(blocks, None) == [(2, 1)]


def test_per_block_loss_ignored_labels_not_counted():
    token_loss = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    labels = torch.tensor([[5, -100, 7], [-100, -100, 1]])
    sums, tokens = per_block_loss(token_loss, labels)
    assert sums.dtype == torch.float64 and sums.tolist() == [4.0, 6.0]
    assert tokens.tolist() == [2, 1]
