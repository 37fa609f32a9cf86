"""What a run does when the spike guard fires, written once for both backends.

    decision = guard.check(...)            # all ranks agree
    if decision.spike:
        plan = roll_back_on_spike(cfg, guard, decision, run_dir=..., run_id=..., chunk_id=k, step=s,
                                  block_ids=loader.last_block_ids, loss_sums=sums, tokens=tokens)
        # backend: load plan.target (None = re-initialise from the seed), restart chunk k
        # leaving out plan.skip_blocks, then ledger.start(k) again

Collective (all ranks call it). Rank 0 writes: the doc ids of the blamed blocks to
`excluded_docs` (`on_spike: skip_blocks`), the chunk row `training -> rolled_back` with the
step, and the run folder (every `step-<n>` deleted so no resume lands in the abandoned future;
LATEST pointed at the target). A barrier then lets every rank load the target.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
import torch.distributed as dist

from trainer.lifecycle.checkpoints import LATEST_FILE, checkpoints_dir, discard_steps, mark_latest, rollback_target
from trainer.lifecycle.chunk_ledger import ChunkLedger
from trainer.lifecycle.collectives import any_rank, rank
from trainer.lifecycle.exclusions import SPIKE_REASON, write_exclusions
from trainer.lifecycle.spike import SpikeDecision, SpikeGuard

if TYPE_CHECKING:
    from conf.schema import PipelineConfig


@dataclass(frozen=True)
class Rollback:
    """Where to go after a spike in chunk `chunk_id`."""

    chunk_id: int
    target: Path | None
    """Checkpoint to load (`chunk-<j>` or `init`); None = re-initialise the model from the seed."""
    skip_blocks: list[tuple[int, int]]
    """(chunk_id, block_id) the loader leaves out from now on ([] for `on_spike: retry`)."""
    excluded_docs: int
    """`excluded_docs` rows written (0 off rank 0)."""


def roll_back_on_spike(cfg: PipelineConfig, guard: SpikeGuard, decision: SpikeDecision, *, run_dir: str | Path,
                       run_id: str, chunk_id: int, step: int, block_ids: Sequence[tuple[int, int]],
                       loss_sums: Sequence[float] | torch.Tensor, tokens: Sequence[int] | torch.Tensor,
                       blocks_version: int | None = None, group: dist.ProcessGroup | None = None) -> Rollback:
    """Collective: count the rollback (SpikeLimitError past the limit), blame, record, point the run back."""
    guard.record_rollback()
    skip = guard.explain(decision, block_ids, loss_sums, tokens) if guard.on_spike == "skip_blocks" else []
    target = rollback_target(run_dir, chunk_id)
    written = 0
    if rank(group) == 0:
        if skip:
            written = write_exclusions(cfg, skip, reason=SPIKE_REASON, step=step, run_id=run_id,
                                       version=blocks_version)
        ChunkLedger(cfg, run_dir).roll_back(chunk_id, step=step)
        discard_steps(run_dir)
        if target is not None:
            mark_latest(run_dir, target.name)
        else:
            (checkpoints_dir(run_dir) / LATEST_FILE).unlink(missing_ok=True)
    any_rank(False, group)  # barrier: nobody loads before rank 0 has rewritten the run folder
    return Rollback(chunk_id=chunk_id, target=target, skip_blocks=skip, excluded_docs=written)
