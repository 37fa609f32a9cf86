"""The `transformers.LlamaConfig` of `train.model`: the same numbers torchtitan's Llama3 is built from.

torchtitan's Llama3 is the Hugging Face Llama architecture (RMSNorm, RoPE on half-split pairs
after the q/k permutation, SwiGLU, no biases), so every field maps one to one; the SwiGLU width
comes from torchtitan's own `compute_ffn_hidden_dim`, as trainer/model/llama.py builds it.
"""
from __future__ import annotations

from torchtitan.models.common import compute_ffn_hidden_dim

from conf.train_schema import TrainModelConfig


def llama_hf_config(m: TrainModelConfig, *, vocab_size: int, seq_len: int, special_ids: dict[str, int | None]):
    """A `LlamaConfig` for `train.model` with `vocab_size` ids and a `seq_len` context (float32 weights).

    `special_ids` holds bos/eos/pad token ids (None where the tokenizer has no such token).
    """
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=m.dim,
        intermediate_size=compute_ffn_hidden_dim(m.dim, multiple_of=m.ffn_multiple_of,
                                                 ffn_dim_multiplier=m.ffn_dim_multiplier),
        num_hidden_layers=m.n_layers,
        num_attention_heads=m.n_heads,
        num_key_value_heads=m.n_kv_heads or m.n_heads,
        head_dim=m.dim // m.n_heads,
        hidden_act="silu",
        # The trained RoPE table covers mix.seq_len positions; no scaling (ComplexRoPE scaling="none").
        max_position_embeddings=seq_len,
        rope_parameters={"rope_type": "default", "rope_theta": float(m.rope_theta)},
        rms_norm_eps=m.norm_eps,
        tie_word_embeddings=m.weight_tying,
        attention_bias=False,
        mlp_bias=False,
        bos_token_id=special_ids.get("bos"),
        eos_token_id=special_ids.get("eos"),
        pad_token_id=special_ids.get("pad"),
        architectures=["LlamaForCausalLM"],
        dtype="float32",
    )
