"""torchtitan 0.3.0's Llama3 decoder built from `train.model` (no model code of our own).

The block structure, init and parameter names are torchtitan's (`Llama3Model`,
`Llama3TransformerBlock`, `make_gqa_config`, `make_ffn_config`); only the numbers come from
our config, the sequence length from `mix.seq_len` and the vocab from the tokenizer. The
inner attention is a parameter so the CPU backend passes `DocumentSDPA` and the GPU backend
(trainer/titan.py) torchtitan's `FlexAttention`.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch
import torch.nn as nn
from torchtitan.models.common import ComplexRoPE, Embedding, Linear, RMSNorm, compute_ffn_hidden_dim
from torchtitan.models.common.config_utils import make_ffn_config, make_gqa_config
from torchtitan.models.common.param_init import depth_scaled_std, skip_param_init
from torchtitan.models.llama3 import Llama3Model
from torchtitan.models.llama3.model import Llama3TransformerBlock
from torchtitan.protocols.module import Module

from conf.train_schema import TrainModelConfig
from trainer.model.attention import DocumentSDPA


def _normal(std: float) -> dict[str, Callable]:
    return {"weight": partial(nn.init.trunc_normal_, std=std), "bias": nn.init.zeros_}


def _block_config(m: TrainModelConfig, layer_id: int, rope: ComplexRoPE.Config,
                  inner_attention: Module.Config) -> Llama3TransformerBlock.Config:
    # Output projections (wo, w2, w3) shrink with depth: std / sqrt(2 (layer + 1)), as torchtitan's.
    depth_init = _normal(depth_scaled_std(m.init_std, layer_id))
    norm = RMSNorm.Config(normalized_shape=m.dim, eps=m.norm_eps, param_init={"weight": nn.init.ones_})
    return Llama3TransformerBlock.Config(
        attention_norm=norm,
        ffn_norm=norm,
        # Separate wq/wk/wv (torchtitan's QKVLinear): the fused wqkv splits and merges itself in
        # state_dict hooks, an extra all-gather per checkpoint under FSDP; the init is identical.
        attention=make_gqa_config(
            dim=m.dim, n_heads=m.n_heads, n_kv_heads=m.n_kv_heads, rope=rope,
            wqkv_param_init=_normal(m.init_std), wo_param_init=depth_init,
            inner_attention=inner_attention),
        feed_forward=make_ffn_config(
            dim=m.dim,
            hidden_dim=compute_ffn_hidden_dim(m.dim, multiple_of=m.ffn_multiple_of,
                                              ffn_dim_multiplier=m.ffn_dim_multiplier),
            w1_param_init=_normal(m.init_std), w2w3_param_init=depth_init),
    )


def llama_config(m: TrainModelConfig, *, vocab_size: int, seq_len: int,
                 inner_attention: Module.Config | None = None) -> Llama3Model.Config:
    """The `Llama3Model.Config` of `train.model` for `vocab_size` ids and `seq_len` positions.

    `inner_attention` defaults to `DocumentSDPA` (CPU); pass `FlexAttention.Config()` on GPU.
    """
    if m.dim % m.n_heads:
        raise ValueError(f"train.model.dim={m.dim} must be a multiple of train.model.n_heads={m.n_heads}")
    if m.n_kv_heads is not None and m.n_heads % m.n_kv_heads:
        raise ValueError(f"train.model.n_heads={m.n_heads} must be a multiple of "
                         f"train.model.n_kv_heads={m.n_kv_heads}")
    inner = inner_attention if inner_attention is not None else DocumentSDPA.Config()
    # RoPE table covers exactly the trained length; positions restart per document, so never exceed it.
    rope = ComplexRoPE.Config(dim=m.dim // m.n_heads, max_seq_len=seq_len, theta=m.rope_theta)
    s = m.dim ** -0.5
    # Tied weights are initialised once, through lm_head; the embedding's own init is skipped.
    embed_init = {"weight": skip_param_init} if m.weight_tying else {"weight": partial(nn.init.normal_, std=1.0)}
    return Llama3Model.Config(
        dim=m.dim,
        vocab_size=vocab_size,
        enable_weight_tying=m.weight_tying,
        tok_embeddings=Embedding.Config(num_embeddings=vocab_size, embedding_dim=m.dim, param_init=embed_init),
        norm=RMSNorm.Config(normalized_shape=m.dim, eps=m.norm_eps, param_init={"weight": nn.init.ones_}),
        lm_head=Linear.Config(in_features=m.dim, out_features=vocab_size, param_init={
            "weight": partial(nn.init.trunc_normal_, std=s, a=-3 * s, b=3 * s)}),
        layers=[_block_config(m, i, rope, inner) for i in range(m.n_layers)],
    )


def build_model(m: TrainModelConfig, *, vocab_size: int, seq_len: int, seed: int,
                inner_attention: Module.Config | None = None) -> Llama3Model:
    """Build and initialise the model on CPU from `seed` (same seed, same weights on every rank)."""
    config = llama_config(m, vocab_size=vocab_size, seq_len=seq_len, inner_attention=inner_attention)
    model = config.build()
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model.init_states()
    torch.random.set_rng_state(generator_state)
    return model
