"""FSDP2 on CPU over gloo: `fully_shard` each transformer block, then the whole model.

Gradients are reduce-scattered with SUM and no division: FSDP2 would use ReduceOp.AVG for
fp32 grads, and gloo's AVG has a reported correctness bug. The loss is divided by the global
token count instead (see trainer/step.py), so the summed gradient is the gradient of the
global mean loss, the same as one process computing the whole batch.
"""
from __future__ import annotations

import torch.distributed as dist
import torch.nn as nn
from torch.distributed.device_mesh import DeviceMesh, init_device_mesh
from torch.distributed.fsdp import FSDPModule, fully_shard


def cpu_mesh() -> DeviceMesh:
    """A 1-D data-parallel mesh over all ranks of the initialised (gloo) process group."""
    return init_device_mesh("cpu", (dist.get_world_size(),), mesh_dim_names=("dp",))


def shard_model(model: nn.Module, mesh: DeviceMesh) -> nn.Module:
    """Shard `model` (a torchtitan Decoder) in place: one FSDP unit per block plus the root."""
    for block in model.layers.values():
        fully_shard(block, mesh=mesh)
    fully_shard(model, mesh=mesh)
    for module in model.modules():
        if isinstance(module, FSDPModule):
            module.set_force_sum_reduction_for_comms(True)
            module.set_gradient_divide_factor(1.0)
    return model
