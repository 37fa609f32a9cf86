"""2-process FSDP2 gradients (gloo, SUM-reduced) equal one process's, and a plain model's, on one batch."""
from __future__ import annotations

import subprocess
import sys

import torch
import torch.nn.functional as F

from conf import load_config
from tests.trainer.train_runs import ROOT, env
from trainer.model import build_model, document_causal_mask

SEED, VOCAB, SEQ, ROWS = 3, 256, 32, 4
MODEL_SETS = ["train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4"]


def _batch() -> dict:
    """4 packed rows; rank 0's two rows have far fewer scored tokens than rank 1's, so a mean of
    per-rank means (what AVG of per-rank losses gives) would weight tokens unequally."""
    gen = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, VOCAB, (ROWS, SEQ), generator=gen)
    positions = torch.cat([torch.arange(12), torch.arange(SEQ - 12)]).repeat(ROWS, 1)
    labels = torch.randint(0, VOCAB, (ROWS, SEQ), generator=gen)
    labels[:2, 4:] = -100
    return {"input": tokens, "positions": positions, "labels": labels}


def _torchrun_grads(tmp_path, batch_path, nproc: int) -> dict:
    out = tmp_path / f"grads{nproc}.pt"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           str(ROOT / "tests" / "trainer" / "grad_worker.py"), str(batch_path), str(out)]
    done = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    return torch.load(out)


def _plain_grads(batch: dict) -> dict:
    """No process group, no FSDP: the whole batch, torch's own mean cross entropy."""
    cfg = load_config(overrides=MODEL_SETS)
    model = build_model(cfg.train.model, vocab_size=VOCAB, seq_len=SEQ, seed=SEED)
    logits = model(batch["input"], batch["positions"], attention_masks=document_causal_mask(batch["positions"]))
    loss = F.cross_entropy(logits.flatten(0, 1), batch["labels"].flatten(), ignore_index=-100)
    loss.backward()
    return {"grads": {n: p.grad for n, p in model.named_parameters()}, "loss": loss.item()}


def test_fsdp2_two_process_grads_equal_single_process_and_plain_model(tmp_path):
    batch = _batch()
    batch_path = tmp_path / "batch.pt"
    torch.save(batch, batch_path)
    two, one, plain = _torchrun_grads(tmp_path, batch_path, 2), _torchrun_grads(tmp_path, batch_path, 1), _plain_grads(batch)
    assert two["grads"].keys() == one["grads"].keys() == plain["grads"].keys()
    assert abs(two["loss"] - plain["loss"]) < 1e-5 and abs(one["loss"] - plain["loss"]) < 1e-5
    for name in plain["grads"]:
        torch.testing.assert_close(two["grads"][name], one["grads"][name], rtol=1e-5, atol=1e-7, msg=name)
        torch.testing.assert_close(two["grads"][name], plain["grads"][name], rtol=1e-4, atol=1e-6, msg=name)
