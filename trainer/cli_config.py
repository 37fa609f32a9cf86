"""The config flags the trainer-side commands share (`eval`, `export`, `lm_eval`).

`--warehouse` is a shorthand for `--set spark.warehouse=…`; `--config` and `--set` repeat.
"""
from __future__ import annotations

import argparse

from conf import load_config
from conf.schema import PipelineConfig


def add_config_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `--warehouse`, `--config FILE` and `--set KEY=VALUE` to `parser`."""
    parser.add_argument("--warehouse", help="folder holding the Delta tables (default: spark.warehouse)")
    parser.add_argument("--config", action="append", default=[], metavar="FILE", help="YAML merged over the defaults")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one config key")
    return parser


def config_from_args(args: argparse.Namespace) -> PipelineConfig:
    """The validated config those flags describe."""
    overrides = list(args.set) + ([f"spark.warehouse={args.warehouse}"] if args.warehouse else [])
    return load_config(args.config, overrides)
