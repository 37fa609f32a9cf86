"""Loss-spike guard: one rule over recent step losses, decided identically on every rank.

Rule (`train.spike.rule`), over the last `window` step losses once `min_steps` are in it:
  zscore  spike when loss > mean + max_zscore * std   (population std of the window)
  ratio   spike when loss > max_ratio * mean
A non-finite loss is a spike whatever the window holds. Each step costs two tiny all-reduces:
one SUM of (loss sum, tokens) so every rank sees the same global mean loss, one SUM of the
local verdicts so all ranks agree even if a float differed. Spike steps do not enter the window.

Blame (`explain`, only after a spike, for `on_spike: skip_blocks`): the (chunk_id, block_id) and
loss of every block of the step are gathered from all ranks, and the highest-loss blocks are
removed one by one until the remaining blocks' mean is back under the limit: the smallest set
of blocks that explains the spike (one garbage block among 8: that block alone).

>>> guard = SpikeGuard(cfg.train.spike)                                    # doctest: +SKIP
>>> sums, tokens = per_block_loss(token_loss, labels)                     # (B,) float64, (B,) int64
>>> decision = guard.check(sums.sum(), tokens.sum())                      # doctest: +SKIP
>>> if decision.spike:                                                     # doctest: +SKIP
...     bad = guard.explain(decision, loader.last_block_ids, sums, tokens)
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
import torch.distributed as dist

from trainer.lifecycle.collectives import any_rank, gather_objects, sum_tensor

if TYPE_CHECKING:
    from conf.train_schema import TrainSpikeConfig

RULES = ("zscore", "ratio")
POLICIES = ("retry", "skip_blocks")
IGNORE_INDEX = -100


class SpikeLimitError(RuntimeError):
    """More rollbacks than `train.spike.max_rollbacks`: the data or the learning rate is broken."""


@dataclass(frozen=True)
class SpikeDecision:
    """Outcome of one step: `loss` is the global token-weighted mean, `limit` the threshold it was held
    to (None while the window holds fewer than `min_steps` losses)."""

    spike: bool
    loss: float
    limit: float | None


def per_block_loss(token_loss: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed loss (float64) and scored-token count (int64) of each row of a (B, L) batch.

    `token_loss` is the unreduced cross entropy; positions whose label is -100 are not counted.
    """
    scored = labels != IGNORE_INDEX
    sums = torch.where(scored, token_loss.detach().to(torch.float64), 0.0).sum(dim=1)
    return sums, scored.sum(dim=1, dtype=torch.int64)


class SpikeGuard:
    """Decides, step by step, whether the loss spiked; keeps the window in `state_dict` for resume."""

    FORMAT = 1

    def __init__(self, conf: TrainSpikeConfig, group: dist.ProcessGroup | None = None):
        if conf.rule is not None and conf.rule not in RULES:
            raise ValueError(f"train.spike.rule must be one of {', '.join(RULES)} or null, got {conf.rule!r}")
        if conf.on_spike not in POLICIES:
            raise ValueError(f"train.spike.on_spike must be one of {', '.join(POLICIES)}, got {conf.on_spike!r}")
        if not 1 <= conf.min_steps <= conf.window:
            raise ValueError(f"train.spike.min_steps must be in 1..window ({conf.window}), got {conf.min_steps}")
        self.conf = conf
        self.group = group
        self.window: deque[float] = deque(maxlen=conf.window)
        self.rollbacks = 0

    @property
    def enabled(self) -> bool:
        return self.conf.rule is not None

    @property
    def on_spike(self) -> str:
        """retry | skip_blocks."""
        return self.conf.on_spike

    def limit(self) -> float | None:
        """Loss above which the next step is a spike; None until `min_steps` losses are in the window."""
        if len(self.window) < self.conf.min_steps:
            return None
        mean = math.fsum(self.window) / len(self.window)
        if self.conf.rule == "ratio":
            return self.conf.max_ratio * mean
        std = math.sqrt(math.fsum((x - mean) ** 2 for x in self.window) / len(self.window))
        return mean + self.conf.max_zscore * std

    def check(self, loss_sum: float | torch.Tensor, tokens: int | torch.Tensor) -> SpikeDecision:
        """Collective: this rank's summed token loss and token count in, the same decision out on all ranks."""
        total = sum_tensor(torch.tensor([float(loss_sum), float(tokens)], dtype=torch.float64), self.group)
        loss = total[0].item() / total[1].item() if total[1].item() > 0 else math.nan
        if not self.enabled:
            return SpikeDecision(spike=False, loss=loss, limit=None)
        limit = self.limit()
        spike = any_rank(not math.isfinite(loss) or (limit is not None and loss > limit), self.group)
        if not spike:
            self.window.append(loss)
        return SpikeDecision(spike=spike, loss=loss, limit=limit)

    def explain(self, decision: SpikeDecision, block_ids: Sequence[tuple[int, int]],
                loss_sums: Sequence[float] | torch.Tensor, tokens: Sequence[int] | torch.Tensor) -> list[tuple[int, int]]:
        """Collective: the smallest set of the step's blocks (over all ranks) whose removal brings the mean
        loss back to the limit, highest loss first; sorted (chunk_id, block_id) pairs, same on all ranks."""
        local = [((int(c), int(b)), float(s), int(n))
                 for (c, b), s, n in zip(block_ids, _floats(loss_sums), _ints(tokens), strict=True)]
        blocks = [item for part in gather_objects(local, self.group) for item in part]
        return _blame(blocks, decision.limit)

    def record_rollback(self) -> int:
        """Count a rollback; raises SpikeLimitError past `max_rollbacks`. Returns the count so far."""
        self.rollbacks += 1
        if self.rollbacks > self.conf.max_rollbacks:
            raise SpikeLimitError(
                f"loss spiked {self.rollbacks} times in this run (train.spike.max_rollbacks = "
                f"{self.conf.max_rollbacks}): check the excluded_docs rows and the learning rate, then resume")
        return self.rollbacks

    def state_dict(self) -> dict:
        """The window of recent losses (what a resumed run needs to decide as the first one would)."""
        return {"format": self.FORMAT, "window": torch.tensor(list(self.window), dtype=torch.float64)}

    def load_state_dict(self, state: dict) -> None:
        """Restore the window; the rollback count is kept (it counts this run, not the checkpoint)."""
        if int(state["format"]) != self.FORMAT:
            raise ValueError(f"spike guard state has format {int(state['format'])}, this trainer reads "
                             f"format {self.FORMAT}: resume with the trainer version that wrote it")
        self.window = deque(state["window"].tolist(), maxlen=self.conf.window)


def _floats(values) -> list[float]:
    return values.tolist() if isinstance(values, torch.Tensor) else [float(v) for v in values]


def _ints(values) -> list[int]:
    return values.tolist() if isinstance(values, torch.Tensor) else [int(v) for v in values]


def _blame(blocks: list[tuple[tuple[int, int], float, int]], limit: float | None) -> list[tuple[int, int]]:
    """Drop the highest-mean blocks one by one until the rest's mean is finite and not above `limit`.

    Quadratic in the blocks of one step (B x ranks, hundreds at most), and only run after a spike.
    """
    def mean(item) -> float:
        _, s, n = item
        value = s / n if n else 0.0
        return value if math.isfinite(value) else math.inf

    order = sorted(blocks, key=lambda item: (-mean(item), item[0]))
    for cut in range(len(order) + 1):
        left = order[cut:]
        tokens = sum(n for _, _, n in left)
        rest = math.fsum(s for _, s, _ in left) / tokens if tokens else 0.0
        if math.isfinite(rest) and (limit is None or rest <= limit):
            return sorted(key for key, _, _ in order[:cut])
    return sorted(key for key, _, _ in order)
