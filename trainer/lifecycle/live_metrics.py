"""The trainer's Prometheus gauges (monitoring/serve.py), one window per log step, for both backends.

Per step the loop only reads the clock: `batch_loaded(seconds, tokens)` after each batch (the
data wait and this rank's tokens), `step_done()` once the optimiser applied it (a step the
spike guard refused does not count). At a log step `log_step(...)` does the one collective
of the exporter, a SUM of three float64 (window seconds, data-wait seconds, tokens) over the
ranks, divided afterwards (gloo's AVG is avoided, as in trainer/lifecycle/collectives.py):

    tokens/s          = sum(tokens) / mean(window seconds)            all ranks together
    data-wait share   = mean(wait seconds) / mean(window seconds)
    MFU               = flops/token * tokens/s / (world * peak FLOP/s of one device)

Loss, channel losses, grad norm and lr are already global (identical on every rank) when they
arrive. Only rank 0 serves; on the other ranks the setters do nothing. MFU is exported only
when the peak FLOP/s of the device is known (`monitoring.peak_flops_per_device`, or torchtitan's
table of GPUs on the GPU backend); a CPU has none, so its MFU series stays absent.

>>> live = LiveMetrics(cfg, rank=0, world_size=2)                                # doctest: +SKIP
>>> live.batch_loaded(0.01, tokens=256); live.step_done()                        # doctest: +SKIP
>>> live.log_step(step=1, chunk_id=0, loss=5.5, grad_norm=1.2, lr=1e-3, channels=means)  # doctest: +SKIP
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from conf import ConfigError
from monitoring.serve import TrainerMetrics
from trainer.lifecycle.collectives import sum_tensor

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

ALL = "_all"  # ChannelLoss's whole-window entry: the loss gauge, not a category
A100_FALLBACK_FLOPS = 312e12  # what torchtitan's get_peak_flops answers for a device it does not know


@dataclass(frozen=True)
class Window:
    """One log window reduced over the ranks."""

    tokens: float
    tokens_per_second: float
    data_wait_ratio: float
    mfu: float | None


def known_peak_flops(device_name: str) -> float | None:
    """Peak bf16 FLOP/s of one GPU from torchtitan's table; None for a device it only guesses (A100)."""
    from torchtitan.tools.utils import get_peak_flops

    peak = get_peak_flops(device_name)
    return None if peak == A100_FALLBACK_FLOPS and "A100" not in device_name else peak


class LiveMetrics:
    """Window accounting and the rank-0 `/metrics` endpoint of one training process."""

    def __init__(self, cfg: PipelineConfig, *, rank: int, world_size: int, flops_per_token: float | None = None,
                 device_peak_flops: float | None = None):
        peak = cfg.monitoring.peak_flops_per_device
        if peak is not None and peak <= 0:
            raise ConfigError(f"monitoring.peak_flops_per_device must be null or > 0, got {peak}")
        self.world = world_size
        self.flops_per_token = flops_per_token
        self.peak = peak if peak is not None else device_peak_flops
        try:
            self.serve = TrainerMetrics.start(cfg.monitoring.trainer_listen, rank)
        except OSError as exc:  # another trainer (or anything) holds the port
            raise ConfigError(f"cannot serve metrics on monitoring.trainer_listen={cfg.monitoring.trainer_listen} "
                              f"({exc.strerror}): set a free port, or port 0 for any") from None
        # Counters exist from the start at 0, so rate() and a "no rollbacks" panel have a series.
        for name in ("flywheel_train_loss_spikes_total", "flywheel_train_rollbacks_total",
                     "flywheel_train_tokens_total"):
            self.serve.inc(name, 0.0)
        self._start = time.perf_counter()
        self._wait = self._tokens = self._pending = 0.0

    # ---- per step: clock reads only ----------------------------------------------------------
    def batch_loaded(self, seconds: float, tokens: int) -> None:
        """A batch arrived after `seconds` of waiting, holding `tokens` tokens of this rank."""
        self._wait += seconds
        self._pending = float(tokens)

    def step_done(self) -> None:
        """The last loaded batch was trained on (its tokens count)."""
        self._tokens += self._pending
        self._pending = 0.0

    def spike(self) -> None:
        """The spike guard refused a step and the run rolls back (every rank agrees)."""
        self._pending = 0.0
        self.serve.inc("flywheel_train_loss_spikes_total")
        self.serve.inc("flywheel_train_rollbacks_total")

    def checkpoint_saved(self, unix_time: float | None = None) -> None:
        """A checkpoint was written now (or, on resume, at `unix_time`)."""
        self.serve.set("flywheel_train_checkpoint_timestamp_seconds", time.time() if unix_time is None else unix_time)

    # ---- per log step: one all-reduce --------------------------------------------------------
    def reduce_window(self) -> Window:
        """Collective: this window over all ranks; then start the next one."""
        now = time.perf_counter()
        local = torch.tensor([now - self._start, self._wait, self._tokens], dtype=torch.float64)
        seconds, wait, tokens = (sum_tensor(local) / torch.tensor([self.world, self.world, 1.0])).tolist()
        self._start, self._wait, self._tokens = now, 0.0, 0.0
        tps = tokens / seconds if seconds > 0 else 0.0
        mfu = None
        if self.peak is not None and self.flops_per_token is not None:
            mfu = self.flops_per_token * tps / (self.world * self.peak)
        return Window(tokens, tps, min(wait / seconds, 1.0) if seconds > 0 else 0.0, mfu)

    def log_step(self, *, step: int, chunk_id: int | None, loss: float, grad_norm: float, lr: float,
                 channels: dict[str, tuple[float, int]]) -> Window:
        """Collective: reduce the window and (rank 0) set every gauge; returns the reduced window."""
        w = self.reduce_window()
        s = self.serve
        s.set("flywheel_train_loss", loss)
        for category, (mean, _tokens) in channels.items():
            if category != ALL:
                s.set("flywheel_train_channel_loss", mean, category=category)
        s.set("flywheel_train_grad_norm", grad_norm)
        s.set("flywheel_train_learning_rate", lr)
        s.set("flywheel_train_step_id", step)
        if chunk_id is not None:
            s.set("flywheel_train_chunk_id", chunk_id)
        s.set("flywheel_train_tokens_per_second", w.tokens_per_second)
        s.inc("flywheel_train_tokens_total", w.tokens)
        s.set("flywheel_train_data_wait_ratio", w.data_wait_ratio)
        if w.mfu is not None:
            s.set("flywheel_train_mfu_ratio", w.mfu)
        return w

    def close(self) -> None:
        """Stop serving (rank 0)."""
        self.serve.close()
