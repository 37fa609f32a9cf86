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


def _phased(world=2, warmup=2):
    # chunks of 20 blocks of 64 tokens; 2 blocks x `world` ranks a step -> 5 steps a chunk (world 2)
    phase = "{{name: {}, chunks: {}, tokens: null, target_shares: {{}}, min_quality_quantile: null, max_repeats: {{}}}}"
    return load_config(overrides=[
        "mix.seq_len=63", "mix.chunk_tokens=1280", "train.local_batch_size=2", "train.schedule.name=wsd",
        f"train.schedule.warmup_steps={warmup}", "train.schedule.min_lr_ratio=0.1", "train.schedule.decay_phase=anneal",
        f"mix.phases=[{phase.format('warmup', 1)}, {phase.format('stable', 2)}, {phase.format('anneal', 2)}]"])


def test_wsd_decay_phase_decays_exactly_over_the_anneal_chunks():
    from trainer.schedule import decay_window, schedule_for

    cfg = _phased()
    assert decay_window(cfg, 2) == (15, 25)  # anneal = chunks 3-4 = steps 15..24
    f = schedule_for(cfg, 2)
    assert [f(s) for s in (0, 1, 2, 14, 15)] == pytest.approx([0.5, 1.0, 1.0, 1.0, 1.0])
    assert f(20) == pytest.approx(1.0 - 0.9 * 5 / 10)
    assert f(25) == pytest.approx(0.1) and f(40) == pytest.approx(0.1)
    assert decay_window(cfg, 1) == (30, 50)  # one rank: 10 steps a chunk


def test_wsd_without_the_named_phase_falls_back_to_decay_fraction():
    from trainer.schedule import decay_window

    cfg = load_config(overrides=["train.schedule.name=wsd", "train.max_steps=100", "mix.phases=[]"])
    assert decay_window(cfg, 2) is None
    assert decay_window(load_config(overrides=["train.schedule.name=cosine"]), 2) is None


def test_wsd_decay_phase_inside_warmup_error_names_keys():
    from trainer.schedule import decay_window

    with pytest.raises(ConfigError, match="train.schedule.warmup_steps"):
        decay_window(_phased(warmup=20), 2)
