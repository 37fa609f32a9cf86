"""Learning-rate schedules: linear warmup, then cosine, linear or warmup-stable-decay (wsd).

Each is a multiplier of `train.optim.lr` as a function of the optimiser step (0-based), wrapped
in a `LambdaLR` whose state (the step count) goes into every checkpoint.

    warmup   step < W:   (step + 1) / W            (lr / W at the first step, lr at step W - 1)
    cosine   p in [0,1]: m + (1 - m) (1 + cos(pi p)) / 2,   p = (step - W) / (T - W)
    linear               1 - (1 - m) p
    wsd      1 until the last round(f T) steps, then linear from 1 down to m over them

with T = total steps, m = min_lr_ratio, f = decay_fraction; after T the multiplier stays m.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch

from conf import ConfigError
from conf.train_schema import TrainConfig, TrainScheduleConfig

SCHEDULES = ("cosine", "linear", "wsd")


def total_steps(train: TrainConfig) -> int:
    """`train.schedule.total_steps`, else `train.max_steps`; one of them must be set."""
    total = train.schedule.total_steps if train.schedule.total_steps is not None else train.max_steps
    if total is None:
        raise ConfigError("the lr schedule needs a horizon: set train.schedule.total_steps or train.max_steps")
    if total <= train.schedule.warmup_steps:
        raise ConfigError(f"train.schedule.total_steps ({total}) must exceed "
                          f"train.schedule.warmup_steps ({train.schedule.warmup_steps})")
    return total


def lr_multiplier(s: TrainScheduleConfig, total: int) -> Callable[[int], float]:
    """The function step -> lr / peak lr for schedule `s` over `total` steps."""
    if s.name not in SCHEDULES:
        raise ConfigError(f"train.schedule.name must be one of {', '.join(SCHEDULES)}, got {s.name!r}")
    if not 0.0 <= s.min_lr_ratio <= 1.0:
        raise ConfigError(f"train.schedule.min_lr_ratio must be in [0, 1], got {s.min_lr_ratio}")
    if not 0.0 < s.decay_fraction <= 1.0:
        raise ConfigError(f"train.schedule.decay_fraction must be in (0, 1], got {s.decay_fraction}")
    warmup, floor = s.warmup_steps, s.min_lr_ratio
    decay_start = max(warmup, total - round(s.decay_fraction * total))

    def multiplier(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        if s.name == "wsd":
            if step < decay_start:
                return 1.0
            p = min(1.0, (step - decay_start) / max(1, total - decay_start))
            return 1.0 - (1.0 - floor) * p
        p = min(1.0, (step - warmup) / (total - warmup))
        if s.name == "cosine":
            return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * p))
        return 1.0 - (1.0 - floor) * p

    return multiplier


def build_scheduler(optimizer: torch.optim.Optimizer, train: TrainConfig) -> torch.optim.lr_scheduler.LambdaLR:
    """LambdaLR over `optimizer` following `train.schedule`; call `.step()` after each optimiser step."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_multiplier(train.schedule, total_steps(train)))
