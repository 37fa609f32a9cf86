"""Learning-rate schedules against values worked out by hand."""
import math

import pytest

from conf import ConfigError, load_config
from trainer.schedule import lr_multiplier, total_steps


def _schedule(name, **extra):
    sets = [f"train.schedule.name={name}", "train.schedule.warmup_steps=10", "train.schedule.min_lr_ratio=0.1",
            "train.schedule.decay_fraction=0.2", "train.schedule.total_steps=110"]
    sets += [f"train.schedule.{k}={v}" for k, v in extra.items()]
    cfg = load_config(overrides=sets)
    return lr_multiplier(cfg.train.schedule, total_steps(cfg.train))


def test_warmup_linear_from_lr_over_warmup_to_peak():
    f = _schedule("cosine")
    assert [f(s) for s in (0, 4, 9)] == pytest.approx([0.1, 0.5, 1.0])


def test_cosine_halfway_is_mean_of_peak_and_floor_then_floor():
    f = _schedule("cosine")
    assert f(10) == pytest.approx(1.0)
    assert f(60) == pytest.approx(0.55)          # (1 + 0.1) / 2 at p = 0.5
    assert f(35) == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 4)) / 2)
    assert f(110) == pytest.approx(0.1) and f(500) == pytest.approx(0.1)


def test_linear_decays_evenly_to_floor():
    f = _schedule("linear")
    assert [f(s) for s in (10, 60, 110)] == pytest.approx([1.0, 0.55, 0.1])


def test_wsd_flat_until_last_fifth_then_linear_to_floor():
    f = _schedule("wsd")
    # decay over the last round(0.2 * 110) = 22 steps: from step 88 to 110
    assert [f(s) for s in (10, 50, 87, 88)] == pytest.approx([1.0, 1.0, 1.0, 1.0])
    assert f(99) == pytest.approx(1.0 - 0.9 * 11 / 22)
    assert f(110) == pytest.approx(0.1)


def test_schedule_unknown_name_error_names_key():
    with pytest.raises(ConfigError, match="train.schedule.name"):
        _schedule("step")


def test_schedule_without_horizon_error_names_both_keys():
    cfg = load_config(overrides=["train.schedule.total_steps=null", "train.max_steps=null"])
    with pytest.raises(ConfigError, match="train.schedule.total_steps or train.max_steps"):
        total_steps(cfg.train)
