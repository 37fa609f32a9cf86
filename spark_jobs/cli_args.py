"""Command-line flags every job shares, and how they turn into a config."""
from __future__ import annotations

import argparse
import json

from conf import load_config
from conf.schema import PipelineConfig


def add_common_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `--config`, `--set`, `--master`, `--warehouse`, `--jars`, `--verbose`, `--pushgateway`
    and `--run-id` to a job's parser."""
    group = parser.add_argument_group("pipeline configuration")
    group.add_argument("--config", action="append", default=[], metavar="FILE",
                       help="YAML file merged over conf/default.yaml (repeatable)")
    group.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE",
                       help="override one key, e.g. --set ingest.max_doc_bytes=1000000 (repeatable)")
    group.add_argument("--master", help="Spark master URL (default: spark.master, local[*])")
    group.add_argument("--warehouse", help="folder holding the Delta tables (default: spark.warehouse)")
    group.add_argument("--jars", help="comma-separated local JARs instead of resolving from Maven")
    group.add_argument("--verbose", action="store_true",
                       help="show Ivy and Spark output on the terminal (default: into spark.log_file, "
                            "<warehouse>/_logs/spark.log)")
    group.add_argument("--pushgateway", metavar="URL",
                       help="push the job's metrics to this Prometheus Pushgateway (default: monitoring.pushgateway; "
                            "unset = a textfile under <warehouse>/_metrics)")
    group.add_argument("--run-id", help="label tying the metrics of several jobs to one run (default: one per process)")
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
    if args.verbose:
        overrides.append("spark.verbose=true")
    if args.pushgateway:
        overrides.append(f"monitoring.pushgateway={json.dumps(args.pushgateway)}")
    if args.run_id:
        overrides.append(f"monitoring.run_id={json.dumps(args.run_id)}")
    return load_config(args.config, overrides)
