"""Inspect: look at the documents a stage dropped, with the signal values behind each decision.

Reads   the table of the chosen stage (annotate: `annotated_docs`).
Writes  nothing; prints up to `-n` documents.
Run     flywheel inspect --stage annotate --reason gopher_few_stop_words --lang de -n 20
        flywheel inspect --stage annotate --reason any --category code     (every dropped doc)

The sample is deterministic (ordered by a hash of doc_id and `--seed`), so two people running
the same command see the same documents. For each document: id, language, category, every
drop reason with the signal value and threshold that made the rule fire, and the start of the
text (control characters escaped).

Stages are pluggable: a stage module calls `register_stage(name, Stage(table, dropped, describe))`
at import and adds `name: "<its module>"` to `STAGE_MODULES`, which `main` imports on demand.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from typing import Callable

from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig


@dataclass(frozen=True)
class Stage:
    """How to inspect one stage: its table, how dropped rows are found, how one row is printed."""

    table: str
    dropped: Callable[[object, str | None], object]
    """(DataFrame, reason or None for any) -> DataFrame of dropped rows."""
    describe: Callable[[dict, PipelineConfig], list[str]]


STAGES: dict[str, Stage] = {}
# stage name -> module that calls `register_stage` when imported (stages defined elsewhere)
STAGE_MODULES: dict[str, str] = {}
STAGE_MODULES["dedup"] = "spark_jobs.inspect_dedup"


def register_stage(name: str, stage: Stage) -> None:
    """Make `flywheel inspect --stage <name>` available."""
    STAGES[name] = stage


def excerpt(text: str | None, chars: int) -> str:
    """The first `chars` characters, newlines shown as ⏎ and control characters escaped."""
    text = (text or "")[:chars]
    text = text.replace("\n", " ⏎ ")
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _annotate_dropped(df, reason: str | None):
    from pyspark.sql import functions as F

    if reason is None:
        return df.where(~F.col("kept"))
    return df.where(F.array_contains("drop_reasons", reason))


def _annotate_describe(row: dict, cfg: PipelineConfig) -> list[str]:
    from udfs.category import CATEGORIES
    from udfs.rules import RULES, threshold_table

    table = threshold_table(cfg.annotate)
    cat = CATEGORIES.index(row["category"]) if row["category"] in CATEGORIES else CATEGORIES.index("web")
    lines = [f"doc_id={row['doc_id']} source={row['source']} lang={row['lang']} ({row['lang_score']:.2f}) "
             f"category={row['category']} n_words={row['n_words']} bytes={row['text_bytes']}"]
    for reason in row["drop_reasons"]:
        rule = next((r for r in RULES if r.reason == reason), None)
        if rule is None:  # decided outside the rule table (pii_over_budget)
            lines.append(f"  {reason}: pii_total={row['pii_total']}")
            continue
        j = RULES.index(rule)
        op = "<" if rule.key.startswith("min_") else ">"
        lines.append(f"  {reason}: {rule.signal}={row[rule.signal]!r} {op} annotate.{rule.family}.{rule.key}"
                     f"={table[cat, j]:g}")
    lines.append(f"  text: {excerpt(row['text'], 300)}")
    return lines


register_stage("annotate", Stage("annotated_docs", _annotate_dropped, _annotate_describe))


def sample_dropped(spark, cfg: PipelineConfig, stage: str, reason: str | None, n: int, lang: str | None = None,
                   category: str | None = None, seed: int = 0) -> list[dict]:
    """Up to `n` dropped rows of `stage` (for `reason`, or any), optionally one language/category."""
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table

    spec = STAGES[stage]
    df = spec.dropped(read_table(spark, cfg, spec.table), reason)
    if lang is not None:
        df = df.where(F.col("lang") == lang)
    if category is not None:
        df = df.where(F.col("category") == category)
    order = F.xxhash64(F.col("doc_id"), F.lit(seed))
    return [r.asDict() for r in df.orderBy(order, "doc_id").limit(n).collect()]


def _stage_names() -> list[str]:
    return sorted(set(STAGES) | set(STAGE_MODULES))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel inspect", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", required=True, help=f"stage to inspect: {', '.join(_stage_names())}")
    parser.add_argument("--reason", default="any", help="drop reason, e.g. gopher_few_words ('any': all drops)")
    parser.add_argument("--lang", help="only documents of this language (e.g. zh)")
    parser.add_argument("--category", help="only documents of this category (e.g. code)")
    parser.add_argument("-n", type=int, default=20, help="how many documents (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="another seed shows other documents")
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.stage not in STAGES and args.stage in STAGE_MODULES:
        importlib.import_module(STAGE_MODULES[args.stage])
    if args.stage not in STAGES:
        print(f"flywheel inspect: unknown stage {args.stage!r} (known: {', '.join(_stage_names())})", file=sys.stderr)
        return 2
    cfg = config_from_args(args)
    from spark_jobs.session import get_spark

    spark = get_spark(cfg, "inspect")
    reason = None if args.reason == "any" else args.reason
    rows = sample_dropped(spark, cfg, args.stage, reason, args.n, args.lang, args.category, args.seed)
    print(f"{len(rows)} dropped document(s) of stage {args.stage}"
          f"{'' if reason is None else f' for {reason}'}{f' lang={args.lang}' if args.lang else ''}"
          f"{f' category={args.category}' if args.category else ''}")
    for row in rows:
        print("\n".join(STAGES[args.stage].describe(row, cfg)))
    return 0


if __name__ == "__main__":
    from spark_jobs.inspect_docs import main as _main

    sys.exit(_main())
