"""Mix tokenized documents into a chunk of packed training blocks.

Reads   `tokenized_docs` (the partition of `tokenizer.version`, default the newest) and
        `usage` (as of the version the chunk was first drawn from).
Writes  chunk k as partition `chunk_id = k` of `blocks` (overwritten on re-run), one `chunks`
        row (tokens, blocks, target vs achieved shares, shortfall, repetition; status
        `building` then `ready`), and adds the chunk's uses to `usage` in ONE MERGE.
Run     flywheel mix [--chunk-id K] [--chunks N] --set mix.chunk_tokens=1000000000 \\
            --set 'mix.target_shares={zh: 4, en: 4, code: 2}'
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.1 spark_jobs/mix.py --chunks 3

How (see udfs/sampling.py and udfs/packing.py): the candidates' metadata (doc_id,
category, lang, n_tokens, times_used; ~50 bytes a document) is collected to the driver,
sorted by doc_id and planned with numpy: group budgets from the target shares, seeded
weighted draws whose weight falls with times_used, repetition caps, a seeded interleaving,
then the cut into blocks of `seq_len + 1` tokens. The token ids never visit the driver:
the plan's pieces are joined to `tokenized_docs`, sliced and assembled per block with Spark
SQL built-ins (slice, sort_array, flatten) in the JVM.

Last-partial-block rule: a chunk holds exactly floor(chunk_tokens / (seq_len + 1)) full
blocks, i.e. chunk_tokens rounded down to whole blocks; the partial block is never made, so
no block carries padding. Documents do not carry over between chunks: the last document
of each group may be trimmed, and its trimmed tail is not used.

Re-running chunk k re-reads `usage` at the version recorded in its `chunks` row, so it
redraws the same blocks; the usage MERGE only touches rows whose last_chunk_id < k, so the
counts are not added twice. A chunk the trainer has started (`training`, `trained`) is
never rebuilt. Chunk k+1 is drawn from the usage counts that include chunk k.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from pyspark.sql import types as T

from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig
from udfs.packing import plan_pieces
from udfs.sampling import ChunkPlan, assign_groups, plan_chunk

FROZEN = ("training", "trained")
# Non-null columns, so the assembled block arrays are array<… NOT NULL> like the blocks table's.
PIECES_SCHEMA = T.StructType([T.StructField(n, t, False) for n, t in (
    ("doc_id", T.StringType()), ("category", T.StringType()), ("block_id", T.LongType()),
    ("start", T.IntegerType()), ("length", T.IntegerType()), ("doc_offset", T.IntegerType()))])


class ChunkFrozenError(RuntimeError):
    """The chunk is already being (or was) trained on; its blocks must not change."""


@dataclass(frozen=True)
class Mixing:
    """What the plan needs besides the documents: group names, shares and caps, in one order."""

    groups: list[str]
    shares: np.ndarray
    max_repeats: np.ndarray  # -1 = no cap


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel mix", description=__doc__.split("\n")[0])
    parser.add_argument("--chunk-id", type=int, help="chunk to (re)build; default: the next one")
    parser.add_argument("--chunks", type=int, default=1, help="how many consecutive chunks to build")
    return add_common_args(parser).parse_args(argv)


def mixing_for(cfg: PipelineConfig, cands: pa.Table) -> Mixing:
    """Groups and shares from `mix.target_shares`; {} = one group per category, shares as supplied."""
    mc = cfg.mix
    if mc.target_shares:
        groups = sorted(mc.target_shares)
        shares = np.array([mc.target_shares[g] for g in groups], dtype=np.float64)
        if (shares < 0).any() or shares.sum() <= 0:
            raise ValueError(f"mix.target_shares must be >= 0 with a positive sum, got {mc.target_shares}")
    else:
        supply = cands.group_by("category").aggregate([("n_tokens", "sum")]).sort_by("category")
        groups = supply.column("category").to_pylist()
        shares = supply.column("n_tokens_sum").to_numpy().astype(np.float64)
    unknown = sorted(set(mc.max_repeats) - set(groups))
    if unknown:
        raise ValueError(f"mix.max_repeats names groups that are not in the mix: {unknown} (groups: {groups})")
    default = -1 if mc.default_max_repeats is None else mc.default_max_repeats
    caps = np.array([mc.max_repeats.get(g, default) for g in groups], dtype=np.int64)
    return Mixing(groups, shares / shares.sum(), caps)


def plan_for(cands: pa.Table, mixing: Mixing, cfg: PipelineConfig, chunk_id: int) -> tuple[ChunkPlan, np.ndarray]:
    """(plan over the candidates that fall in a group, their row indices in `cands`)."""
    group = assign_groups(cands.column("category"), cands.column("lang"), mixing.groups)
    rows = np.flatnonzero(group >= 0)
    block_len = cfg.mix.seq_len + 1
    total = cfg.mix.chunk_tokens // block_len * block_len
    if total == 0:
        raise ValueError(f"mix.chunk_tokens={cfg.mix.chunk_tokens} is less than one block of "
                         f"mix.seq_len + 1 = {block_len} tokens")
    plan = plan_chunk(
        group[rows], cands.column("doc_hash").to_numpy()[rows], cands.column("n_tokens").to_numpy()[rows],
        cands.column("times_used").to_numpy()[rows], mixing.shares, mixing.max_repeats, total,
        seed=cfg.mix.seed, chunk_id=chunk_id, curve=cfg.mix.usage_curve, decay=cfg.mix.usage_decay,
    )
    return plan, rows


def pieces_table(cands: pa.Table, plan: ChunkPlan, rows: np.ndarray, block_len: int) -> pa.Table:
    """One row per piece of a document inside a block: where its tokens come from and go."""
    p = plan_pieces(plan.length, block_len)
    take = pa.array(rows[plan.doc[p.doc]])
    return pa.table({
        "doc_id": cands.column("doc_id").take(take), "category": cands.column("category").take(take),
        "block_id": pa.array(p.block, pa.int64()), "start": pa.array(p.start, pa.int32()),
        "length": pa.array(p.length, pa.int32()), "doc_offset": pa.array(p.doc_offset, pa.int32()),
    })


def transform(pieces, tokenized, chunk_id: int):
    """Pieces + tokenized_docs → rows of `blocks` for chunk `chunk_id` (JVM built-ins only)."""
    from pyspark.sql import functions as F

    piece = F.struct("start", "length", "doc_offset", "doc_id", "category",
                     F.slice("tokens", F.col("doc_offset") + 1, F.col("length")).alias("piece"))
    return (F.broadcast(pieces).join(tokenized.select("doc_id", "tokens"), "doc_id")
            .groupBy("block_id")
            # sort_array orders the structs by their first field, start: the pieces' order in the block.
            .agg(F.sort_array(F.collect_list(piece)).alias("p"))
            .select(F.lit(chunk_id).alias("chunk_id"), "block_id",
                    F.flatten(F.col("p.piece")).alias("tokens"),
                    F.col("p.doc_id").alias("doc_ids"), F.col("p.start").alias("doc_starts"),
                    F.col("p.length").alias("doc_lengths"), F.col("p.doc_offset").alias("doc_offsets"),
                    F.col("p.category").alias("doc_categories")))


def usage_updates(cands: pa.Table, plan: ChunkPlan, rows: np.ndarray) -> pa.Table:
    """(doc_id, uses, tokens) of every document in the chunk: the increments of `usage`."""
    idx = rows[plan.doc]
    docs, inverse = np.unique(idx, return_inverse=True)
    return pa.table({
        "doc_id": cands.column("doc_id").take(pa.array(docs)),
        "uses": pa.array(np.bincount(inverse), pa.int64()),
        "tokens": pa.array(np.bincount(inverse, weights=plan.length).astype(np.int64), pa.int64()),
    })


def chunk_summary(cands: pa.Table, plan: ChunkPlan, rows: np.ndarray, mixing: Mixing, top: int) -> dict:
    """Target vs achieved shares, shortfall, repetition and the most reused documents."""
    total = int(plan.length.sum())
    used_before = cands.column("times_used").to_numpy()[rows][plan.doc]
    summary = {"groups": {}, "tokens": total, "top_reused": []}
    for g, name in enumerate(mixing.groups):
        sel = plan.group == g
        summary["groups"][name] = {
            "target_share": round(float(mixing.shares[g]), 6),
            "achieved_share": round(float(plan.achieved_tokens[g]) / total, 6),
            "shortfall_tokens": int(plan.shortfall_tokens[g]),
            "occurrences": int(sel.sum()),
            "upsampled": int((plan.repeat[sel] > 0).sum()),
            "reused": int((used_before[sel] > 0).sum()),
        }
    idx = rows[plan.doc]
    docs, inverse = np.unique(idx, return_inverse=True)
    after = cands.column("times_used").to_numpy()[docs] + np.bincount(inverse)
    best = np.lexsort((docs, -after))[:top]  # most used first, ties by doc_id order
    doc_ids = cands.column("doc_id").take(pa.array(docs[best])).to_pylist()
    summary["top_reused"] = [{"doc_id": d, "times_used": int(n)} for d, n in zip(doc_ids, after[best]) if n > 1]
    return summary


def load_candidates(spark, cfg: PipelineConfig, tokenizer_version: str, usage_version: int) -> pa.Table:
    """Metadata of every tokenized document with its times_used as of `usage_version`, by doc_id."""
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table

    docs = (read_table(spark, cfg, "tokenized_docs").where(F.col("tokenizer_version") == tokenizer_version)
            .select("doc_id", "category", "lang", "n_tokens"))
    usage = read_table(spark, cfg, "usage", version=usage_version).select("doc_id", "times_used")
    table = (docs.join(usage, "doc_id", "left")
             .select("doc_id", "category", "lang", F.col("n_tokens").cast("long").alias("n_tokens"),
                     F.coalesce("times_used", F.lit(0)).cast("long").alias("times_used"),
                     F.xxhash64("doc_id").alias("doc_hash"))
             .toArrow())
    if table.num_rows == 0:
        raise ValueError(f"tokenized_docs has no documents for tokenizer {tokenizer_version!r}: run tokenize_docs")
    return table.sort_by("doc_id")


def table_version(spark, cfg: PipelineConfig, name: str) -> int:
    """Current Delta version of table `name` (created empty first if missing)."""
    from tables.spark_tables import create_if_not_exists, current_version

    create_if_not_exists(spark, cfg, name)
    return current_version(spark, cfg, name)


def merge_usage(spark, cfg: PipelineConfig, updates: pa.Table, chunk_id: int) -> None:
    """Add the chunk's uses to `usage` in one MERGE; rows already counted for this chunk stay."""
    from tables.spark_tables import create_if_not_exists, delta_table

    create_if_not_exists(spark, cfg, "usage")
    src = spark.createDataFrame(updates)
    (delta_table(spark, cfg, "usage").alias("t")
     .merge(src.alias("s"), "t.doc_id = s.doc_id")
     .whenMatchedUpdate(condition=f"t.last_chunk_id < {chunk_id}", set={
         "times_used": "t.times_used + s.uses", "tokens_used": "t.tokens_used + s.tokens",
         "last_chunk_id": str(chunk_id)})
     .whenNotMatchedInsert(values={
         "doc_id": "s.doc_id", "times_used": "s.uses", "tokens_used": "s.tokens", "last_chunk_id": str(chunk_id)})
     .execute())


def chunk_row(spark, cfg: PipelineConfig, chunk_id: int):
    """The `chunks` row of `chunk_id`, or None."""
    from pyspark.sql import functions as F

    from tables.spark_tables import create_if_not_exists, read_table

    create_if_not_exists(spark, cfg, "chunks")
    return read_table(spark, cfg, "chunks").where(F.col("chunk_id") == chunk_id).first()


def next_chunk_id(spark, cfg: PipelineConfig) -> int:
    """One past the highest chunk in `chunks` (0 for the first)."""
    from pyspark.sql import functions as F

    from tables.spark_tables import create_if_not_exists, read_table

    create_if_not_exists(spark, cfg, "chunks")
    top = read_table(spark, cfg, "chunks").agg(F.max("chunk_id")).first()[0]
    return 0 if top is None else top + 1


def write_chunk_row(spark, cfg: PipelineConfig, chunk_id: int, status: str, tokenizer_version: str,
                    usage_version: int, summary: dict | None) -> None:
    """Upsert the `chunks` row of `chunk_id`."""
    from tables.merge import merge_upsert

    groups = (summary or {}).get("groups", {})
    block_len = cfg.mix.seq_len + 1
    tokens = cfg.mix.chunk_tokens // block_len * block_len
    row = {
        "chunk_id": chunk_id, "tokens": tokens, "blocks": tokens // block_len,
        "target_shares": json.dumps({g: s["target_share"] for g, s in groups.items()}, sort_keys=True),
        "achieved_shares": json.dumps({g: s["achieved_share"] for g, s in groups.items()}, sort_keys=True),
        "status": status, "seed": cfg.mix.seed, "tokenizer_version": tokenizer_version, "checkpoint": None,
        "seq_len": cfg.mix.seq_len,
        "shortfall": json.dumps({g: s["shortfall_tokens"] for g, s in groups.items()}, sort_keys=True),
        "repetition": json.dumps({g: {k: s[k] for k in ("occurrences", "upsampled", "reused")}
                                  for g, s in groups.items()} | {"top_reused": (summary or {}).get("top_reused", [])},
                                 sort_keys=True),
        "usage_version": usage_version,
    }
    from tables.catalog import CHUNKS

    merge_upsert(spark, cfg, "chunks", spark.createDataFrame([row], spark_schema(CHUNKS)), ["chunk_id"])


def build_chunk(spark, cfg: PipelineConfig, chunk_id: int, tokenizer_version: str) -> dict:
    """Draw, pack and write chunk `chunk_id`; returns its summary (see chunk_summary)."""
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table
    from tables.merge import overwrite_partitions

    existing = chunk_row(spark, cfg, chunk_id)
    if existing is not None and existing["status"] in FROZEN:
        raise ChunkFrozenError(f"chunk {chunk_id} is {existing['status']}: its blocks cannot be rebuilt")
    if existing is None and chunk_id > next_chunk_id(spark, cfg):
        raise ValueError(f"--chunk-id {chunk_id}: chunks are built in order, the next one is "
                         f"{next_chunk_id(spark, cfg)}")
    usage_version = existing["usage_version"] if existing is not None else table_version(spark, cfg, "usage")
    if existing is None:
        # Pin the usage version first: a re-run after a crash then draws the same chunk.
        write_chunk_row(spark, cfg, chunk_id, "building", tokenizer_version, usage_version, None)
    clock = [("start", time.perf_counter())]
    cands = load_candidates(spark, cfg, tokenizer_version, usage_version)
    clock.append(("load_candidates", time.perf_counter()))
    mixing = mixing_for(cfg, cands)
    plan, rows = plan_for(cands, mixing, cfg, chunk_id)
    pieces = pieces_table(cands, plan, rows, cfg.mix.seq_len + 1)
    clock.append(("plan", time.perf_counter()))
    pieces_df = spark.createDataFrame(pieces.to_pandas(), PIECES_SCHEMA)
    tokenized = read_table(spark, cfg, "tokenized_docs").where(F.col("tokenizer_version") == tokenizer_version)
    overwrite_partitions(spark, cfg, "blocks", transform(pieces_df, tokenized, chunk_id), {"chunk_id": chunk_id})
    clock.append(("write_blocks", time.perf_counter()))
    merge_usage(spark, cfg, usage_updates(cands, plan, rows), chunk_id)
    clock.append(("merge_usage", time.perf_counter()))
    summary = chunk_summary(cands, plan, rows, mixing, cfg.mix.top_reused)
    write_chunk_row(spark, cfg, chunk_id, "ready", tokenizer_version, usage_version, summary)
    clock.append(("chunk_row", time.perf_counter()))
    summary["timings"] = {name: round(t - clock[i][1], 2) for i, (name, t) in enumerate(clock[1:])}
    return summary


def print_summary(summary: dict) -> None:
    """Target vs achieved shares, shortfall and repetition per group, then the most reused docs."""
    secs = summary["seconds"]
    print(f"mix: chunk {summary['chunk_id']}: {summary['tokens']} tokens in {secs}s "
          f"({summary['tokens'] / max(secs, 0.1) / 1e6:.2f}M tokens/s)")
    print(f"  {'group':<16}{'target':>8}{'achieved':>10}{'shortfall':>12}{'occurr.':>9}{'upsampled':>10}{'reused':>8}")
    for name, g in summary["groups"].items():
        print(f"  {name:<16}{g['target_share']:>8.3f}{g['achieved_share']:>10.3f}{g['shortfall_tokens']:>12}"
              f"{g['occurrences']:>9}{g['upsampled']:>10}{g['reused']:>8}")
    for r in summary["top_reused"]:
        print(f"  reused {r['times_used']}x: {r['doc_id']}")


def run(spark, cfg: PipelineConfig, chunk_id: int | None = None, n_chunks: int = 1) -> list[dict]:
    """Build `n_chunks` consecutive chunks from `chunk_id` (default: the next); their summaries."""
    from spark_jobs.tokenizer_store import resolve_version

    version = resolve_version(cfg)
    first = next_chunk_id(spark, cfg) if chunk_id is None else chunk_id
    summaries = []
    for k in range(first, first + n_chunks):
        started = time.time()
        summary = build_chunk(spark, cfg, k, version)
        summaries.append({"chunk_id": k, "seconds": round(time.time() - started, 1), **summary})
    return summaries


def main(argv: list[str] | None = None) -> int:
    from spark_jobs.session import get_spark

    args = parse_args(argv)
    cfg = config_from_args(args)
    for summary in run(get_spark(cfg, "mix"), cfg, args.chunk_id, args.chunks):
        print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
