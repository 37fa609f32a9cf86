"""Connected components of an edge DataFrame, in Spark, without collecting to the driver.

Alternating large-star / small-star rounds (Kiveris et al., "Connected Components in
MapReduce and Beyond", SoCC 2014): every round rewires each node towards the smallest id it
can see, so after O(log n) rounds every component is a star around its smallest node id.
Each round is two window aggregations over small (string, string) rows; the edge set is checkpointed after
every round so the query plan (and driver memory) stays bounded whatever the depth.

The component id is the smallest node id of the component: the same whatever the
partitioning or the order of the input (nothing here depends on row order).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import Window
from pyspark.sql import functions as F

from spark_jobs.lineage import cut

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class ComponentsDidNotConvergeError(RuntimeError):
    """Large-star/small-star needed more rounds than `dedup.max_cc_iterations` allows."""


def _symmetric(edges: DataFrame) -> DataFrame:
    # explode, not a union of the swapped frame: Spark 4.1's Union constraint rewrite fails on a
    # union of one lineage with its columns swapped ("key not found: u#…").
    pair = F.explode(F.array(F.struct(F.col("u").alias("u"), F.col("v").alias("v")),
                             F.struct(F.col("v").alias("u"), F.col("u").alias("v")))).alias("e")
    return edges.select(pair).select("e.u", "e.v")


def large_star(edges: DataFrame) -> DataFrame:
    """Link every larger neighbour v of u to m(u), the smallest of u and its neighbours."""
    # A window, not groupBy + join: a self-join of one lineage confuses Spark's attribute
    # resolution after checkpoints ("key not found: u#…") and costs a second shuffle.
    both = _symmetric(edges).withColumn("m", F.least(F.min("v").over(Window.partitionBy("u")), F.col("u")))
    return both.where(F.col("v") > F.col("u")).select(F.col("v").alias("u"), F.col("m").alias("v")).distinct()


def small_star(edges: DataFrame) -> DataFrame:
    """Link u and every smaller neighbour of u to m(u), the smallest of them."""
    down = (edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
            .where(F.col("u") != F.col("v"))
            .withColumn("m", F.min("v").over(Window.partitionBy("u"))))  # v < u, so m < u
    # v and u itself both get linked to m: one row per edge plus one per node (deduplicated).
    linked = down.select(F.explode(F.array("v", "u")).alias("x"), "m")
    return linked.where(F.col("x") != F.col("m")).select(F.col("x").alias("u"), F.col("m").alias("v")).distinct()


def _fingerprint(edges: DataFrame) -> tuple[int, int]:
    # Order-free summary of an edge set: count and sum of 64-bit edge hashes (as decimal: no overflow).
    row = edges.agg(F.count(F.lit(1)).alias("n"),
                    F.sum(F.xxhash64("u", "v").cast("decimal(38,0)")).alias("h")).first()
    return int(row["n"]), int(row["h"] or 0)


def connected_components(edges: DataFrame, max_iterations: int, checkpoint_dir: str | None = None) -> DataFrame:
    """(node, component) for every node of `edges` (columns u, v); component = smallest node id.

    Nodes only in no edge do not appear. Raises ComponentsDidNotConvergeError after
    `max_iterations` rounds without reaching a fixed point.
    """
    current = cut(edges.select(F.least("u", "v").alias("u"), F.greatest("u", "v").alias("v"))
                  .where(F.col("u") != F.col("v")).distinct(), checkpoint_dir)
    before = _fingerprint(current)
    for _ in range(max_iterations):
        current = cut(small_star(large_star(current)), checkpoint_dir)
        after = _fingerprint(current)
        if after == before:
            both = _symmetric(current)
            return (both.groupBy("u").agg(F.min("v").alias("m"))
                    .select(F.col("u").alias("node"), F.least("m", "u").alias("component")))
        before = after
    raise ComponentsDidNotConvergeError(
        f"connected components did not converge in {max_iterations} rounds (dedup.max_cc_iterations)"
    )
