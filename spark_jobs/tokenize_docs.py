"""Tokenize `curated_docs` into `tokenized_docs` with a trained tokenizer.

Reads   `curated_docs` (doc_id, text, lang, category) and the tokenizer artifact
        (`tokenizer.version`, default the newest; spark_jobs/tokenizer_store.py).
Writes  `tokenized_docs`: int32 ids with EOS appended, token count, text bytes and the
        tokenizer version; the job overwrites the partition of its tokenizer version, so a
        re-run leaves the same table and other versions stay untouched.
Run     flywheel tokenize_docs [--set tokenizer.version=bpe32768-…]
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.1 spark_jobs/tokenize_docs.py

One `mapInArrow` pass: each Arrow batch of texts goes through `encode_batch` (Rust
`encode_batch_fast`) once. The tokenizer JSON travels to executors as one broadcast and is
parsed once per Python worker (`udfs.tokenize_batch.load_tokenizer`); its Rust thread pool
is pinned to `tokenizer.rayon_threads` because Spark already runs a worker per core.
"""
from __future__ import annotations

import argparse
import sys
import time

import pyarrow as pa

from spark_jobs import job_metrics
from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig
from spark_jobs.tokenizer_store import load_artifact
from tables.catalog import TOKENIZED_DOCS
from udfs.tokenize_batch import encode_batch, load_tokenizer
from tables.spark_tables import spark_schema

# Declared once in tables.catalog; the batches carry exactly that Arrow schema.
OUT_SCHEMA = TOKENIZED_DOCS.arrow_schema()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel tokenize_docs", description=__doc__.split("\n")[0])
    return add_common_args(parser).parse_args(argv)


def encode_partition(batches, version: str, tokenizer_json, eos_id: int, rayon_threads: int | None):
    """mapInArrow body: (doc_id, lang, category, text) batches → tokenized rows.

    `tokenizer_json` is a Spark broadcast (or a plain str in tests); it is read only when
    this worker has not parsed `version` yet.
    """
    import pyarrow.compute as pc

    tokenizer = None
    for batch in batches:
        if tokenizer is None:
            json_text = tokenizer_json if isinstance(tokenizer_json, str) else tokenizer_json.value
            tokenizer = load_tokenizer(version, json_text, rayon_threads)
        texts = batch.column("text")
        ids = encode_batch(texts, tokenizer, eos_id)
        n = len(ids)
        yield pa.RecordBatch.from_arrays([
            batch.column("doc_id"), batch.column("lang"), batch.column("category"), ids.cast(OUT_SCHEMA.field("tokens").type),
            pc.list_value_length(ids).cast(pa.int32()),
            pc.fill_null(pc.binary_length(texts), 0).cast(pa.int32()),
            pa.array([version] * n, pa.string()),
        ], schema=OUT_SCHEMA)


def transform(curated, cfg: PipelineConfig, version: str, tokenizer_json, eos_id: int):
    """curated_docs → tokenized_docs rows, tokenized with `version` (one mapInArrow pass)."""
    threads = cfg.tokenizer.rayon_threads
    return (curated.select("doc_id", "lang", "category", "text")
            # The table's own schema (not a DDL string) keeps `tokens` array<int NOT NULL>, as declared.
            .mapInArrow(lambda it: encode_partition(it, version, tokenizer_json, eos_id, threads),
                        spark_schema(TOKENIZED_DOCS)))


def run(spark, cfg: PipelineConfig) -> dict:
    """Tokenize curated_docs into the partition of the configured tokenizer; returns counts."""
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table
    from tables.merge import overwrite_partitions
    from spark_jobs.stage_counts import per_group

    version, tokenizer_json, meta = load_artifact(cfg)
    started = time.time()
    curated = read_table(spark, cfg, "curated_docs")
    shipped = spark.sparkContext.broadcast(tokenizer_json)
    out = transform(curated, cfg, version, shipped, meta["eos_id"])
    overwrite_partitions(spark, cfg, "tokenized_docs", out, {"tokenizer_version": version})
    groups = per_group(read_table(spark, cfg, "tokenized_docs").where(F.col("tokenizer_version") == version),
                       bytes_col="text_bytes", tokens_col="n_tokens")
    totals = {k: sum(g[k] for g in groups) for k in ("docs", "tokens", "bytes")}
    return job_metrics.report(cfg, "tokenize_docs", {"version": version, "seconds": round(time.time() - started, 1),
                                                     **totals, "groups": groups})


def print_summary(stats: dict) -> None:
    """Docs, tokens, MB/s and bytes per token of one run."""
    print(f"tokenize_docs: {stats['docs']} docs, {stats['tokens']} tokens with {stats['version']} in "
          f"{stats['seconds']}s ({stats['bytes'] / 1e6 / max(stats['seconds'], 0.1):.2f} MB/s, "
          f"{stats['bytes'] / max(stats['tokens'], 1):.2f} bytes/token)")


def main(argv: list[str] | None = None) -> int:
    from spark_jobs.session import get_spark

    cfg = config_from_args(parse_args(argv))
    print_summary(run(get_spark(cfg, "tokenize_docs"), cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
