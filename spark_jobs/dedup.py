"""Dedup: exact, URL and MinHash-LSH near-duplicate removal, one kept document per cluster.

Reads   `annotated_docs` (only `kept = true` documents take part).
Writes  `dedup_clusters` (every document of every duplicate cluster: its representative,
        whether it was kept, its similarity to the representative and the method that joined
        it) and `curated_docs` (the survivors, `text` = the PII-masked text). Both tables are
        owned whole by this job and overwritten: re-running gives the same tables.
Run     flywheel dedup [--report] [--set dedup.threshold=0.8]
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.0 spark_jobs/dedup.py

How (all per-document work in ONE `mapInArrow` pass over Arrow batches, udfs/minhash.py):
  1. signature pass: normalised-text hash, normalised URL, MinHash signature and LSH band
     hashes of each document (vectorised numpy over whole batches, no per-word Python).
  2. edges: exact (same text hash) and URL (same normalised URL) groups become stars around
     their smallest doc_id; LSH buckets of exact-unique documents give candidate pairs (every
     pair for buckets up to `max_bucket_all_pairs`, a star above), verified by exact shingle
     Jaccard or by the signature estimate against the pair's (per-category) threshold.
  3. connected components over all edges (spark_jobs/connected_components.py), then the keep
     policy (`dedup.keep_order`) picks one representative per cluster.
  4. optional line/paragraph boilerplate removal across the curated corpus.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from spark_jobs import job_metrics
from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import DedupConfig, PipelineConfig
from spark_jobs.connected_components import connected_components
from udfs.lsh import band_hashes, optimal_bands
from udfs.minhash import shingle_sets, signatures
from udfs.normalize import normalize_urls, text_hashes

STAGE = "dedup"
METHODS = ("exact", "url", "minhash")  # priority order when several edges join a document

# Columns the signature pass computes; it also passes through the small columns the later
# steps need (category, keep-order columns, sizes) so no join back to the documents is needed.
COMPUTED_FIELDS = [
    ("text_hash", pa.string(), "string"), ("url_norm", pa.string(), "string"), ("n_shingles", pa.int32(), "int"),
    ("signature", pa.list_(pa.int32()), "array<int>"), ("bands", pa.list_(pa.int64()), "array<bigint>"),
]
SHINGLES_DDL = "doc_id string, shingles array<int>"


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


def lsh_params(cfg: DedupConfig, extra_thresholds: list[float] = ()) -> tuple[int, int]:
    """(bands, rows): explicit in the config, or datasketch's optimum at the lowest threshold in use."""
    if (cfg.bands is None) != (cfg.rows is None):
        raise ValueError("dedup.bands and dedup.rows must be set together (or both null)")
    if cfg.bands is not None:
        if cfg.bands * cfg.rows > cfg.num_perm:
            raise ValueError(f"dedup.bands * dedup.rows = {cfg.bands * cfg.rows} exceeds dedup.num_perm = {cfg.num_perm}")
        return cfg.bands, cfg.rows
    lowest = min([cfg.threshold, *cfg.category_thresholds.values(), *extra_thresholds])
    return optimal_bands(lowest, cfg.num_perm, cfg.false_positive_weight, cfg.false_negative_weight)


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


def _list_array(matrix: np.ndarray, pa_type: pa.DataType) -> pa.ListArray:
    rows, width = matrix.shape
    offsets = pa.array(np.arange(0, rows * width + 1, width, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1), type=pa_type))


def passthrough_columns(cfg: DedupConfig) -> list[str]:
    """Small document columns carried through the signature pass (never the text)."""
    wanted = ["doc_id", "category", "text_bytes", "n_words"] + [item.split()[0] for item in cfg.keep_order]
    return list(dict.fromkeys(wanted))


def signature_batches(batches: Iterator[pa.RecordBatch], cfg: DedupConfig, bands: int, rows: int,
                      passthrough: list[str]) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: documents -> pass-through columns + COMPUTED_FIELDS, one pass per batch."""
    for batch in batches:
        texts = batch.column("text")
        sig, n_shingles = signatures(texts, cfg.num_perm, cfg.seed, cfg.ngram)
        nulls = pa.nulls(len(batch), pa.string())
        computed = [
            pa.array(text_hashes(texts), pa.string()) if cfg.exact else nulls,
            pa.array(normalize_urls(batch.column("url").to_pylist()), pa.string()) if cfg.url else nulls,
            pa.array(n_shingles.astype(np.int32)),
            _list_array(sig.view(np.int32), pa.int32()),  # Spark has no uint32: same bits as int32
            _list_array(band_hashes(sig, bands, rows), pa.int64()),
        ]
        names = passthrough + [name for name, _, _ in COMPUTED_FIELDS]
        yield pa.RecordBatch.from_arrays([batch.column(c) for c in passthrough] + computed, names=names)


def shingle_batches(batches: Iterator[pa.RecordBatch], ngram: int) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (doc_id, text) -> (doc_id, sorted unique shingle hashes) for exact Jaccard."""
    for batch in batches:
        sets = shingle_sets(batch.column("text"), ngram)
        offsets = np.zeros(len(sets) + 1, dtype=np.int32)
        np.cumsum([len(s) for s in sets], out=offsets[1:])
        values = np.concatenate(sets).view(np.int32) if sets else np.zeros(0, np.int32)
        yield pa.RecordBatch.from_arrays(
            [batch.column("doc_id"), pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))],
            names=["doc_id", "shingles"])


def compute_signatures(docs: DataFrame, cfg: DedupConfig, bands: int, rows: int) -> DataFrame:
    """The one Python pass over the texts: pass-through columns + text hash, URL, signature, bands."""
    passthrough = passthrough_columns(cfg)
    types = {f.name: f.dataType.simpleString() for f in docs.schema.fields}
    missing = [c for c in passthrough if c not in types]
    if missing:
        raise ValueError(f"dedup.keep_order names columns that annotated_docs lacks: {missing}")
    ddl = ", ".join([f"{c} {types[c]}" for c in passthrough] + [f"{n} {t}" for n, _, t in COMPUTED_FIELDS])
    source = docs.select(*passthrough, *(["url"] if "url" not in passthrough else []),
                         F.col("text_masked").alias("text"))
    return source.mapInArrow(lambda it: signature_batches(it, cfg, bands, rows, passthrough), ddl)


def cut(df: DataFrame, cfg: DedupConfig) -> DataFrame:
    """Materialise `df` once and truncate its plan: reused intermediate results are not recomputed
    (a Python pass twice, a shuffle twice). Reliable checkpoints when dedup.checkpoint_dir is set."""
    if cfg.checkpoint_dir:
        df.sparkSession.sparkContext.setCheckpointDir(cfg.checkpoint_dir)
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def group_edges(sig: DataFrame, key: str, method: str) -> DataFrame:
    """Star edges (u, v, method, similarity) from the smallest doc_id sharing `key` to the others."""
    w = Window.partitionBy(key)
    similarity = F.lit(1.0) if method == "exact" else F.lit(None)
    return (sig.where(F.col(key).isNotNull()).select("doc_id", key)
            .withColumn("root", F.min("doc_id").over(w)).where(F.col("doc_id") != F.col("root"))
            .select(F.col("root").alias("u"), F.col("doc_id").alias("v"), F.lit(method).alias("method"),
                    similarity.cast("double").alias("similarity")))


def candidate_pairs(sig: DataFrame, max_all_pairs: int) -> DataFrame:
    """(u, v), u < v, for documents sharing an LSH bucket (documents with shingles only)."""
    buckets = (sig.where(F.col("n_shingles") > 0)
               .select("doc_id", F.posexplode("bands").alias("band", "hash"))
               .groupBy("band", "hash").agg(F.array_sort(F.collect_list("doc_id")).alias("m"))
               .where(F.size("m") > 1))
    all_pairs = F.expr(
        "flatten(transform(sequence(1, size(m) - 1), i -> "
        "transform(slice(m, i + 1, size(m) - i), x -> named_struct('u', m[i - 1], 'v', x))))")
    star = F.expr("transform(slice(m, 2, size(m) - 1), x -> named_struct('u', m[0], 'v', x))")
    pairs = buckets.select(F.explode(F.when(F.size("m") <= max_all_pairs, all_pairs).otherwise(star)).alias("p"))
    return pairs.select("p.u", "p.v").distinct()


def threshold_of(cfg: DedupConfig, category: Column) -> Column:
    """The Jaccard threshold of a document's category (dedup.category_thresholds, else dedup.threshold)."""
    if not cfg.category_thresholds:
        return F.lit(cfg.threshold)
    mapping = F.create_map(*[x for k, v in sorted(cfg.category_thresholds.items()) for x in (F.lit(k), F.lit(v))])
    return F.coalesce(F.element_at(mapping, category), F.lit(cfg.threshold))


def signature_similarity(a: str, b: str, num_perm: int) -> Column:
    """Share of equal MinHash values of two signature columns (Spark SQL built-ins, no Python)."""
    return F.expr(f"aggregate(zip_with({a}, {b}, (x, y) -> if(x = y, 1, 0)), 0, (s, e) -> s + e)") / F.lit(num_perm)


def score_pairs(pairs: DataFrame, sig: DataFrame, docs: DataFrame, cfg: DedupConfig) -> DataFrame:
    """Candidate pairs with `threshold` (the stricter category's) and `similarity` (per dedup.verify).

    Signatures (512 bytes a document) travel through the joins only when the estimate is the
    verdict; exact verification joins small category rows, then the shingle sets of candidates.
    """
    carry = ["signature"] if cfg.verify != "exact" else []
    left = sig.select(F.col("doc_id").alias("u"), F.col("category").alias("cu"), *[F.col(c).alias(c + "_u") for c in carry])
    right = sig.select(F.col("doc_id").alias("v"), F.col("category").alias("cv"), *[F.col(c).alias(c + "_v") for c in carry])
    scored = (pairs.join(left, "u").join(right, "v")
              .withColumn("threshold", F.greatest(threshold_of(cfg, F.col("cu")), threshold_of(cfg, F.col("cv")))))
    if cfg.verify != "exact":
        return scored.select("u", "v", "threshold",
                             signature_similarity("signature_u", "signature_v", cfg.num_perm).alias("similarity"))
    # Exact Jaccard needs the shingle sets, recomputed only for documents in some candidate pair.
    # Broadcast the candidate ids (~40 bytes each) so the texts are filtered where they lie
    # instead of being shuffled for a join.
    ids = pairs.select(F.explode(F.array("u", "v")).alias("doc_id")).distinct()
    texts = docs.join(F.broadcast(ids), "doc_id").select("doc_id", F.col("text_masked").alias("text"))
    sh = cut(texts.mapInArrow(lambda it: shingle_batches(it, cfg.ngram), SHINGLES_DDL), cfg)  # read twice
    inter = F.size(F.array_intersect("hu", "hv"))
    return (scored.join(sh.select(F.col("doc_id").alias("u"), F.col("shingles").alias("hu")), "u")
            .join(sh.select(F.col("doc_id").alias("v"), F.col("shingles").alias("hv")), "v")
            .select("u", "v", "threshold", (inter / (F.size("hu") + F.size("hv") - inter)).alias("similarity")))


def fuzzy_edges(sig: DataFrame, docs: DataFrame, cfg: DedupConfig) -> DataFrame:
    """Verified near-duplicate edges (u, v, method, similarity) among exact-unique documents."""
    if cfg.exact:  # one member per exact group is enough: the exact edges join the others
        first = Window.partitionBy("text_hash").orderBy("doc_id")
        sig = sig.withColumn("_n", F.row_number().over(first)).where("_n = 1 OR text_hash IS NULL").drop("_n")
    pairs = cut(candidate_pairs(sig, cfg.max_bucket_all_pairs), cfg)  # read twice by score_pairs
    scored = score_pairs(pairs, sig, docs, cfg)
    if cfg.verify is not None:
        scored = scored.where(F.col("similarity") >= F.col("threshold"))
    return scored.select("u", "v", F.lit("minhash").alias("method"), F.col("similarity").cast("double"))


def keep_order(cfg: DedupConfig) -> list[Column]:
    """Sort order of a cluster, best first; doc_id last so ties never depend on row order."""
    order = []
    for item in [*cfg.keep_order, "doc_id asc"]:
        name, direction = item.split()
        order.append(F.col(name).desc_nulls_last() if direction == "desc" else F.col(name).asc_nulls_last())
    return order


def cluster_table(edges: DataFrame, sig: DataFrame, cfg: DedupConfig) -> DataFrame:
    """dedup_clusters rows: components of `edges`, the kept representative, similarity, method."""
    comps = connected_components(edges, cfg.max_cc_iterations, cfg.checkpoint_dir)
    members = cut(comps.select(F.col("node").alias("doc_id"), F.col("component").alias("cluster_id"))
                  .join(sig.drop("bands"), "doc_id"), cfg)  # read twice below
    ranked = members.withColumn("_rank", F.row_number().over(Window.partitionBy("cluster_id").orderBy(*keep_order(cfg))))
    reps = ranked.where("_rank = 1").select(
        "cluster_id", F.col("doc_id").alias("representative"), F.col("signature").alias("rep_sig"),
        F.col("text_hash").alias("rep_hash"), F.col("n_shingles").alias("rep_shingles"))
    priority = F.create_map(*[x for i, m in enumerate(METHODS) for x in (F.lit(m), F.lit(i))])
    ends = edges.select(F.explode(F.array("u", "v")).alias("doc_id"), "method")
    method = ends.groupBy("doc_id").agg(F.min(F.element_at(priority, F.col("method"))).alias("_p"))
    similarity = (F.when(F.col("doc_id") == F.col("representative"), F.lit(1.0))
                  .when(F.col("text_hash") == F.col("rep_hash"), F.lit(1.0))
                  .when((F.col("n_shingles") > 0) & (F.col("rep_shingles") > 0),
                        signature_similarity("signature", "rep_sig", cfg.num_perm)))
    return (members.join(reps, "cluster_id").join(method, "doc_id")
            .select("doc_id", "cluster_id", "representative",
                    (F.col("doc_id") == F.col("representative")).alias("kept"),
                    similarity.cast("double").alias("similarity"),
                    F.element_at(F.array(*[F.lit(m) for m in METHODS]), F.col("_p") + 1).alias("method")))


def remove_boilerplate(curated: DataFrame, cfg: DedupConfig) -> DataFrame:
    """Drop lines/paragraphs found in >= line_dedup.min_docs documents; count them per document."""
    ld = cfg.line_dedup
    if ld.min_docs is None:
        return curated.withColumn("boilerplate_removed", F.lit(0))
    sep, joiner = (r"\n", "\n") if ld.unit == "line" else (r"\n[ \t]*\n", "\n\n")
    parts = curated.select("doc_id", F.posexplode(F.split("text", sep)).alias("pos", "part"))
    norm = F.regexp_replace(F.lower(F.trim("part")), r"\s+", " ")
    parts = parts.withColumn("key", F.when(F.length(norm) >= ld.min_chars, F.sha2(norm, 256)))
    common = (parts.where(F.col("key").isNotNull()).groupBy("key")
              .agg(F.countDistinct("doc_id").alias("n_docs")).where(F.col("n_docs") >= ld.min_docs).select("key"))
    marked = parts.join(common.withColumn("drop", F.lit(True)), "key", "left")
    rebuilt = marked.groupBy("doc_id").agg(
        F.array_sort(F.collect_list(F.struct("pos", "part", F.coalesce("drop", F.lit(False)).alias("drop")))).alias("p"),
        F.sum(F.when(F.col("drop"), 1).otherwise(0)).alias("boilerplate_removed"))
    text = F.array_join(F.expr("transform(filter(p, x -> NOT x.drop), x -> x.part)"), joiner)
    return (curated.drop("text").join(rebuilt.select("doc_id", text.alias("text"), "boilerplate_removed"), "doc_id"))


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
    edges = []
    if d.exact:
        edges.append(group_edges(sig, "text_hash", "exact"))
    if d.url:
        edges.append(group_edges(sig, "url_norm", "url"))
    if d.fuzzy:
        edges.append(fuzzy_edges(sig, docs, d))
    schema = "u string, v string, method string, similarity double"
    all_edges = df.sparkSession.createDataFrame([], schema)
    for e in edges:
        all_edges = all_edges.unionByName(e)
    all_edges = cut(all_edges, d)  # computed once, read by CC and by the method lookup
    clusters = cluster_table(all_edges, sig, d)
    # Broadcast the removed ids (~40 bytes each): the texts are filtered in place, not shuffled.
    removed = F.broadcast(clusters.where(~F.col("kept")).select("doc_id"))
    curated = (docs.join(removed, "doc_id", "left_anti")
               .select("doc_id", "source", "url", F.col("text_masked").alias("text"), "lang", "category",
                       "quality_score", "n_words"))
    return DedupResult(clusters=clusters, curated=remove_boilerplate(curated, d), signatures=sig)


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
    if cfg.exact:
        first = Window.partitionBy("text_hash").orderBy("doc_id")
        recut = recut.withColumn("_n", F.row_number().over(first)).where("_n = 1 OR text_hash IS NULL").drop("_n")
    pairs = candidate_pairs(recut, cfg.max_bucket_all_pairs)
    scored = cut(score_pairs(pairs, sig, sig, dataclasses.replace(cfg, verify="signature")), cfg)
    fixed = [group_edges(sig, "text_hash", "exact")] if cfg.exact else []
    fixed += [group_edges(sig, "url_norm", "url")] if cfg.url else []
    totals = sig.agg(F.count(F.lit(1)).alias("docs"), F.sum("n_words").alias("words"),
                     F.sum("text_bytes").alias("bytes")).first()
    report = []
    for t in sorted(thresholds):
        edges = scored.where(F.col("similarity") >= F.lit(t))
        edges = edges.select("u", "v", F.lit("minhash").alias("method"), "similarity")
        for e in fixed:
            edges = edges.unionByName(e)
        comps = connected_components(edges, cfg.max_cc_iterations, cfg.checkpoint_dir)
        members = comps.select(F.col("node").alias("doc_id"), F.col("component").alias("cluster_id")).join(sig, "doc_id")
        ranked = members.withColumn("_rank", F.row_number().over(Window.partitionBy("cluster_id").orderBy(*keep_order(cfg))))
        gone = ranked.where("_rank > 1").agg(F.count(F.lit(1)).alias("docs"), F.sum("n_words").alias("words"),
                                             F.sum("text_bytes").alias("bytes")).first()
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


def run(spark: SparkSession, cfg: PipelineConfig) -> dict:
    """Read annotated_docs, dedup, overwrite dedup_clusters and curated_docs; a summary dict."""
    from tables.spark_tables import read_table
    from tables.merge import overwrite_partitions

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
               "seconds": time.time() - start, "signatures": result.signatures}
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
