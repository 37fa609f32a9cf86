"""A chunk checkpoint as a `transformers` Llama folder: config.json, model.safetensors, tokenizer files.

    export(cfg, "runs/demo/chunk-1", "hf/demo-1")

The weights are renamed and q/k re-permuted by torchtitan's own `Llama3StateDictAdapter.to_hf`
(torchtitan rotates interleaved pairs, Hugging Face the two halves of each head), loaded into
a `LlamaForCausalLM` built on the meta device (no random init of a large model) and saved by
`save_pretrained`, so the folder is what that transformers version writes and reads.
"""
from __future__ import annotations

import json
from pathlib import Path

from conf.errors import UserError
from conf.schema import PipelineConfig
from tables.artifacts import tokenizer_dir
from trainer.eval.checkpoint import EvalCheckpoint, load_model, resolve
from trainer.eval.tokenizer import load_tokenizer
from trainer.export.hf_config import llama_hf_config
from trainer.export.hf_tokenizer import special_ids, write_tokenizer
from trainer.model import llama_config
from trainer.vocab import chunks_tokenizer_version, padded_vocab_size

EXPORT_META = "flywheel_export.json"


class ExportTargetError(UserError, FileExistsError):
    """The output folder holds files that are not an earlier export."""


def hf_state_dict(cfg: PipelineConfig, model, vocab_size: int) -> dict:
    """The trainer model's weights under Hugging Face Llama names (torchtitan's adapter)."""
    from torchtitan.models.llama3 import Llama3StateDictAdapter

    titan_config = llama_config(cfg.train.model, vocab_size=vocab_size, seq_len=cfg.mix.seq_len)
    adapter = Llama3StateDictAdapter(titan_config, hf_assets_path=None)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return adapter.to_hf(state)


def check_out(out: Path) -> None:
    """`out` is absent, empty or an earlier export (re-exporting overwrites it)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / EXPORT_META).is_file())):
        raise ExportTargetError(f"--out {out} exists and is not an earlier flywheel export: pass a new folder")


def export(cfg: PipelineConfig, checkpoint, out: str | Path) -> Path:
    """Write the `transformers` folder of `checkpoint` (path or EvalCheckpoint) to `out`; returns it."""
    import torch
    from transformers import LlamaForCausalLM

    ckpt = checkpoint if isinstance(checkpoint, EvalCheckpoint) else resolve(checkpoint)
    out = Path(out).expanduser()
    check_out(out)
    version = chunks_tokenizer_version(cfg)
    tok = load_tokenizer(cfg, version)
    vocab = padded_vocab_size(cfg, version)
    model = load_model(cfg, ckpt, version, "cpu")
    weights = hf_state_dict(cfg, model, vocab)
    hf_config = llama_hf_config(cfg.train.model, vocab_size=vocab, seq_len=cfg.mix.seq_len,
                                special_ids=special_ids(cfg, tok.tokenizer))
    with torch.device("meta"):
        hf_model = LlamaForCausalLM(hf_config)
    if cfg.train.model.weight_tying:
        weights["lm_head.weight"] = weights["model.embed_tokens.weight"]
    # strict: a name the adapter and this transformers version disagree on fails here, not at load.
    hf_model.load_state_dict(weights, strict=True, assign=True)
    if cfg.train.model.weight_tying:
        hf_model.tie_weights()
    out.mkdir(parents=True, exist_ok=True)
    hf_model.save_pretrained(out, safe_serialization=True)
    write_tokenizer(cfg, tokenizer_dir(cfg) / version / "tokenizer.json", tok.tokenizer, out, cfg.mix.seq_len)
    (out / EXPORT_META).write_text(json.dumps({
        "checkpoint": ckpt.name, "run_id": ckpt.meta.get("run_id") or ckpt.run_dir.name,
        "chunk_id": ckpt.meta.get("chunk_id"), "step": ckpt.meta.get("step"), "tokenizer_version": version,
    }, indent=2) + "\n", encoding="utf-8")
    return out
