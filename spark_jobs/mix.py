"""Mix tokenized documents into a chunk of packed training blocks.

Reads   `tokenized_docs` (the partition of `tokenizer.version`, default the newest),
        `usage` (as of the version the chunk was first drawn from) and, when they exist,
        `excluded_docs` (documents the trainer refused) and `eval_docs` (the held-out split,
        spark_jobs/heldout.py): both are left out of the draw.
Writes  chunk k as partition `chunk_id = k` of `blocks` (overwritten on re-run), one `chunks`
        row (tokens, blocks, target vs achieved shares, shortfall, repetition; status
        `building` then `ready`), and adds the chunk's uses to `usage` in ONE MERGE.
Run     flywheel mix [--chunk-id K] [--chunks N] --set mix.chunk_tokens=1000000000 \\
            --set 'mix.target_shares={zh: 4, en: 4, code: 2}'
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.1 spark_jobs/mix.py --chunks 3

How: the candidates' metadata (doc_id, category, lang, n_tokens, times_used) is collected to
the driver and planned with numpy (udfs/mix_plan.py: group budgets from the target shares,
seeded weighted draws whose weight falls with times_used, repetition caps, a seeded
interleaving, the cut into blocks of `seq_len + 1` tokens). The token ids never visit the
driver: spark_jobs/mix_assembly.py joins the plan's pieces to `tokenized_docs` and assembles
each block in the JVM. The `chunks` status moves go through tables/chunk_lifecycle.py
(delta-rs), the same moves the trainer makes.

Last-partial-block rule: a chunk holds exactly floor(chunk_tokens / (seq_len + 1)) full
blocks, i.e. chunk_tokens rounded down to whole blocks; the partial block is never made, so
no block carries padding. Documents do not carry over between chunks: the last document
of each group may be trimmed, and its trimmed tail is not used.

Re-running chunk k re-reads `usage` at the version recorded in its `chunks` row, so it
redraws the same blocks (unless `excluded_docs` gained some of its documents since); the
usage MERGE only touches rows whose last_chunk_id < k, so the counts are not added twice. Only
a `building` or `ready` chunk is rebuilt (a `ready` one goes back to `building` meanwhile, so
no trainer starts it); one the trainer has started is never rebuilt. Chunk k+1 is drawn from
the usage counts that include chunk k.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from conf.errors import UserError
from conf.schema import PipelineConfig
from spark_jobs import job_metrics
from spark_jobs.cli_args import add_common_args, config_from_args
from spark_jobs.mix_adapt import adapt
from spark_jobs.mix_phases import chunk_settings, phase_fields, quality_floor
from spark_jobs.mix_assembly import excluded_doc_ids, heldout_doc_ids, load_candidates, merge_usage, usage_version, write_blocks
from tables.chunk_lifecycle import read_chunk, read_chunks, set_status
from udfs.mix_plan import chunk_size, chunk_summary, leave_out, mixing_for, pieces_table, plan_for, usage_updates

REBUILDABLE = ("building", "ready")  # statuses whose blocks the mix may (re)write


class ChunkFrozenError(UserError, RuntimeError):
    """The chunk is already being (or was) trained on; its blocks must not change."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel mix", description=__doc__.split("\n")[0])
    parser.add_argument("--chunk-id", type=int, help="chunk to (re)build; default: the next one")
    parser.add_argument("--chunks", type=int, default=1, help="how many consecutive chunks to build")
    return add_common_args(parser).parse_args(argv)


def next_chunk_id(spark, cfg: PipelineConfig) -> int:
    """One past the highest chunk in `chunks` (0 for the first); creates the table if missing."""
    from tables.spark_tables import create_if_not_exists

    create_if_not_exists(spark, cfg, "chunks")
    rows = read_chunks(cfg)
    return rows[-1]["chunk_id"] + 1 if rows else 0


def plan_fields(cfg: PipelineConfig, tokenizer_version: str, summary: dict | None) -> dict:
    """The `chunks` columns that describe the plan (JSON for the per-group figures)."""
    groups = (summary or {}).get("groups", {})
    tokens, block_len = chunk_size(cfg.mix)
    return {
        "tokens": tokens, "blocks": tokens // block_len, "seed": cfg.mix.seed, "seq_len": cfg.mix.seq_len,
        "tokenizer_version": tokenizer_version,
        "target_shares": json.dumps({g: s["target_share"] for g, s in groups.items()}, sort_keys=True),
        "achieved_shares": json.dumps({g: s["achieved_share"] for g, s in groups.items()}, sort_keys=True),
        "shortfall": json.dumps({g: s["shortfall_tokens"] for g, s in groups.items()}, sort_keys=True),
        "repetition": json.dumps({g: {k: s[k] for k in ("occurrences", "upsampled", "reused")}
                                  for g, s in groups.items()} | {"top_reused": (summary or {}).get("top_reused", [])},
                                 sort_keys=True),
    }


def insert_building_row(spark, cfg: PipelineConfig, chunk_id: int, tokenizer_version: str, usage_at: int) -> None:
    """The first `chunks` row of a chunk: status `building`, the usage version it is drawn from."""
    from tables.catalog import CHUNKS
    from tables.merge import merge_upsert
    from tables.spark_tables import spark_schema

    row = {"chunk_id": chunk_id, "status": "building", "checkpoint": None, "usage_version": usage_at,
           "step": None, "loss": None, **plan_fields(cfg, tokenizer_version, None),
           **phase_fields(chunk_settings(cfg.mix, chunk_id)[0], None)}
    # MERGE on chunk_id, not an append: a re-run after a crash between two commits stays one row.
    merge_upsert(spark, cfg, "chunks", spark.createDataFrame([row], spark_schema(CHUNKS)), ["chunk_id"])


def start_chunk(spark, cfg: PipelineConfig, chunk_id: int, tokenizer_version: str) -> int:
    """Put chunk `chunk_id` in status `building` (new row, or a `ready` one moved back); its usage version."""
    top = next_chunk_id(spark, cfg)
    existing = read_chunk(cfg, chunk_id)
    if existing is None:
        if chunk_id > top:
            raise ValueError(f"--chunk-id {chunk_id}: chunks are built in order, the next one is {top}")
        at = usage_version(spark, cfg)
        # Pin the usage version first: a re-run after a crash then draws the same chunk.
        insert_building_row(spark, cfg, chunk_id, tokenizer_version, at)
        return at
    if existing["status"] not in REBUILDABLE:
        raise ChunkFrozenError(f"chunk {chunk_id} is {existing['status']}: its blocks cannot be rebuilt; "
                               f"mix the next chunk ({top}) instead")
    if existing["status"] == "ready":
        set_status(cfg, chunk_id, "building")
    return existing["usage_version"]


def build_chunk(spark, cfg: PipelineConfig, chunk_id: int, tokenizer_version: str) -> dict:
    """Draw, pack and write chunk `chunk_id`; returns its summary (see udfs.mix_plan.chunk_summary)."""
    chunk_size(cfg.mix)  # a chunk smaller than one block fails here, before any write
    at = start_chunk(spark, cfg, chunk_id, tokenizer_version)
    clock = [("start", time.perf_counter())]
    cands = load_candidates(spark, cfg, tokenizer_version, at)
    excluded = excluded_doc_ids(spark, cfg)
    left_out = None
    if excluded is not None:
        cands, left_out = leave_out(cands, excluded)
    heldout = heldout_doc_ids(spark, cfg)
    held_out = None
    if heldout is not None:
        cands, held_out = leave_out(cands, heldout)
    clock.append(("load_candidates", time.perf_counter()))
    span, settings = chunk_settings(cfg.mix, chunk_id)  # the phase's shares, caps and quality floor
    mixing, adaptation = adapt(cfg, settings, mixing_for(settings, cands), chunk_id)  # mix.adapt: loss feedback
    cands, floors = quality_floor(cands, mixing, span)
    plan, rows = plan_for(cands, mixing, settings, chunk_id)
    pieces = pieces_table(cands, plan, rows, cfg.mix.seq_len + 1)
    clock.append(("plan", time.perf_counter()))
    write_blocks(spark, cfg, pieces, tokenizer_version, chunk_id)
    clock.append(("write_blocks", time.perf_counter()))
    merge_usage(spark, cfg, usage_updates(cands, plan, rows), chunk_id)
    clock.append(("merge_usage", time.perf_counter()))
    summary = chunk_summary(cands, plan, rows, mixing, cfg.mix.top_reused)
    summary.update(phase=span.name if span else None, quality_floor=floors, adaptation=adaptation)
    set_status(cfg, chunk_id, "ready", **plan_fields(cfg, tokenizer_version, summary), **phase_fields(span, floors),
               adaptation=json.dumps(adaptation, sort_keys=True) if adaptation else None)
    clock.append(("chunk_row", time.perf_counter()))
    summary["excluded_left_out"] = left_out
    summary["heldout_left_out"] = held_out
    summary["timings"] = {name: round(t - clock[i][1], 2) for i, (name, t) in enumerate(clock[1:])}
    return summary


def print_summary(summary: dict) -> None:
    """Target vs achieved shares, shortfall and repetition per group, then the most reused docs."""
    secs = summary["seconds"]
    phase = f" ({summary['phase']} phase)" if summary.get("phase") else ""
    print(f"mix: chunk {summary['chunk_id']}{phase}: {summary['tokens']} tokens in {secs}s "
          f"({summary['tokens'] / max(secs, 0.1) / 1e6:.2f}M tokens/s)")
    if summary.get("quality_floor"):
        print("  quality floor: " + ", ".join(f"{g} >= {f}" if f is not None else f"{g} unscored"
                                               for g, f in sorted(summary["quality_floor"].items())))
    if summary.get("excluded_left_out") is not None:
        print(f"  left out {summary['excluded_left_out']} documents listed in excluded_docs")
    if summary.get("heldout_left_out") is not None:
        print(f"  left out {summary['heldout_left_out']} held-out documents (eval_docs)")
    print(f"  {'group':<16}{'target':>8}{'achieved':>10}{'shortfall':>12}{'occurr.':>9}{'upsampled':>10}{'reused':>8}")
    for name, g in summary["groups"].items():
        print(f"  {name:<16}{g['target_share']:>8.3f}{g['achieved_share']:>10.3f}{g['shortfall_tokens']:>12}"
              f"{g['occurrences']:>9}{g['upsampled']:>10}{g['reused']:>8}")
    for g, c in ((summary.get("adaptation") or {}).get("changes") or {}).items():
        print(f"  adapt {g}: {c['from']:.3f} -> {c['to']:.3f} ({c['reason']})")
    for r in summary["top_reused"]:
        print(f"  reused {r['times_used']}x: {r['doc_id']}")


def run(spark, cfg: PipelineConfig, chunk_id: int | None = None, n_chunks: int = 1) -> list[dict]:
    """Build `n_chunks` consecutive chunks from `chunk_id` (default: the next); their summaries."""
    from spark_jobs.progress import progress
    from spark_jobs.tokenizer_store import resolve_version

    version = resolve_version(cfg)
    first = next_chunk_id(spark, cfg) if chunk_id is None else chunk_id
    summaries = []
    for k in progress(range(first, first + n_chunks), "mix chunks", unit="chunk"):
        started = time.time()
        summary = build_chunk(spark, cfg, k, version)
        summaries.append({"chunk_id": k, "seconds": round(time.time() - started, 1), **summary})
    return job_metrics.report(cfg, "mix", summaries)


def main(argv: list[str] | None = None) -> int:
    """session -> plan and write each chunk -> print its summary."""
    from spark_jobs.session import get_spark

    args = parse_args(argv)
    cfg = config_from_args(args)
    for summary in run(get_spark(cfg, "mix"), cfg, args.chunk_id, args.chunks):
        print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
