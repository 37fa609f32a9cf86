"""DCP checkpoints of the CPU backend: model, optimiser, lr scheduler, loader and train state.

Names, the LATEST pointer, rotation and rollback targets are trainer/lifecycle/checkpoints.py's
(shared with the GPU backend); this module writes and reads one folder. Layout:

    .metadata, *.distcp   DCP: model and optim (sharded FSDP2 DTensors via get_state_dict) and
                          the scheduler; written last, so `.metadata` present = complete
    loader-rank<r>.json   per rank: each rank reads its own shard of the blocks, so its position
                          is its own (as torchtitan keeps per-rank `dataloader` keys)
    meta.json             train state (step, chunk, ...), dp world size, format version

The JSON files are written before the DCP shards, so a run killed mid-save leaves a folder
without `.metadata`, which resume and rollback ignore.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

from conf.errors import UserError

FORMAT_VERSION = 1
META_FILE = "meta.json"


class CheckpointMismatchError(UserError, ValueError):
    """A checkpoint was written by another format version or data-parallel world size."""


def save_checkpoint(folder: Path, *, model, optimizer, scheduler, loader_state: dict, train_state: dict) -> None:
    """Write a complete checkpoint at `folder` (collective: every rank calls it).

    `train_state` (JSON) must hold `step`; the dp world size and format version are added.
    """
    rank, world = dist.get_rank(), dist.get_world_size()
    if rank == 0:
        if folder.exists():
            shutil.rmtree(folder)  # a stale folder (same chunk trained again after a rollback)
        folder.mkdir(parents=True)
        meta = {**train_state, "dp_world_size": world, "format_version": FORMAT_VERSION}
        (folder / META_FILE).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    dist.barrier()
    (folder / _loader_file(rank)).write_text(json.dumps(loader_state, sort_keys=True), encoding="utf-8")
    model_sd, optim_sd = get_state_dict(model, optimizer)
    dcp.save({"model": model_sd, "optim": optim_sd, "scheduler": scheduler.state_dict()},
             checkpoint_id=str(folder))
    dist.barrier()


def read_meta(folder: Path) -> dict:
    """The train state rank 0 wrote into the checkpoint (step, chunk, world size, format)."""
    return json.loads((folder / META_FILE).read_text(encoding="utf-8"))


def load_checkpoint(folder: Path, *, model, optimizer, scheduler) -> tuple[dict, dict]:
    """Restore model, optimiser and scheduler in place; returns (this rank's loader state, train state)."""
    meta = read_meta(folder)
    world = dist.get_world_size()
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointMismatchError(
            f"checkpoint {folder} has format version {meta.get('format_version')}, this trainer reads "
            f"{FORMAT_VERSION}: resume it with the trainer version that wrote it")
    if meta["dp_world_size"] != world:
        raise CheckpointMismatchError(
            f"checkpoint {folder} was written by {meta['dp_world_size']} data-parallel ranks, this run has "
            f"{world}: the loader position is per rank, so resume with --nproc_per_node={meta['dp_world_size']}")
    model_sd, optim_sd = get_state_dict(model, optimizer)
    state = {"model": model_sd, "optim": optim_sd, "scheduler": scheduler.state_dict()}
    dcp.load(state, checkpoint_id=str(folder))
    set_state_dict(model, optimizer, model_state_dict=state["model"], optim_state_dict=state["optim"])
    scheduler.load_state_dict(state["scheduler"])
    loader_state = json.loads((folder / _loader_file(dist.get_rank())).read_text(encoding="utf-8"))
    return loader_state, meta


def _loader_file(rank: int) -> str:
    return f"loader-rank{rank}.json"
