"""The `save` trigger: `touch <run_dir>/save` and every rank checkpoints at the next step.

Each rank looks for the file itself (on several nodes a run folder may be node-local), then one
all-reduce makes the answer the same everywhere: if any rank saw it, all ranks save, so no rank
waits alone inside a collective DCP save. Each rank that saw the file removes it once the
checkpoint is written. Cost: one 8-byte all-reduce every `check_every` steps.

>>> trigger = SaveTrigger(cfg.train.save, run_dir=cfg.train.run_dir)      # doctest: +SKIP
>>> if trigger.requested(step):                                            # doctest: +SKIP
...     save_checkpoint(step_checkpoint_name(step))
...     trigger.done()
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch.distributed as dist

from trainer.lifecycle.collectives import any_rank

if TYPE_CHECKING:
    from conf.train_schema import TrainSaveConfig


class SaveTrigger:
    """Asks, every `check_every` steps, whether any rank found the trigger file."""

    def __init__(self, conf: TrainSaveConfig, *, run_dir: str | Path, group: dist.ProcessGroup | None = None):
        if conf.check_every < 1:
            raise ValueError(f"train.save.check_every must be >= 1, got {conf.check_every}")
        self.path = Path(run_dir) / conf.file_name
        self.check_every = conf.check_every
        self.group = group
        self._seen = False

    def requested(self, step: int) -> bool:
        """True on every rank when any rank sees the file at this step (collective on check steps)."""
        if step % self.check_every:
            return False
        self._seen = self.path.exists()
        return any_rank(self._seen, self.group)

    def done(self) -> None:
        """The checkpoint is written: remove the file where this rank saw it."""
        if self._seen:
            self.path.unlink(missing_ok=True)
            self._seen = False
