"""Dedup, step 3: clusters from the edges, and which document of each cluster is kept.

Connected components over all edges (spark_jobs/connected_components.py) give clusters named
by their smallest doc_id; the keep policy (`dedup.keep_order`, e.g. best quality first, doc_id
last so ties never depend on row order) ranks the members of each cluster and keeps rank 1.
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from conf.schema import DedupConfig
from spark_jobs.connected_components import connected_components
from spark_jobs.dedup_signatures import signature_similarity
from spark_jobs.lineage import cut

METHODS = ("exact", "url", "minhash")  # priority order when several edges join a document


def keep_order(cfg: DedupConfig) -> list[Column]:
    """Sort order of a cluster, best first; doc_id last so ties never depend on row order."""
    order = []
    for item in [*cfg.keep_order, "doc_id asc"]:
        name, direction = item.split()
        order.append(F.col(name).desc_nulls_last() if direction == "desc" else F.col(name).asc_nulls_last())
    return order


def ranked_members(edges: DataFrame, sig: DataFrame, cfg: DedupConfig) -> DataFrame:
    """Every document of `edges` with its `cluster_id`, its signature-pass columns and `_rank`
    (1 = the one kept) in its cluster under the keep policy."""
    comps = connected_components(edges, cfg.max_cc_iterations, cfg.checkpoint_dir)
    members = (comps.select(F.col("node").alias("doc_id"), F.col("component").alias("cluster_id"))
               .join(sig.drop("bands"), "doc_id"))
    return members.withColumn("_rank", F.row_number().over(Window.partitionBy("cluster_id").orderBy(*keep_order(cfg))))


def cluster_table(edges: DataFrame, sig: DataFrame, cfg: DedupConfig) -> DataFrame:
    """dedup_clusters rows: components of `edges`, the kept representative, similarity, method."""
    ranked = cut(ranked_members(edges, sig, cfg), cfg.checkpoint_dir)  # read twice below
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
    return (ranked.join(reps, "cluster_id").join(method, "doc_id")
            .select("doc_id", "cluster_id", "representative",
                    (F.col("doc_id") == F.col("representative")).alias("kept"),
                    similarity.cast("double").alias("similarity"),
                    F.element_at(F.array(*[F.lit(m) for m in METHODS]), F.col("_p") + 1).alias("method")))
