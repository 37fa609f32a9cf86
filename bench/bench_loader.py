"""Loader benchmark: tokens/s per process from `blocks` in Delta to ready batches, and peak memory.

Writes two warehouses with one ready chunk each, `--blocks` blocks and `--scale` times as many,
of `--seq-len + 1` int32 tokens in Parquet files of `--file-blocks` blocks (one delta-rs append
each, as a Spark job writes one file per task). Documents are random ids with geometric lengths
(mean `--mean-doc-tokens`), so blocks carry several doc spans as mixed chunks do. Then, each in
a fresh child process so peak RSS is its own:

1. delta-rs alone: `tables.delta_rs.arrow_dataset().to_batches()` of the chunk -> numpy int32 (the
   reference figure of PERFORMANCE.md, ~54M tokens/s);
2. the loader: `trainer.data.BlockLoader` (dp rank 0 of `--world`), every batch of the chunk
   as torch tensors (input, positions, category_ids, labels), timed from construction (chunk
   open included) to the last batch; tokens counted as B x seq_len per batch. Imports (torch)
   happen before the clock starts; `first_batch_seconds` shows the chunk-open share.

Target: >= 20,000,000 tokens/s per process for the loader; peak RSS of the large chunk about
that of the small one: the large chunk has `--scale` times the files, each one row group, and
the loader holds one decoded row group plus its prefetched batches, whatever the chunk size.

Run:  PYTHONPATH=. .venv/bin/python bench/bench_loader.py --blocks 2000 --scale 10
      (results also in bench/out/loader.json; --blocks 40 --scale 10 proves it runs in seconds)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

from conf import load_config  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--blocks", type=int, default=2000, help="blocks in the small chunk")
    p.add_argument("--scale", type=int, default=10, help="the large chunk holds this many times more blocks")
    p.add_argument("--seq-len", type=int, default=None, help="default: mix.seq_len of conf/default.yaml")
    p.add_argument("--batch-size", type=int, default=None, help="default: train.local_batch_size")
    p.add_argument("--world", type=int, default=1, help="dp world size (the bench reads rank 0's share)")
    p.add_argument("--file-blocks", type=int, default=1000, help="blocks per Parquet file")
    p.add_argument("--mean-doc-tokens", type=int, default=600)
    p.add_argument("--out", default=str(OUT / "loader"), help="folder for the warehouses and loader.json")
    p.add_argument("--child", choices=["deltars", "loader"], help=argparse.SUPPRESS)
    p.add_argument("--warehouse", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def overrides(args: argparse.Namespace, warehouse: str) -> list[str]:
    out = [f"spark.warehouse={warehouse}", "train.data.max_wait_seconds=0"]
    if args.seq_len is not None:
        out.append(f"mix.seq_len={args.seq_len}")
    if args.batch_size is not None:
        out.append(f"train.local_batch_size={args.batch_size}")
    return out


def block_file(rng: np.random.Generator, first: int, n: int, block_len: int, mean_doc: int) -> pa.Table:
    """`n` blocks (ids first..) of random tokens, cut into documents of geometric lengths (vectorised)."""
    from tables.catalog import BLOCKS

    total = n * block_len
    # Document boundaries over the file's token stream, plus every block boundary: the spans.
    doc_ends = np.cumsum(rng.geometric(1 / mean_doc, size=total // mean_doc * 2 + 2))
    cuts = np.union1d(doc_ends[doc_ends < total], np.arange(n) * block_len)
    block = cuts // block_len
    starts = (cuts - block * block_len).astype(np.int32)
    lengths = np.diff(np.append(cuts, total)).astype(np.int32)
    offsets = pa.array(np.searchsorted(block, np.arange(n + 1)), pa.int32())
    doc_no = np.searchsorted(doc_ends, cuts, side="right")
    schema = BLOCKS.arrow_schema()

    def lists(values: pa.Array, name: str, offs: pa.Array = offsets) -> pa.Array:
        return pa.ListArray.from_arrays(offs, values, type=schema.field(name).type)

    cats = np.array(["code", "news", "web"])[doc_no % 3]
    return pa.Table.from_arrays([
        pa.array(np.zeros(n), pa.int32()), pa.array(np.arange(first, first + n), pa.int64()),
        lists(pa.array(rng.integers(0, 32768, total, dtype=np.int32)), "tokens",
              pa.array(np.arange(n + 1) * block_len, pa.int32())),
        lists(pa.array(np.char.add("doc-", doc_no.astype(str))), "doc_ids"),
        lists(pa.array(starts), "doc_starts"), lists(pa.array(lengths), "doc_lengths"),
        lists(pa.array(np.zeros(len(cuts), np.int32)), "doc_offsets"), lists(pa.array(cats), "doc_categories"),
    ], schema=schema)


def write_warehouse(args: argparse.Namespace, warehouse: Path, n_blocks: int) -> float:
    """One ready chunk (id 0) of `n_blocks` blocks; returns the write seconds."""
    from tables.catalog import CHUNKS
    from tables.delta_rs import append

    shutil.rmtree(warehouse, ignore_errors=True)
    cfg = load_config(overrides=overrides(args, str(warehouse)))
    block_len = cfg.mix.seq_len + 1
    rng = np.random.default_rng(n_blocks)
    t = time.perf_counter()
    for first in range(0, n_blocks, args.file_blocks):
        append(cfg, "blocks", block_file(rng, first, min(args.file_blocks, n_blocks - first), block_len,
                                         args.mean_doc_tokens))
    row = {"chunk_id": 0, "tokens": n_blocks * block_len, "blocks": n_blocks, "target_shares": "{}",
           "achieved_shares": "{}", "status": "ready", "seed": 0, "tokenizer_version": "bench", "checkpoint": None,
           "seq_len": cfg.mix.seq_len, "shortfall": "{}", "repetition": "{}", "usage_version": 0, "step": None,
           "loss": None}
    append(cfg, "chunks", pa.Table.from_pylist([row], schema=CHUNKS.arrow_schema()))
    return time.perf_counter() - t


def child(args: argparse.Namespace) -> dict:
    """One arm in this (fresh) process: tokens, seconds (total and after the first batch), peak RSS."""
    from tables.delta_rs import arrow_dataset
    from trainer.data import BlockLoader  # imports torch: before the clock starts

    cfg = load_config(overrides=overrides(args, args.warehouse))
    t, c = time.perf_counter(), time.process_time()
    tokens, first = 0, None
    if args.child == "deltars":
        for batch in arrow_dataset(cfg, "blocks").to_batches(columns=["tokens"]):
            tokens += len(batch.column("tokens").flatten().to_numpy())
            first = first or time.perf_counter()
    else:
        loader = BlockLoader(cfg, dp_rank=0, dp_world_size=args.world)
        for inputs, labels in loader:
            tokens += labels.numel()
            first = first or time.perf_counter()
        loader.close()
    end, cpu = time.perf_counter(), time.process_time() - c
    return {"tokens": tokens, "seconds": round(end - t, 3), "first_batch_seconds": round(first - t, 3),
            "cpu_seconds": round(cpu, 3), "tokens_per_s": round(tokens / (end - t)),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def run_child(args: argparse.Namespace, arm: str, warehouse: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", arm, "--warehouse", str(warehouse), "--world", str(args.world)]
    if args.seq_len is not None:
        cmd += ["--seq-len", str(args.seq_len)]
    if args.batch_size is not None:
        cmd += ["--batch-size", str(args.batch_size)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
    if done.returncode != 0:
        raise SystemExit(f"bench arm {arm} on {warehouse} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return
    out = Path(args.out)
    cfg = load_config(overrides=overrides(args, str(out)))
    results = {"seq_len": cfg.mix.seq_len, "batch_size": cfg.train.local_batch_size, "world": args.world,
               "prefetch_batches": cfg.train.data.prefetch_batches, "read_blocks": cfg.train.data.read_blocks,
               "load_average": os.getloadavg()[0], "chunks": {}}
    for name, n_blocks in (("small", args.blocks), ("large", args.blocks * args.scale)):
        warehouse = out / f"warehouse_{name}"
        write_s = write_warehouse(args, warehouse, n_blocks)
        arms = {arm: run_child(args, arm, warehouse) for arm in ("deltars", "loader")}
        results["chunks"][name] = {"blocks": n_blocks, "write_seconds": round(write_s, 2), **arms}
        print(f"{name}: {n_blocks} blocks; delta-rs alone {arms['deltars']['tokens_per_s'] / 1e6:.1f}M tokens/s "
              f"({arms['deltars']['peak_rss_mb']} MB peak); loader {arms['loader']['tokens_per_s'] / 1e6:.1f}M "
              f"tokens/s ({arms['loader']['peak_rss_mb']} MB peak)", flush=True)
    results["load_average_after"] = os.getloadavg()[0]
    out.mkdir(parents=True, exist_ok=True)
    (out / "loader.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
