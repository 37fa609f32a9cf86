"""AdamW from `train.optim`, and gradient clipping of the global norm (FSDP2 DTensor grads).

Weight decay applies to the matrices of attention and feed-forward layers and the output head;
embeddings and norm weights get none (decaying a norm gain towards 0 only hurts).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from conf import ConfigError
from conf.train_schema import TrainOptimConfig


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Two AdamW groups, in `named_parameters` order: decayed matrices, then the rest."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        is_matrix = param.ndim >= 2 and "tok_embeddings" not in name
        (decay if is_matrix else no_decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def build_optimizer(model: nn.Module, o: TrainOptimConfig) -> torch.optim.AdamW:
    """AdamW with the configured lr, betas, eps and decoupled weight decay."""
    if len(o.betas) != 2 or not all(0.0 <= b < 1.0 for b in o.betas):
        raise ConfigError(f"train.optim.betas must be two numbers in [0, 1), got {o.betas}")
    # foreach=False: one kernel per tensor keeps the update order fixed whatever the sharding.
    return torch.optim.AdamW(param_groups(model, o.weight_decay), lr=o.lr, betas=tuple(o.betas),
                             eps=o.eps, foreach=False)


def clip_gradients(model: nn.Module, max_norm: float | None) -> float:
    """Clip the global gradient norm to `max_norm` (None: measure only); returns the norm before.

    Under FSDP2 the grads are sharded DTensors: the norm is a DTensor whose `full_tensor()`
    reduces the per-shard squares over the mesh, so every rank gets the same number.
    """
    params = [p for p in model.parameters() if p.grad is not None]
    norm = torch.nn.utils.get_total_norm([p.grad for p in params], norm_type=2.0, foreach=False)
    if hasattr(norm, "full_tensor"):
        norm = norm.full_tensor()
    if max_norm is not None:
        torch.nn.utils.clip_grads_with_norm_(params, max_norm, norm, foreach=False)
    return float(norm)
