"""The threshold report of `flywheel dedup --report`: how much data each threshold would keep.

Read from the signatures the dedup run already computed, so trying thresholds costs no
second Python pass over the texts.
"""
from __future__ import annotations

import dataclasses

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from conf.schema import DedupConfig
from spark_jobs.dedup_clusters import ranked_members
from spark_jobs.dedup_signatures import candidate_pairs, exact_unique, fixed_edges, lsh_params, score_pairs
from spark_jobs.lineage import cut


def _sizes(df: DataFrame):
    return df.agg(F.count(F.lit(1)).alias("docs"), F.sum("n_words").alias("words"),
                  F.sum("text_bytes").alias("bytes")).first()


def keep_report(sig: DataFrame, cfg: DedupConfig, thresholds: list[float]) -> list[dict]:
    """How much data each near-duplicate threshold keeps, from the signatures already computed.

    Bands are re-cut from the stored signatures in Spark SQL for the lowest threshold, pairs are
    scored by the signature estimate (no exact Jaccard: this is a planning estimate), and for each
    threshold the kept documents, words, bytes and estimated tokens are counted after exact, URL
    and near-duplicate clusters are reduced to their representative.
    """
    bands, rows = lsh_params(cfg, thresholds)
    recut = sig.withColumn("bands", F.expr(
        f"transform(sequence(0, {bands - 1}), b -> xxhash64(slice(signature, b * {rows} + 1, {rows})))"))
    pairs = candidate_pairs(exact_unique(recut, cfg), cfg.max_bucket_all_pairs)
    scored = cut(score_pairs(pairs, sig, None, dataclasses.replace(cfg, verify="signature")), cfg.checkpoint_dir)
    fixed = fixed_edges(sig, cfg)
    totals = _sizes(sig)
    report = []
    for t in sorted(thresholds):
        edges = scored.where(F.col("similarity") >= F.lit(t))
        edges = edges.select("u", "v", F.lit("minhash").alias("method"), "similarity")
        for e in fixed:
            edges = edges.unionByName(e)
        gone = _sizes(ranked_members(edges, sig, cfg).where("_rank > 1"))
        kept_bytes = int(totals["bytes"] or 0) - int(gone["bytes"] or 0)
        report.append({
            "threshold": t,
            "docs_kept": int(totals["docs"]) - int(gone["docs"]),
            "docs_total": int(totals["docs"]),
            "words_kept": int(totals["words"] or 0) - int(gone["words"] or 0),
            "bytes_kept": kept_bytes,
            "tokens_est_kept": int(kept_bytes / cfg.bytes_per_token),
            "tokens_est_total": int(int(totals["bytes"] or 0) / cfg.bytes_per_token),
        })
    return report


def format_report(report: list[dict]) -> str:
    """The keep report as an aligned text table."""
    lines = [f"{'threshold':>9} {'docs kept':>12} {'share':>6} {'words kept':>14} {'tokens(est) kept':>17}"]
    for r in report:
        share = r["docs_kept"] / r["docs_total"] if r["docs_total"] else 1.0
        lines.append(f"{r['threshold']:>9.2f} {r['docs_kept']:>12,} {share:>6.1%} {r['words_kept']:>14,} "
                     f"{r['tokens_est_kept']:>17,}")
    return "\n".join(lines)
