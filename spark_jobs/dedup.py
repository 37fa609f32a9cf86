"""Dedup: exact, URL and MinHash-LSH near-duplicate removal, one kept document per cluster.

Reads   `annotated_docs` (only `kept = true` documents take part).
Writes  `dedup_clusters` (every document of every duplicate cluster: its representative,
        whether it was kept, its similarity to the representative and the method that joined
        it) and `curated_docs` (the survivors, `text` = the PII-masked text). Both tables are
        owned whole by this job and overwritten: re-running gives the same tables.
Run     flywheel dedup [--report] [--set dedup.threshold=0.8]
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.0 spark_jobs/dedup.py

How (all per-document work in ONE `mapInArrow` pass over Arrow batches, udfs/minhash.py):
  1. signature pass and 2. edges (exact, URL, verified MinHash-LSH): spark_jobs/dedup_signatures.py
  3. connected components and the keep policy (`dedup.keep_order`): spark_jobs/dedup_clusters.py
  4. optional line/paragraph boilerplate removal across the curated corpus: spark_jobs/dedup_boilerplate.py
  --report: documents/tokens kept per threshold, from the same signatures: spark_jobs/dedup_report.py
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from conf.schema import DedupConfig, PipelineConfig
from spark_jobs import job_metrics
from spark_jobs.cli_args import add_common_args, config_from_args
from spark_jobs.dedup_boilerplate import remove_boilerplate
from spark_jobs.dedup_clusters import cluster_table
from spark_jobs.dedup_report import format_report, keep_report
from spark_jobs.dedup_signatures import EDGES_DDL, compute_signatures, fixed_edges, fuzzy_edges, lsh_params
from spark_jobs.lineage import cut

STAGE = "dedup"


@dataclass(frozen=True)
class DedupResult:
    """The two tables the job writes, as DataFrames (nothing written yet)."""

    clusters: DataFrame
    curated: DataFrame
    signatures: DataFrame
    """The persisted signature pass (pass-through columns + text hash, URL, signature, bands)."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel dedup", description=__doc__.split("\n")[0])
    parser.add_argument("--report", action="store_true",
                        help="also print how many documents/tokens each of dedup.report_thresholds keeps")
    parser.add_argument("--report-out", metavar="FILE", help="write that report as JSON too")
    return add_common_args(parser).parse_args(argv)


def check_config(cfg: DedupConfig) -> None:
    """Raise ValueError naming the key for settings that cannot work together."""
    if cfg.verify not in ("exact", "signature", None):
        raise ValueError(f"dedup.verify must be exact, signature or null, got {cfg.verify!r}")
    if cfg.verify is None and any(t != cfg.threshold for t in cfg.category_thresholds.values()):
        raise ValueError("dedup.category_thresholds need dedup.verify (exact or signature): "
                         "unverified band collisions cannot apply a per-pair threshold")
    if cfg.line_dedup.unit not in ("line", "paragraph"):
        raise ValueError(f"dedup.line_dedup.unit must be line or paragraph, got {cfg.line_dedup.unit!r}")
    for item in cfg.keep_order:
        parts = item.split()
        if len(parts) != 2 or parts[1] not in ("asc", "desc"):
            raise ValueError(f"dedup.keep_order items are 'column asc|desc', got {item!r}")
    lsh_params(cfg)


def transform(df: DataFrame, cfg: PipelineConfig) -> DedupResult:
    """annotated_docs rows -> (dedup_clusters rows, curated_docs rows); nothing written.

    Only `kept` documents take part. The signature pass is persisted (it feeds several joins).
    """
    d = cfg.dedup
    check_config(d)
    bands, rows = lsh_params(d)
    docs = df.where(F.col("kept"))
    # Batch size of the signature pass: ~32 bytes of numpy temporaries per byte of text.
    df.sparkSession.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(d.arrow_batch_rows))
    sig = compute_signatures(docs, d, bands, rows).persist()
    edges = fixed_edges(sig, d) + ([fuzzy_edges(sig, docs, d)] if d.fuzzy else [])
    all_edges = df.sparkSession.createDataFrame([], EDGES_DDL)
    for e in edges:
        all_edges = all_edges.unionByName(e)
    all_edges = cut(all_edges, d.checkpoint_dir)  # computed once, read by CC and by the method lookup
    clusters = cluster_table(all_edges, sig, d)
    # Broadcast the removed ids (~40 bytes each): the texts are filtered in place, not shuffled.
    removed = F.broadcast(clusters.where(~F.col("kept")).select("doc_id"))
    curated = (docs.join(removed, "doc_id", "left_anti")
               .select("doc_id", "source", "url", F.col("text_masked").alias("text"), "lang", "category",
                       "quality_score", "n_words"))
    return DedupResult(clusters=clusters, curated=remove_boilerplate(curated, d), signatures=sig)


def run(spark: SparkSession, cfg: PipelineConfig) -> dict:
    """Read annotated_docs, dedup, overwrite dedup_clusters and curated_docs; a summary dict."""
    from tables.spark_tables import read_table
    from tables.merge import overwrite_partitions
    from spark_jobs.stage_counts import cluster_sizes, per_group

    start = time.time()
    result = transform(read_table(spark, cfg, "annotated_docs"), cfg)
    overwrite_partitions(spark, cfg, "dedup_clusters", result.clusters)
    overwrite_partitions(spark, cfg, "curated_docs", result.curated)
    clusters = read_table(spark, cfg, "dedup_clusters")
    removed = {r["method"]: r["n"] for r in clusters.where(~F.col("kept")).groupBy("method")
               .agg(F.count(F.lit(1)).alias("n")).collect()}
    curated = read_table(spark, cfg, "curated_docs").agg(
        F.count(F.lit(1)).alias("docs"), F.sum("boilerplate_removed").alias("boilerplate")).first()
    summary = {"curated_docs": curated["docs"], "removed": removed, "boilerplate_removed": int(curated["boilerplate"] or 0),
               "groups_in": per_group(read_table(spark, cfg, "annotated_docs").where(F.col("kept")), "text_masked"),
               "groups_out": per_group(read_table(spark, cfg, "curated_docs"), "text"),
               "clusters": cluster_sizes(clusters), "seconds": time.time() - start, "signatures": result.signatures}
    return job_metrics.report(cfg, STAGE, summary)


def print_summary(summary: dict) -> None:
    """One line: curated documents, removals by method, boilerplate lines, time."""
    removed = summary["removed"]
    print(f"dedup: {summary['curated_docs']:,} curated documents; removed {sum(removed.values()):,} "
          f"({', '.join(f'{m} {n:,}' for m, n in sorted(removed.items())) or 'none'}); "
          f"{summary['boilerplate_removed']:,} boilerplate lines removed; {summary['seconds']:.1f}s")


def main(argv: list[str] | None = None) -> int:
    """session -> read annotated_docs -> transform -> overwrite dedup_clusters, curated_docs -> summary."""
    from spark_jobs.session import get_spark

    args = parse_args(sys.argv[1:] if argv is None else argv)
    cfg = config_from_args(args)
    spark = get_spark(cfg, STAGE)
    summary = run(spark, cfg)
    print_summary(summary)
    if args.report or args.report_out:
        report = keep_report(summary["signatures"], cfg.dedup, cfg.dedup.report_thresholds)
        print(format_report(report))
        if args.report_out:
            with open(args.report_out, "w", encoding="utf-8") as fh:
                json.dump(report, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
