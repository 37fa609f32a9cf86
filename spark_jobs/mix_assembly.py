"""Spark side of the mix: candidates' metadata out of the tables, blocks and usage into them.

The plan (udfs/mix_plan.py) runs on the driver over metadata only; here the token ids are
joined to the plan's pieces, sliced and assembled per block with Spark SQL built-ins (slice,
sort_array, flatten) in the JVM, so they never visit the driver or a Python worker.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from pyspark.sql import functions as F
from pyspark.sql import types as T

from tables.merge import overwrite_partitions
from tables.spark_tables import create_if_not_exists, current_version, delta_table, exists, read_table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from conf.schema import PipelineConfig

# Non-null columns, so the assembled block arrays are array<… NOT NULL> like the blocks table's.
PIECES_SCHEMA = T.StructType([T.StructField(n, t, False) for n, t in (
    ("doc_id", T.StringType()), ("category", T.StringType()), ("block_id", T.LongType()),
    ("start", T.IntegerType()), ("length", T.IntegerType()), ("doc_offset", T.IntegerType()))])


def tokenized(spark: SparkSession, cfg: PipelineConfig, tokenizer_version: str) -> DataFrame:
    """The `tokenized_docs` partition of one tokenizer version."""
    return read_table(spark, cfg, "tokenized_docs").where(F.col("tokenizer_version") == tokenizer_version)


def load_candidates(spark: SparkSession, cfg: PipelineConfig, tokenizer_version: str, usage_version: int) -> pa.Table:
    """Metadata of every tokenized document with its times_used as of `usage_version`, by doc_id."""
    docs = tokenized(spark, cfg, tokenizer_version).select("doc_id", "category", "lang", "n_tokens")
    usage = read_table(spark, cfg, "usage", version=usage_version).select("doc_id", "times_used")
    # quality_score for the phases' quality floors (udfs/mix_quality.py); null without curated_docs.
    quality = (read_table(spark, cfg, "curated_docs").select("doc_id", "quality_score")
               if exists(spark, cfg, "curated_docs") else spark.createDataFrame([], "doc_id string, quality_score double"))
    table = (docs.join(usage, "doc_id", "left").join(quality, "doc_id", "left")
             .select("doc_id", "category", "lang", F.col("n_tokens").cast("long").alias("n_tokens"),
                     F.coalesce("times_used", F.lit(0)).cast("long").alias("times_used"),
                     F.xxhash64("doc_id").alias("doc_hash"), F.col("quality_score").cast("double"))
             .toArrow())
    if table.num_rows == 0:
        raise ValueError(f"tokenized_docs has no documents for tokenizer {tokenizer_version!r}: run tokenize_docs")
    return table.sort_by("doc_id")


def excluded_doc_ids(spark: SparkSession, cfg: PipelineConfig) -> pa.Array | None:
    """Distinct doc ids of `excluded_docs` (what the trainer refused); None while the table does not exist."""
    if not exists(spark, cfg, "excluded_docs"):
        return None
    ids = read_table(spark, cfg, "excluded_docs").select("doc_id").distinct().toArrow()
    return ids.column("doc_id").combine_chunks() if ids.num_rows else pa.array([], pa.string())


def heldout_doc_ids(spark: SparkSession, cfg: PipelineConfig) -> pa.Array | None:
    """Doc ids of `eval_docs` (the held-out split, spark_jobs/heldout.py); None while it does not exist."""
    if not exists(spark, cfg, "eval_docs"):
        return None
    ids = read_table(spark, cfg, "eval_docs").select("doc_id").distinct().toArrow()
    return ids.column("doc_id").combine_chunks() if ids.num_rows else pa.array([], pa.string())


def assemble_blocks(pieces: DataFrame, tokens: DataFrame, chunk_id: int) -> DataFrame:
    """Pieces (PIECES_SCHEMA) + tokenized_docs → rows of `blocks` for chunk `chunk_id` (JVM built-ins only)."""
    piece = F.struct("start", "length", "doc_offset", "doc_id", "category",
                     F.slice("tokens", F.col("doc_offset") + 1, F.col("length")).alias("piece"))
    return (F.broadcast(pieces).join(tokens.select("doc_id", "tokens"), "doc_id")
            .groupBy("block_id")
            # sort_array orders the structs by their first field, start: the pieces' order in the block.
            .agg(F.sort_array(F.collect_list(piece)).alias("p"))
            .select(F.lit(chunk_id).alias("chunk_id"), "block_id",
                    F.flatten(F.col("p.piece")).alias("tokens"),
                    F.col("p.doc_id").alias("doc_ids"), F.col("p.start").alias("doc_starts"),
                    F.col("p.length").alias("doc_lengths"), F.col("p.doc_offset").alias("doc_offsets"),
                    F.col("p.category").alias("doc_categories")))


def write_blocks(spark: SparkSession, cfg: PipelineConfig, pieces: pa.Table, tokenizer_version: str,
                 chunk_id: int) -> None:
    """Overwrite partition `chunk_id = k` of `blocks` with the blocks the pieces describe."""
    pieces_df = spark.createDataFrame(pieces.to_pandas(), PIECES_SCHEMA)
    blocks = assemble_blocks(pieces_df, tokenized(spark, cfg, tokenizer_version), chunk_id)
    overwrite_partitions(spark, cfg, "blocks", blocks, {"chunk_id": chunk_id})


def usage_version(spark: SparkSession, cfg: PipelineConfig) -> int:
    """Current Delta version of `usage` (created empty first if missing)."""
    create_if_not_exists(spark, cfg, "usage")
    return current_version(spark, cfg, "usage")


def merge_usage(spark: SparkSession, cfg: PipelineConfig, updates: pa.Table, chunk_id: int) -> None:
    """Add the chunk's uses to `usage` in one MERGE; rows already counted for this chunk stay."""
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
