"""Documents, UTF-8 bytes and tokens of a DataFrame per category x language, for a stage's metrics.

One aggregation, collected to the driver: its result has one row per (category, language)
seen, so tens of rows whatever the corpus size.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def per_group(df: DataFrame, text_col: str | None = None, bytes_col: str | None = None,
              tokens_col: str | None = None) -> list[dict]:
    """Rows {category, lang, docs, bytes, tokens}: bytes from `bytes_col` or the UTF-8 length of
    `text_col`; tokens from `tokens_col` (None when not given: the caller estimates them)."""
    size = F.col(bytes_col) if bytes_col else F.octet_length(F.col(text_col))
    aggs = [F.count(F.lit(1)).alias("docs"), F.sum(size.cast("long")).alias("bytes")]
    if tokens_col:
        aggs.append(F.sum(F.col(tokens_col).cast("long")).alias("tokens"))
    rows = df.groupBy("category", "lang").agg(*aggs).orderBy("category", "lang").collect()
    return [{"category": r["category"], "lang": r["lang"], "docs": int(r["docs"]), "bytes": int(r["bytes"] or 0),
             "tokens": int(r["tokens"] or 0) if tokens_col else None} for r in rows]


def cluster_sizes(clusters: DataFrame) -> dict:
    """Clusters, documents in them and the largest cluster's size, of dedup_clusters rows."""
    sizes = clusters.groupBy("cluster_id").agg(F.count(F.lit(1)).alias("n"))
    r = sizes.agg(F.count(F.lit(1)).alias("clusters"), F.sum("n").alias("docs"), F.max("n").alias("largest")).first()
    return {"clusters": int(r["clusters"]), "docs": int(r["docs"] or 0), "largest": int(r["largest"] or 0)}
