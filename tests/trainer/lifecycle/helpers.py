"""Shared by the lifecycle tests: real DCP checkpoint folders and a two-process gloo runner."""
from __future__ import annotations

import os
import pickle
import socket
import tempfile
import traceback
import warnings
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
import torch.multiprocessing as mp


def write_checkpoint(path: Path, value: float = 0.0) -> Path:
    """A real (one-process) DCP checkpoint folder at `path` holding one small tensor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DCP warns that it runs without a process group
        dcp.save({"w": torch.full((2,), value)}, checkpoint_id=str(path))
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, out_dir: str, fn, args) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    # A timeout, so a rank that failed cannot leave the other blocked in a collective forever.
    dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=120))
    try:
        result = ("ok", fn(rank, *args))
    except BaseException:  # the parent re-raises it with the child's traceback
        result = ("error", traceback.format_exc())
    finally:
        dist.destroy_process_group()
    with open(os.path.join(out_dir, f"rank{rank}.pkl"), "wb") as f:
        pickle.dump(result, f)


def run_ranks(fn, *args, world: int = 2) -> list:
    """Run `fn(rank, *args)` in `world` spawned processes joined in a real gloo group; their results.

    `fn` must be a module-level function (spawn pickles it by name) returning picklable values.
    """
    out_dir = tempfile.mkdtemp(prefix="lifecycle-ranks-")
    mp.start_processes(_worker, args=(world, _free_port(), out_dir, fn, args), nprocs=world, join=True,
                       start_method="spawn")
    out = []
    for r in range(world):
        with open(os.path.join(out_dir, f"rank{r}.pkl"), "rb") as f:
            out.append(pickle.load(f))
    errors = [msg for status, msg in out if status == "error"]
    if errors:
        raise AssertionError("a rank failed:\n" + "\n".join(errors))
    return [value for _, value in out]
