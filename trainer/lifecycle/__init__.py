"""Backend-free lifecycle of a training run, shared by the CPU loop and the torchtitan module.

One step of either backend, in order (`sums, tokens = per_block_loss(token_loss, labels)`):

    channels.add(token_loss, category_ids, loader.categories)     # every step
    decision = guard.check(sums.sum(), tokens.sum())              # collective, every step
    if decision.spike:                                            # all ranks agree
        plan = roll_back_on_spike(cfg, guard, decision, ..., block_ids=loader.last_block_ids, ...)
    if step % log_every == 0:
        write_channel_losses(cfg, channels.reduce(), ...)         # reduce: collective; write: rank 0
    if trigger.requested(step):                                   # collective
        save(step_checkpoint_name(step)); mark_latest(...); trigger.done()
    at a chunk end: save(chunk_checkpoint_name(k)); mark_latest(...); ledger.finish(k, ...)

Checkpoint layout and resume pointer: `checkpoints`; `chunks` rows: `ChunkLedger`; the `save`
file: `SaveTrigger`; spikes: `SpikeGuard` + `roll_back_on_spike`; `excluded_docs`:
`exclusions`; `train_metrics`: `ChannelLoss`. Table writes happen on rank 0 only.
"""
from trainer.lifecycle.channel_loss import ChannelLoss, write_channel_losses
from trainer.lifecycle.checkpoints import (
    CheckpointNotFoundError,
    chunk_checkpoint_name,
    chunk_checkpoints,
    checkpoints_dir,
    latest_checkpoint,
    mark_latest,
    rollback_target,
    step_checkpoint_name,
    steps_to_purge,
)
from trainer.lifecycle.chunk_ledger import ChunkLedger
from trainer.lifecycle.exclusions import SPIKE_REASON, excluded_blocks, write_exclusions
from trainer.lifecycle.run import run_id
from trainer.lifecycle.save_trigger import SaveTrigger
from trainer.lifecycle.spike import SpikeDecision, SpikeGuard, SpikeLimitError, per_block_loss
from trainer.lifecycle.spike_rollback import Rollback, roll_back_on_spike

__all__ = [
    "SPIKE_REASON", "ChannelLoss", "CheckpointNotFoundError", "ChunkLedger", "Rollback", "SaveTrigger",
    "SpikeDecision", "SpikeGuard", "SpikeLimitError", "checkpoints_dir", "chunk_checkpoint_name",
    "chunk_checkpoints", "excluded_blocks", "latest_checkpoint", "mark_latest", "per_block_loss",
    "roll_back_on_spike", "rollback_target", "run_id", "step_checkpoint_name", "steps_to_purge", "write_channel_losses",
    "write_exclusions",
]
