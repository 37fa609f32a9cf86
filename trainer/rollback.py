"""`flywheel train rollback --to-chunk k`: point a stopped run back at the checkpoint of chunk k.

Reads   `chunks` (delta-rs) and `<train.run_dir>/checkpoints`
Writes  later chunks (status training | trained) -> rolled_back, their `chunk-<j>` checkpoints
        moved to `checkpoints/rolled_back/` (kept, never deleted), every `step-<n>` checkpoint
        deleted, `checkpoints/LATEST` = `chunk-<k>`
Run     flywheel train rollback --to-chunk 2 [--config FILE] [--set train.run_dir=runs/x]

Stop the run first. The next `flywheel train` resumes from chunk k's checkpoint and trains the
rolled-back chunks again (a rolled-back chunk is trainable, like a ready one).
"""
from __future__ import annotations

import argparse
import sys

from conf import load_config
from conf.errors import UserError
from conf.schema import PipelineConfig
from tables.chunk_lifecycle import read_chunks
from trainer.lifecycle.checkpoints import (
    checkpoints_dir, chunk_checkpoint_name, chunk_checkpoints, discard_steps, mark_latest, set_aside)
from trainer.lifecycle.chunk_ledger import ChunkLedger

# Later chunks in these statuses were trained (or were being trained) after chunk k.
_LATER = ("training", "trained")


class RollbackError(UserError, LookupError):
    """The chunk or its checkpoint to roll back to does not exist."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel train rollback", description=__doc__.split("\n")[0])
    parser.add_argument("--to-chunk", type=int, required=True, metavar="K", help="trained chunk to return to")
    parser.add_argument("--config", action="append", default=[], metavar="FILE",
                        help="YAML file merged over conf/default.yaml (repeatable)")
    parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE",
                        help="override one key, e.g. --set train.run_dir=runs/x (repeatable)")
    return parser.parse_args(argv)


def _target_row(rows: list[dict], k: int) -> dict:
    """The `chunks` row of chunk k; RollbackError unless it exists and is trained."""
    trained = [r["chunk_id"] for r in rows if r["status"] == "trained"]
    row = next((r for r in rows if r["chunk_id"] == k), None)
    if row is None:
        raise RollbackError(f"no chunk {k} in the chunks table; trained chunks: {_ids(trained)}")
    if row["status"] != "trained":
        raise RollbackError(f"chunk {k} is {row['status']}, not trained: roll back to a trained chunk "
                            f"({_ids(trained)})")
    return row


def _ids(ids: list[int]) -> str:
    return ", ".join(map(str, ids)) or "none"


def rollback(cfg: PipelineConfig, to_chunk: int) -> dict:
    """Roll the run of `cfg.train.run_dir` back to chunk `to_chunk`; returns what changed."""
    run_dir = cfg.train.run_dir
    row = _target_row(read_chunks(cfg), to_chunk)
    have = chunk_checkpoints(run_dir)
    if to_chunk not in have:
        names = ", ".join(chunk_checkpoint_name(k) for k in have) or "none"
        raise RollbackError(f"no checkpoint {chunk_checkpoint_name(to_chunk)} in {checkpoints_dir(run_dir)} "
                            f"(chunk checkpoints there: {names}): roll back to one of those")
    ledger = ChunkLedger(cfg, run_dir)
    rolled, set_aside_paths = [], []
    for later in read_chunks(cfg):
        if later["chunk_id"] <= to_chunk or later["status"] not in _LATER:
            continue
        aside = set_aside(have[later["chunk_id"]]) if later["chunk_id"] in have else None
        ledger.roll_back(later["chunk_id"], step=later["step"], checkpoint=aside)
        rolled.append(later["chunk_id"])
        set_aside_paths += [aside] if aside else []
    deleted = discard_steps(run_dir)
    mark_latest(run_dir, chunk_checkpoint_name(to_chunk))
    return {"chunk": to_chunk, "step": row["step"], "rolled_back": rolled, "set_aside": set_aside_paths,
            "deleted_steps": deleted}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = load_config(args.config, args.overrides)
    done = rollback(cfg, args.to_chunk)
    print(f"rollback: {cfg.train.run_dir} resumes from {chunk_checkpoint_name(done['chunk'])} "
          f"(step {done['step']}); chunks rolled back: {_ids(done['rolled_back'])}; "
          f"{len(done['set_aside'])} chunk checkpoint(s) set aside, "
          f"{len(done['deleted_steps'])} step checkpoint(s) deleted")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except UserError as exc:
        print(f"flywheel train rollback: {exc}", file=sys.stderr)
        sys.exit(2)
