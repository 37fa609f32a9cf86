"""Learning-rate schedules: linear warmup, then cosine, linear or warmup-stable-decay (wsd).

Each is a multiplier of `train.optim.lr` as a function of the optimiser step (0-based), wrapped
in a `LambdaLR` whose state (the step count) goes into every checkpoint.

    warmup   step < W:   (step + 1) / W            (lr / W at the first step, lr at step W - 1)
    cosine   p in [0,1]: m + (1 - m) (1 + cos(pi p)) / 2,   p = (step - W) / (T - W)
    linear               1 - (1 - m) p
    wsd      1 until the last round(f T) steps, then linear from 1 down to m over them

with T = total steps, m = min_lr_ratio, f = decay_fraction; after T the multiplier stays m.

wsd with `train.schedule.decay_phase` (e.g. anneal) puts the decay on that phase of
`mix.phases` instead: every chunk holds the same number of blocks, so chunk k starts at step
k * S with S = floor(blocks per chunk / (local_batch_size * dp world size)) (the loader's
rule: a partial global batch at a chunk's end is left out); the decay runs from the phase's
first chunk to its end, which is also T. Blocks a spike rollback skips shorten their chunk,
so the decay then starts that many steps late at most.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch

from conf import ConfigError
from conf.mix_phases import chunk_tokens, find_phase
from conf.schema import PipelineConfig
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


def steps_per_chunk(cfg: PipelineConfig, dp_world_size: int) -> int:
    """Optimiser steps one chunk gives: its blocks over the global batch, rounded down (the loader's rule)."""
    blocks = chunk_tokens(cfg.mix) // (cfg.mix.seq_len + 1)
    steps = blocks // (cfg.train.local_batch_size * dp_world_size)
    if steps == 0:
        raise ConfigError(f"a chunk of {blocks} blocks gives no step at train.local_batch_size="
                          f"{cfg.train.local_batch_size} x {dp_world_size} ranks: raise mix.chunk_tokens")
    return steps


def decay_window(cfg: PipelineConfig, dp_world_size: int) -> tuple[int, int] | None:
    """(first decay step, total steps) of wsd over the chunks of `train.schedule.decay_phase`;
    None when the schedule is not wsd, no phase is named, or `mix.phases` has no such phase."""
    s = cfg.train.schedule
    span = find_phase(cfg.mix, s.decay_phase) if s.name == "wsd" and s.decay_phase else None
    if span is None:
        return None
    per_chunk = steps_per_chunk(cfg, dp_world_size)
    start, total = span.first * per_chunk, span.end * per_chunk
    if start < s.warmup_steps:
        raise ConfigError(f"train.schedule.decay_phase {s.decay_phase!r} starts at step {start}, inside the "
                          f"{s.warmup_steps} train.schedule.warmup_steps: shorten the warmup or lengthen the earlier phases")
    return start, total


def lr_multiplier(s: TrainScheduleConfig, total: int, decay_start: int | None = None) -> Callable[[int], float]:
    """The function step -> lr / peak lr for schedule `s` over `total` steps; wsd decays from
    `decay_start` when given (decay_window), else over the last decay_fraction of `total`."""
    if s.name not in SCHEDULES:
        raise ConfigError(f"train.schedule.name must be one of {', '.join(SCHEDULES)}, got {s.name!r}")
    if not 0.0 <= s.min_lr_ratio <= 1.0:
        raise ConfigError(f"train.schedule.min_lr_ratio must be in [0, 1], got {s.min_lr_ratio}")
    if not 0.0 < s.decay_fraction <= 1.0:
        raise ConfigError(f"train.schedule.decay_fraction must be in (0, 1], got {s.decay_fraction}")
    warmup, floor = s.warmup_steps, s.min_lr_ratio
    if decay_start is None:
        decay_start = total - round(s.decay_fraction * total)
    decay_start = max(warmup, decay_start)

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


def schedule_for(cfg: PipelineConfig, dp_world_size: int) -> Callable[[int], float]:
    """The multiplier of `train.schedule` for a run of `dp_world_size` data-parallel ranks."""
    window = decay_window(cfg, dp_world_size)
    if window is None:
        return lr_multiplier(cfg.train.schedule, total_steps(cfg.train))
    start, total = window
    return lr_multiplier(cfg.train.schedule, total, decay_start=start)


def build_scheduler(optimizer: torch.optim.Optimizer, cfg: PipelineConfig,
                    dp_world_size: int) -> torch.optim.lr_scheduler.LambdaLR:
    """LambdaLR over `optimizer` following `train.schedule`; call `.step()` after each optimiser step."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, schedule_for(cfg, dp_world_size))
