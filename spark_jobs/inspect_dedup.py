"""`flywheel inspect --stage dedup`: each removed duplicate side by side with the document kept.

    flywheel inspect --stage dedup -n 10                 every kind of removal
    flywheel inspect --stage dedup --reason minhash      near-duplicates only (or exact, url)

Reads `dedup_clusters` for the removed rows and `annotated_docs` for the two texts; prints the
cluster, method and estimated similarity, then both texts in two columns.
"""
from __future__ import annotations

import textwrap

from conf.schema import PipelineConfig
from spark_jobs.inspect_docs import Stage, excerpt, register_stage

COLUMN_CHARS = 60
TEXT_CHARS = 600


def dropped(df, reason: str | None):
    """Removed members of duplicate clusters; `reason` is a method (exact | url | minhash) or None."""
    from pyspark.sql import functions as F

    df = df.where(~F.col("kept"))
    return df if reason is None else df.where(F.col("method") == reason)


def side_by_side(left: str, right: str, width: int = COLUMN_CHARS) -> list[str]:
    """Two texts wrapped to `width` characters each and printed as two columns."""
    a, b = textwrap.wrap(left, width) or [""], textwrap.wrap(right, width) or [""]
    rows = max(len(a), len(b))
    a, b = a + [""] * (rows - len(a)), b + [""] * (rows - len(b))
    return [f"  {x:<{width}} | {y}" for x, y in zip(a, b)]


def describe(row: dict, cfg: PipelineConfig) -> list[str]:
    """Header (cluster, method, similarity) then the removed and the kept text side by side."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table

    spark = SparkSession.getActiveSession()
    ids = [row["doc_id"], row["representative"]]
    texts = {r["doc_id"]: r["text_masked"] for r in read_table(spark, cfg, "annotated_docs")
             .where(F.col("doc_id").isin(ids)).select("doc_id", "text_masked").collect()}
    sim = "n/a" if row["similarity"] is None else f"{row['similarity']:.3f}"
    lines = [f"cluster={row['cluster_id']} method={row['method']} similarity={sim}",
             f"  {'removed ' + row['doc_id']:<{COLUMN_CHARS}} | kept {row['representative']}"]
    return lines + side_by_side(excerpt(texts.get(ids[0]), TEXT_CHARS), excerpt(texts.get(ids[1]), TEXT_CHARS))


register_stage("dedup", Stage("dedup_clusters", dropped, describe))
