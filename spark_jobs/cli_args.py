"""Command-line flags every job shares, and how they turn into a config."""
from __future__ import annotations

import argparse

from conf import load_config
from conf.schema import PipelineConfig


def add_common_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `--config`, `--set`, `--master`, `--warehouse` and `--jars` to a job's parser."""
    group = parser.add_argument_group("pipeline configuration")
    group.add_argument("--config", action="append", default=[], metavar="FILE",
                       help="YAML file merged over conf/default.yaml (repeatable)")
    group.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE",
                       help="override one key, e.g. --set ingest.max_doc_bytes=1000000 (repeatable)")
    group.add_argument("--master", help="Spark master URL (default: spark.master, local[*])")
    group.add_argument("--warehouse", help="folder holding the Delta tables (default: spark.warehouse)")
    group.add_argument("--jars", help="comma-separated local JARs instead of resolving from Maven")
    return parser


def config_from_args(args: argparse.Namespace) -> PipelineConfig:
    """Build the validated config from the common flags (flags win over `--set`)."""
    overrides = list(args.overrides)
    if args.master:
        overrides.append(f"spark.master={args.master}")
    if args.warehouse:
        overrides.append(f"spark.warehouse={args.warehouse}")
    if args.jars:
        overrides.append(f"spark.jars=[{', '.join(repr(j) for j in args.jars.split(','))}]")
    return load_config(args.config, overrides)
