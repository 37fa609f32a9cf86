"""torchrun worker for test_train_grads: one FSDP2 forward/backward of a saved batch, full grads saved.

    torchrun --standalone --nproc_per_node=N tests/trainer/grad_worker.py <batch.pt> <grads.pt>

Rank r of N takes rows [r*B/N, (r+1)*B/N) of the batch, as the loader would give it its blocks.
"""
from __future__ import annotations

import sys

import torch
import torch.distributed as dist

from tests.trainer.test_train_grads import MODEL_SETS, SEED, VOCAB
from conf import load_config
from trainer import step
from trainer.fsdp import cpu_mesh, shard_model
from trainer.model import build_model


def main(batch_path: str, out_path: str) -> None:
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    batch = torch.load(batch_path)
    rows = batch["labels"].shape[0] // world
    mine = slice(rank * rows, (rank + 1) * rows)
    cfg = load_config(overrides=MODEL_SETS)
    model = build_model(cfg.train.model, vocab_size=VOCAB, seq_len=batch["labels"].shape[1], seed=SEED)
    shard_model(model, cpu_mesh())
    fwd = step.forward(model, {"input": batch["input"][mine], "positions": batch["positions"][mine]},
                       batch["labels"][mine])
    step.backward(fwd)
    grads = {name: p.grad.full_tensor() for name, p in model.named_parameters()}
    if rank == 0:
        torch.save({"grads": grads, "loss": fwd.loss}, out_path)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(*sys.argv[1:3])
