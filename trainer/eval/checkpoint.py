"""One chunk checkpoint as an eval model: the folder, its train state, the weights in one process.

The CPU trainer saves `<run>/checkpoints/chunk-<k>` as a DCP checkpoint of FSDP2-sharded
DTensors (trainer/checkpoint.py). Here the unsharded model is built from `train.model` and the
tokenizer's vocab, and DCP reassembles the full tensors into it without a process group
(`no_dist=True`), so rank 0 of a running trainer can evaluate while its peers wait.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from conf.errors import UserError
from conf.schema import PipelineConfig
from trainer.checkpoint import META_FILE, read_meta
from trainer.lifecycle.checkpoints import checkpoints_dir
from trainer.model import build_model
from trainer.vocab import padded_vocab_size


class CheckpointNotFoundError(UserError, FileNotFoundError):
    """The path names no complete checkpoint."""


class CheckpointShapeError(UserError, ValueError):
    """The checkpoint's tensors do not fit the model `train.model` describes."""


@dataclass(frozen=True)
class EvalCheckpoint:
    """A resolved checkpoint folder and the train state its meta.json holds."""

    folder: Path
    run_dir: Path
    meta: dict

    @property
    def name(self) -> str:
        """Run-relative name as `chunks.checkpoint` spells it (`checkpoints/chunk-3`)."""
        return f"{self.folder.parent.name}/{self.folder.name}"


def resolve(path: str | Path) -> EvalCheckpoint:
    """`<run>/chunk-<k>` or `<run>/checkpoints/chunk-<k>` as a complete checkpoint, or one clear error."""
    given = Path(path).expanduser()
    for folder in (given, checkpoints_dir(given.parent) / given.name):
        if (folder / ".metadata").is_file() and (folder / META_FILE).is_file():
            return EvalCheckpoint(folder=folder.resolve(), run_dir=folder.resolve().parent.parent,
                                  meta=read_meta(folder))
    known = sorted(p.name for p in checkpoints_dir(given.parent).glob("*") if (p / ".metadata").is_file()) \
        if checkpoints_dir(given.parent).is_dir() else []
    hint = f"; that run has {', '.join(known)}" if known else "; pass <run_dir>/chunk-<k> of a trained run"
    raise CheckpointNotFoundError(f"no complete checkpoint at {given}{hint}")


def load_model(cfg: PipelineConfig, ckpt: EvalCheckpoint, tokenizer_version: str, device: str) -> torch.nn.Module:
    """The checkpoint's weights in a fresh unsharded model on `device`, in eval mode."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.api import CheckpointException

    vocab = padded_vocab_size(cfg, tokenizer_version)
    model = build_model(cfg.train.model, vocab_size=vocab, seq_len=cfg.mix.seq_len, seed=0)
    state = {"model": model.state_dict()}
    try:
        try:
            with warnings.catch_warnings():
                # One process on purpose (no_dist): DCP's "assuming a single process" note is noise.
                warnings.filterwarnings("ignore", message="torch.distributed is disabled", category=UserWarning)
                dcp.load(state, checkpoint_id=str(ckpt.folder), no_dist=True)
        except CheckpointException as wrapped:
            # DCP wraps the planner's shape error per rank (a BaseException): raise the first one.
            raise next(iter(wrapped.failures.values()))[0] from None
        model.load_state_dict(state["model"])
    except (RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CheckpointShapeError(
            f"checkpoint {ckpt.folder} does not fit train.model (dim {cfg.train.model.dim}, "
            f"{cfg.train.model.n_layers} layers) with vocab {vocab}: pass the run's config ({first[:200]})") from None
    return model.to(device).eval()


def describe(ckpt: EvalCheckpoint) -> str:
    """One line naming the checkpoint and its train state."""
    return json.dumps({"checkpoint": ckpt.name, "step": ckpt.meta.get("step"), "chunk": ckpt.meta.get("chunk_id")})
