"""The few collectives the lifecycle needs, identical on one process and under torchrun.

Every decision that changes what a rank does next (checkpoint now, roll back) goes through one
of these, so all ranks act alike. Reductions use SUM and divide afterwards: gloo's AVG has a
reported correctness bug, and MAX over booleans is a SUM > 0. Without an initialised process
group (unit tests, one-process runs) each function is the identity.
"""
from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist


def _active(group: dist.ProcessGroup | None) -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size(group) > 1


def rank(group: dist.ProcessGroup | None = None) -> int:
    """This process's rank in `group` (0 without a process group)."""
    return dist.get_rank(group) if dist.is_available() and dist.is_initialized() else 0


def _device(group: dist.ProcessGroup | None) -> torch.device:
    """Where a tensor must live for `group`'s backend: CPU for gloo, the current GPU for NCCL alone
    (torchtitan's GPU runs use plain `nccl` unless CPU offload adds `cpu:gloo`)."""
    backend = str(dist.get_backend(group))
    if "gloo" in backend or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", torch.cuda.current_device())


def sum_tensor(values: torch.Tensor, group: dist.ProcessGroup | None = None) -> torch.Tensor:
    """Element-wise SUM of `values` over the ranks of `group`, returned on CPU (the input is untouched).

    >>> sum_tensor(torch.tensor([1.0, 2.0])).tolist()  # one process: unchanged
    [1.0, 2.0]
    """
    out = values.detach().to("cpu", copy=True)
    if _active(group):
        on_device = out.to(_device(group))
        dist.all_reduce(on_device, op=dist.ReduceOp.SUM, group=group)
        out = on_device.cpu()
    return out


def any_rank(flag: bool, group: dist.ProcessGroup | None = None) -> bool:
    """True on every rank when `flag` is True on at least one rank."""
    return bool(sum_tensor(torch.tensor([int(flag)], dtype=torch.int64), group).item() > 0)


def gather_objects(obj: Any, group: dist.ProcessGroup | None = None) -> list[Any]:
    """`obj` of every rank, in rank order, on every rank (picklable objects; small ones only)."""
    if not _active(group):
        return [obj]
    out: list[Any] = [None] * dist.get_world_size(group)
    dist.all_gather_object(out, obj, group=group)
    return out
