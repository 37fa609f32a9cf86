"""Hold out a deterministic sample of curated documents per category and language for evaluation.

Reads   `curated_docs` (doc_id, lang, category, text) and, when it exists, `blocks` (to refuse a
        sample that chunks already trained on).
Writes  `eval_docs` (overwritten whole): the held-out documents with their UTF-8 byte count and
        the seed; the mix (spark_jobs/mix.py) leaves every one of them out of the chunks it builds.
Run     flywheel heldout [--set eval.heldout.docs_per_group=50] [--set eval.heldout.seed=1234]
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.1 spark_jobs/heldout.py

Sample: within each (category, lang) group documents are ranked by xxhash64(seed, doc_id) (so
the sample does not depend on partitioning or row order) and the first
min(docs_per_group, floor(max_fraction x group size)) are held out. Run it before the first mix:
a document already packed into `blocks` cannot be held out any more, so the job refuses a
sample that would include one (the same seed on the same curated_docs gives the same sample,
so a re-run after mixing passes).
"""
from __future__ import annotations

import argparse
import sys
import time

from conf import ConfigError
from conf.errors import UserError
from conf.schema import PipelineConfig
from spark_jobs.cli_args import add_common_args, config_from_args


class HeldoutTrainedError(UserError, ValueError):
    """The sample names documents that chunks already hold (held out too late)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel heldout", description=__doc__.split("\n")[0])
    return add_common_args(parser).parse_args(argv)


def check_config(cfg: PipelineConfig) -> None:
    """Range checks of `eval.heldout` (the loader only checks types)."""
    h = cfg.eval.heldout
    if h.docs_per_group < 0:
        raise ConfigError(f"eval.heldout.docs_per_group must be >= 0, got {h.docs_per_group}")
    if not 0.0 <= h.max_fraction < 1.0:
        raise ConfigError(f"eval.heldout.max_fraction must be in [0, 1), got {h.max_fraction}")


def transform(curated, cfg: PipelineConfig):
    """curated_docs → eval_docs rows: the first `keep` documents of each group by seeded hash."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    check_config(cfg)
    h = cfg.eval.heldout
    group = Window.partitionBy("category", "lang")
    ranked = (curated.select("doc_id", "lang", "category", "text")
              .withColumn("_rank", F.row_number().over(group.orderBy(F.xxhash64(F.lit(h.seed), "doc_id"), "doc_id")))
              .withColumn("_n", F.count(F.lit(1)).over(group)))
    keep = F.least(F.lit(h.docs_per_group), F.floor(F.col("_n") * F.lit(h.max_fraction)))
    return (ranked.where(F.col("_rank") <= keep)
            .select("doc_id", "lang", "category", "text",
                    F.octet_length("text").cast("long").alias("text_bytes"),
                    F.lit(h.seed).cast("long").alias("split_seed")))


def trained_overlap(spark, cfg: PipelineConfig, held) -> int:
    """How many held-out doc ids some chunk's `blocks` already hold (0 when no blocks exist)."""
    from pyspark.sql import functions as F

    from tables.spark_tables import exists, read_table

    if not exists(spark, cfg, "blocks"):
        return 0
    packed = read_table(spark, cfg, "blocks").select(F.explode("doc_ids").alias("doc_id")).distinct()
    return held.select("doc_id").join(packed, "doc_id").count()


def run(spark, cfg: PipelineConfig) -> dict:
    """Write the held-out sample into eval_docs; returns counts per (category, lang)."""
    from tables.merge import overwrite_partitions
    from tables.spark_tables import read_table

    started = time.time()
    held = transform(read_table(spark, cfg, "curated_docs"), cfg).cache()
    overlap = trained_overlap(spark, cfg, held)
    if overlap:
        raise HeldoutTrainedError(
            f"{overlap} of the documents this sample holds out are already in `blocks`: run heldout before "
            "the first mix, or keep the eval.heldout.seed of the earlier sample")
    overwrite_partitions(spark, cfg, "eval_docs", held)
    groups = [r.asDict() for r in held.groupBy("category", "lang")
              .agg({"doc_id": "count", "text_bytes": "sum"}).orderBy("category", "lang").collect()]
    held.unpersist()
    groups = [{"category": g["category"], "lang": g["lang"], "docs": g["count(doc_id)"],
               "bytes": g["sum(text_bytes)"]} for g in groups]
    return {"seconds": round(time.time() - started, 1), "docs": sum(g["docs"] for g in groups), "groups": groups}


def print_summary(stats: dict) -> None:
    """Held-out documents and bytes per (category, lang)."""
    print(f"heldout: {stats['docs']} documents held out into eval_docs in {stats['seconds']}s")
    for g in stats["groups"]:
        print(f"  {g['category']:<12}{g['lang']:<6}{g['docs']:>6} docs {g['bytes']:>10} bytes")


def main(argv: list[str] | None = None) -> int:
    """session -> sample -> write eval_docs -> print the groups."""
    from spark_jobs.session import get_spark

    cfg = config_from_args(parse_args(argv))
    print_summary(run(get_spark(cfg, "heldout"), cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
