"""`flywheel eval --checkpoint <run>/chunk-<k>`: evaluate one chunk checkpoint by hand.

    flywheel eval --checkpoint runs/demo/chunk-1 [--warehouse W] [--suites heldout,probes,mc]
                  [--device cuda] [--config my.yaml] [--set eval.few_shot=3]

Runs the suites (default: all) on the checkpoint, appends the rows to `eval_results` and prints
one line per category, probe set and benchmark variant. Pass the run's own config (`--config`,
`--set train.model...`): the model is rebuilt from `train.model` before the weights load.
"""
from __future__ import annotations

import argparse
import sys

from trainer.cli_config import add_config_args, config_from_args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel eval", description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", required=True, help="<run_dir>/chunk-<k> (or <run_dir>/checkpoints/chunk-<k>)")
    parser.add_argument("--suites", default="heldout,probes,mc", help="comma-separated: heldout, probes, mc")
    parser.add_argument("--device", help="torch device (default: eval.device)")
    return add_config_args(parser).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """config -> evaluate -> print the rows."""

    from trainer.eval.checkpoint import describe, resolve
    from trainer.eval.run import evaluate, print_rows

    args = parse_args(argv)
    cfg = config_from_args(args)
    ckpt = resolve(args.checkpoint)
    rows = evaluate(cfg, ckpt, [s for s in args.suites.split(",") if s], device=args.device or cfg.eval.device)
    print(f"eval: {describe(ckpt)}: {len(rows)} rows into eval_results")
    print_rows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
