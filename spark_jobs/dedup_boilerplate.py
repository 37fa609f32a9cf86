"""Dedup, step 4 (optional): remove lines or paragraphs repeated across many curated documents.

A line (or paragraph, `dedup.line_dedup.unit`) of at least `min_chars` characters, compared
after lower-casing and collapsing white space, that occurs in `min_docs` or more documents is
corpus-wide boilerplate (a site footer, a cookie banner): it is cut from every document and
counted in `boilerplate_removed`. Shorter parts are never boilerplate.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from conf.schema import DedupConfig


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
