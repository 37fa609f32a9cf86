"""CPU backend: FSDP2 over gloo on torchtitan's Llama3, streaming chunks of packed blocks.

    torchrun --standalone --nproc_per_node=2 -m trainer.train --config my.yaml --set train.max_steps=100

Reads the `blocks` of each `ready` chunk (trainer/data), trains one optimiser step per batch,
and at the end of every chunk writes the checkpoint `chunk-<k>` and marks the chunk `trained`.
A `save` file in the run folder, `train.checkpoint.every_steps` and the end of the run write
`step-<n>` checkpoints; a restarted run resumes from the newest one (LATEST) and repeats the
same per-step losses bit for bit (same config, same world size). A loss spike rolls back to
the previous chunk checkpoint (trainer/lifecycle). Rank 0 prints one line per log step and
appends it to `<run_dir>/train_log.jsonl`; channel losses go to `train_metrics`; rank 0 serves
the metrics of monitoring/metrics.py (TRAIN_METRICS) on `monitoring.trainer_listen`
(trainer/lifecycle/live_metrics.py).

The GPU backend is torchtitan's own Trainer (trainer/titan.py); torchtitan's Trainer does not
start on a CPU-only machine, so this loop exists for tests, the demo and small CPU runs.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from collections import deque
from pathlib import Path

import torch
import torch.distributed as dist

from conf import load_config
from conf.errors import UserError
from conf.schema import PipelineConfig
from tables.chunk_lifecycle import read_chunks
from trainer import step as train_step
from trainer.data import BlockLoader
from trainer.checkpoint import load_checkpoint, read_meta, save_checkpoint
from trainer.fsdp import cpu_mesh, shard_model
from trainer.lifecycle.channel_loss import ChannelLoss, write_channel_losses
from trainer.lifecycle.checkpoints import (INIT_NAME, checkpoints_dir, chunk_checkpoint_name, latest_checkpoint,
                                           mark_latest, step_checkpoint_name, steps_to_purge)
from trainer.lifecycle.chunk_ledger import ChunkLedger
from trainer.lifecycle.exclusions import excluded_blocks
from trainer.lifecycle.live_metrics import LiveMetrics
from trainer.lifecycle.save_trigger import SaveTrigger
from trainer.lifecycle.spike import SpikeGuard, SpikeLimitError, per_block_loss
from trainer.lifecycle.spike_rollback import roll_back_on_spike
from trainer.model import build_model, llama_config
from trainer.optim import build_optimizer, clip_gradients
from trainer.schedule import build_scheduler
from trainer.lifecycle.run import run_id
from trainer.vocab import chunks_tokenizer_version, padded_vocab_size

LOG_FILE = "train_log.jsonl"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="trainer.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", action="append", default=[], help="YAML merged over conf/default.yaml")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one key")
    return parser.parse_args(argv)


class Run:
    """One process of a training run: model, optimiser, schedule, loader and lifecycle together."""

    def __init__(self, cfg: PipelineConfig):
        self.cfg, self.t = cfg, cfg.train
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        self.run_dir = Path(self.t.run_dir)
        self.run_id = run_id(cfg)
        vocab = padded_vocab_size(cfg, chunks_tokenizer_version(cfg))
        self.model = build_model(self.t.model, vocab_size=vocab, seq_len=cfg.mix.seq_len, seed=self.t.seed)
        _, flops_per_token = llama_config(self.t.model, vocab_size=vocab, seq_len=cfg.mix.seq_len) \
            .get_nparams_and_flops(self.model, cfg.mix.seq_len)
        shard_model(self.model, cpu_mesh())
        self.optimizer = build_optimizer(self.model, self.t.optim)
        self.scheduler = build_scheduler(self.optimizer, cfg, self.world)  # wsd: decay on the anneal chunks
        # A chunk opened again after a skip_blocks rollback leaves out what this run excluded.
        self.loader = BlockLoader(cfg, dp_rank=self.rank, dp_world_size=self.world,
                                  exclusions=lambda k: excluded_blocks(cfg, chunk_id=k, run_id=self.run_id))
        self.ledger = ChunkLedger(cfg, self.run_dir)
        self.trigger = SaveTrigger(self.t.save, run_dir=self.run_dir)
        self.guard = SpikeGuard(self.t.spike)
        self.channels = ChannelLoss()
        self.step = 0
        self.chunk_id: int | None = None
        self.recent = deque(maxlen=self.t.log_every)  # step losses of the last log window
        self.chunks_done = 0
        # A CPU has no known peak FLOP/s: MFU only when monitoring.peak_flops_per_device says one.
        self.live = LiveMetrics(cfg, rank=self.rank, world_size=self.world, flops_per_token=flops_per_token)

    # ---- checkpoints -------------------------------------------------------------------------
    def save(self, name: str, **extra) -> Path:
        """Checkpoint `name` with the train state (+ `extra`), point LATEST at it, rotate step ones."""
        folder = checkpoints_dir(self.run_dir) / name
        guard = self.guard.state_dict()
        state = {"step": self.step, "chunk_id": self.chunk_id, "run_id": self.run_id,
                 "spike_window": guard["window"].tolist(), "spike_format": guard["format"], **extra}
        save_checkpoint(folder, model=self.model, optimizer=self.optimizer, scheduler=self.scheduler,
                        loader_state=self.loader.state_dict(), train_state=state)
        if self.rank == 0:
            mark_latest(self.run_dir, name)
            for old in steps_to_purge(self.run_dir, self.t.checkpoint.keep_latest):
                shutil.rmtree(old)
        dist.barrier()
        self.live.checkpoint_saved()
        return folder

    def restore(self, folder: Path) -> dict:
        """Load checkpoint `folder` into model, optimiser, scheduler, loader and guard; returns its train state."""
        loader_state, meta = load_checkpoint(folder, model=self.model, optimizer=self.optimizer,
                                             scheduler=self.scheduler)
        self.loader.load_state_dict(loader_state)
        self.guard.load_state_dict({"format": meta["spike_format"],
                                    "window": torch.tensor(meta["spike_window"], dtype=torch.float64)})
        self.step, self.chunk_id = meta["step"], meta["chunk_id"]
        self.recent.clear()
        self.channels.reduce()  # drop a half-filled window (collective, like the save that made it)
        return meta

    def start(self) -> None:
        """Resume from LATEST, or checkpoint the fresh model as `init` (the rollback target of chunk 1)."""
        latest = latest_checkpoint(self.run_dir)
        if latest is None:
            self.save(INIT_NAME)
            return
        meta = self.restore(latest)
        self.live.checkpoint_saved(latest.stat().st_mtime)
        self.log_line(f"resumed from {latest.name} at step {self.step}")
        if meta.get("chunk_ended") and self.rank == 0:
            # Killed between writing chunk-<k> and its row update: finish the row now.
            row = next(r for r in read_chunks(self.cfg) if r["chunk_id"] == self.chunk_id)
            if row["status"] == "training":
                self.ledger.finish(self.chunk_id, step=self.step, loss=meta["chunk_loss"], checkpoint=latest)

    # ---- the loop ----------------------------------------------------------------------------
    def train(self) -> int:
        """Train until max_steps, max_chunks or the end of the ready chunks; returns the last step."""
        try:
            self.start()
            batches = iter(self.loader)
            while self.t.max_steps is None or self.step < self.t.max_steps:
                waited = time.perf_counter()
                try:
                    inputs, labels = next(batches)
                except StopIteration:
                    break
                self.live.batch_loaded(time.perf_counter() - waited, tokens=int((labels != train_step.IGNORE_INDEX).sum()))
                if self.one_step(inputs, labels) and self.loader.chunk_ended and self.end_chunk():
                    break
            latest = latest_checkpoint(self.run_dir)
            if latest is None or read_meta(latest)["step"] != self.step:  # stopped inside a chunk
                self.save(step_checkpoint_name(self.step))
            return self.step
        finally:
            # The loader's prefetch thread may be mid-read when the loop stops early (max_steps,
            # max_chunks): stop it before the interpreter exits (see trainer/data/prefetch.py).
            self.loader.close()
            self.live.close()

    def one_step(self, inputs: dict, labels: torch.Tensor) -> bool:
        """Train on one batch; False when the step was a spike and the run rolled back instead."""
        category_ids = inputs.pop("category_ids")
        if self.loader.chunk_began:
            self.begin_chunk(self.loader.chunk_id)
        fwd = train_step.forward(self.model, inputs, labels)
        sums, tokens = per_block_loss(fwd.token_losses, labels)
        decision = self.guard.check(sums.sum(), tokens.sum())
        if decision.spike:
            self.roll_back(decision, sums, tokens)
            return False
        train_step.backward(fwd)
        grad_norm = clip_gradients(self.model, self.t.optim.grad_clip)
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self.live.step_done()
        self.recent.append(fwd.loss)
        self.channels.add(fwd.token_losses, category_ids, self.loader.categories)
        if self.step % self.t.log_every == 0:
            self.log_step(fwd.loss, lr, grad_norm)
        every = self.t.checkpoint.every_steps
        if self.trigger.requested(self.step) or (every and self.step % every == 0):
            self.save(step_checkpoint_name(self.step))
            self.trigger.done()
        return True

    def begin_chunk(self, chunk_id: int) -> None:
        self.chunk_id = chunk_id
        if self.rank == 0:  # the loader's rank 0 chose the chunk for every rank
            self.ledger.start(chunk_id)
        self.log_line(f"chunk {chunk_id}: training")

    def end_chunk(self) -> bool:
        """Checkpoint `chunk-<k>`, mark it trained; True when max_chunks is reached."""
        loss = sum(self.recent) / len(self.recent) if self.recent else None
        folder = self.save(chunk_checkpoint_name(self.chunk_id), chunk_ended=True, chunk_loss=loss)
        if self.rank == 0:
            self.ledger.finish(self.chunk_id, step=self.step, loss=loss, checkpoint=folder)
        self.log_line(f"chunk {self.chunk_id}: trained at step {self.step}, checkpoint {folder.name}")
        self.evaluate_chunk(folder)
        self.chunks_done += 1
        return self.t.max_chunks is not None and self.chunks_done >= self.t.max_chunks

    def evaluate_chunk(self, folder: Path) -> None:
        """`eval.every_chunk` suites on the chunk checkpoint, on rank 0 while the others wait."""
        suites = self.cfg.eval.every_chunk
        if not suites:
            return
        if self.rank == 0:
            from trainer.eval.run import evaluate

            try:
                rows = evaluate(self.cfg, folder, suites, device="cpu", live=self.live.serve)
                self.log_line(f"chunk {self.chunk_id}: eval {', '.join(suites)}: {len(rows)} rows into eval_results")
            except UserError as exc:  # a missing eval_docs must not stop training (nor hang the peers)
                self.log_line(f"chunk {self.chunk_id}: eval skipped: {exc}")
        dist.barrier()

    def roll_back(self, decision, sums: torch.Tensor, tokens: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        plan = roll_back_on_spike(self.cfg, self.guard, decision, run_dir=self.run_dir, run_id=self.run_id,
                                  chunk_id=self.chunk_id, step=self.step + 1,
                                  block_ids=self.loader.last_block_ids, loss_sums=sums, tokens=tokens,
                                  blocks_version=self.loader.version)
        self.live.spike()
        self.log_line(f"spike at step {self.step + 1}: loss {decision.loss:.4f} > {decision.limit:.4f}; "
                      f"rolled back to {plan.target.name}, skipping blocks {plan.skip_blocks}")
        self.restore(plan.target)

    # ---- logging -----------------------------------------------------------------------------
    def log_step(self, loss: float, lr: float, grad_norm: float) -> None:
        means = self.channels.reduce()
        window = self.live.log_step(step=self.step, chunk_id=self.chunk_id, loss=loss, grad_norm=grad_norm, lr=lr,
                                    channels=means)
        tps = window.tokens_per_second
        if self.rank != 0:
            return
        record = {"step": self.step, "chunk": self.chunk_id, "loss": loss, "lr": lr, "grad_norm": grad_norm,
                  "tokens_per_s": round(tps, 1), "channels": {k: v[0] for k, v in means.items()}}
        with open(self.run_dir / LOG_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        write_channel_losses(self.cfg, means, run_id=self.run_id, step=self.step, chunk_id=self.chunk_id)
        print(f"step {self.step} chunk {self.chunk_id} loss {loss:.4f} tok/s {tps:,.0f} lr {lr:.3e}", flush=True)

    def log_line(self, text: str) -> None:
        if self.rank == 0:
            print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = load_config(args.config, args.set)
    # One intra-op thread per process unless told otherwise: torchrun's default, and the
    # reduction order of CPU kernels (hence the resumed losses) stays the same run to run.
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    torch.use_deterministic_algorithms(True)
    dist.init_process_group("gloo")
    # The loader's chunk and wait messages once: every rank takes the same decisions (rank 0's,
    # broadcast), so rank 0 speaks for all and the others report errors only.
    logging.basicConfig(level=logging.INFO if dist.get_rank() == 0 else logging.ERROR, format="%(message)s")
    try:
        Path(cfg.train.run_dir).mkdir(parents=True, exist_ok=True)
        Run(cfg).train()
    except (UserError, SpikeLimitError) as exc:
        # Every rank meets the same config/data error; destroying the group here could hang
        # on a rank still inside a collective, so exit without it (as torchtitan does).
        if dist.get_rank() == 0:
            print(f"error: {exc}", file=sys.stderr)
        return 1
    # All ranks leave their last collective before the group goes: a rank that tears gloo down
    # while its peer still talks to it aborts ("terminate called without an active exception").
    dist.barrier()
    dist.destroy_process_group()
    return 0

if __name__ == "__main__":
    sys.exit(main())
