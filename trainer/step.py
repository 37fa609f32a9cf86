"""One optimiser step: forward under the document mask, global-mean loss, backward, clip, update.

The loss of a step is the mean over all non-ignored tokens of all ranks:
    loss = sum_r sum_tokens(ce) / sum_r n_tokens
Each rank backpropagates its own sum divided by the global count (one all-reduce of two numbers
before backward), and FSDP sums the gradients (trainer/fsdp.py), so no AVG reduction is used
anywhere. The global loss is known before backward, so the spike guard can refuse a step
before it changes the weights.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn.functional as F

from trainer.model import document_causal_mask

IGNORE_INDEX = -100


@dataclass
class Forward:
    """What the forward pass of one batch left for the decision and the backward."""
    local_sum: torch.Tensor
    """Sum of this rank's token losses (with its graph)."""
    token_losses: torch.Tensor
    """Float[B, L] per-token losses (detached; 0 where labels are ignored): channel loss."""
    global_tokens: int
    """Non-ignored tokens of the step over all ranks."""
    loss: float
    """Global mean loss of the step (identical on every rank)."""


def forward(model, inputs: dict, labels: torch.Tensor) -> Forward:
    """Run the model on one batch (`inputs` = input + positions) and reduce the loss over ranks."""
    positions = inputs["positions"]
    logits = model(inputs["input"], positions, attention_masks=document_causal_mask(positions))
    token_losses = F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(),
                                   ignore_index=IGNORE_INDEX, reduction="none").view(labels.shape)
    local_sum = token_losses.sum()
    totals = torch.stack([local_sum.detach().double(), (labels != IGNORE_INDEX).sum().double()])
    dist.all_reduce(totals, op=dist.ReduceOp.SUM)
    global_sum, global_tokens = totals.tolist()
    if global_tokens == 0:
        raise ValueError("a training batch has no target tokens on any rank (all labels are -100)")
    return Forward(local_sum=local_sum, token_losses=token_losses.detach(),
                   global_tokens=int(global_tokens), loss=global_sum / global_tokens)


def backward(fwd: Forward) -> None:
    """Backpropagate this rank's share of the global mean loss."""
    (fwd.local_sum / fwd.global_tokens).backward()
