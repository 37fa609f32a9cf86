"""Block-causal document attention on any device: SDPA with a dense boolean mask from `positions`.

torchtitan 0.3.0 applies the packed-document mask only through FlexAttention (a BlockMask) or
varlen attention, and its `ScaledDotProductAttention` refuses masks (causal only). FlexAttention
has no compiled CPU backward in torch 2.14.1, so the CPU backend plugs in this inner attention:
the same `(q, k, v, *, attention_masks, scale, enable_gqa)` call as torchtitan's, with the mask
built here from the same convention (a document starts where `positions` is 0).

Cost: the mask is B x L x L booleans (2 x 2048 x 2048 = 8 MB); fine on CPU at our sizes, and the
GPU backend uses FlexAttention instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torchtitan.protocols.module import Module


def document_causal_mask(positions: torch.Tensor) -> torch.Tensor:
    """Bool[B, 1, L, L], True where query i may attend key j: j <= i and both in one document.

    `positions` is Long[B, L] resetting to 0 at each document start (torchtitan's convention);
    tokens before the first 0 (a document continued from the previous block) form one document.

    >>> document_causal_mask(torch.tensor([[0, 1, 0, 1]]))[0, 0].int().tolist()
    [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]]
    """
    doc = torch.cumsum((positions == 0).to(torch.int32), dim=1)  # (B, L) document index
    same_doc = doc[:, :, None] == doc[:, None, :]  # (B, L, L)
    length = positions.shape[1]
    causal = torch.ones(length, length, dtype=torch.bool, device=positions.device).tril()
    return (same_doc & causal).unsqueeze(1)


class DocumentSDPA(Module):
    """Inner attention: `F.scaled_dot_product_attention` under `document_causal_mask`.

    `attention_masks` must be the Bool[B, 1, L, L] from `document_causal_mask` (the model passes
    it through every block unchanged); every row keeps its diagonal, so no row is all-masked.
    """

    @dataclass(kw_only=True, slots=True)
    class Config(Module.Config):
        pass

    def __init__(self, config: Config) -> None:
        super().__init__()

    def forward(self, q_BLNH: torch.Tensor, k_BLNH: torch.Tensor, v_BLNH: torch.Tensor, *,
                attention_masks: torch.Tensor | None = None, scale: float | None = None,
                enable_gqa: bool = False, **kwargs) -> torch.Tensor:
        if not isinstance(attention_masks, torch.Tensor) or attention_masks.dtype != torch.bool:
            raise ValueError("DocumentSDPA needs attention_masks = document_causal_mask(positions) "
                             "(Bool[B, 1, L, L]); pass it to the model's forward")
        # SDPA wants (B, N, L, H); torchtitan hands (B, L, N, H).
        q, k, v = (t.transpose(1, 2) for t in (q_BLNH, k_BLNH, v_BLNH))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attention_masks, scale=scale,
                                             enable_gqa=enable_gqa)
        return out.transpose(1, 2)
