"""`flywheel lm_eval --model-dir DIR`: lm-eval (hf backend) on an exported folder, into eval_results.

    flywheel lm_eval --model-dir hf/demo-1 [--tasks 'flywheel_general_en_*'] [--limit 20]
                     [--include-path my_tasks/] [--device cuda] [--warehouse W] [--set eval.few_shot=3]

The shipped tasks are flywheel_<benchmark>_mc (log-likelihood over the options) and
flywheel_<benchmark>_<variant> (each re-posed variant of `eval.variants`) for every file of
`eval.benchmarks`; `--include-path` adds your own lm-eval task YAMLs (local data files: nothing
is downloaded). Each task's metrics are appended to eval_results with suite `lm_eval`.
"""
from __future__ import annotations

import argparse
import sys

from trainer.cli_config import add_config_args, config_from_args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel lm_eval", description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", required=True, help="a folder written by `flywheel export`")
    parser.add_argument("--tasks", default="flywheel_*", help="comma-separated task names or globs")
    parser.add_argument("--limit", type=float, help="at most this many examples per task (a fraction if < 1)")
    parser.add_argument("--include-path", action="append", default=[], metavar="DIR",
                        help="a folder of your own lm-eval task YAMLs")
    parser.add_argument("--tasks-dir", default="conf/lm_eval/tasks", help="the shipped task templates")
    parser.add_argument("--device", help="torch device (default: eval.device)")
    parser.add_argument("--batch-size", type=int, default=1)
    return add_config_args(parser).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """config -> lm-eval -> one line per task metric."""
    from trainer.export.lm_eval_run import run_lm_eval

    args = parse_args(argv)
    cfg = config_from_args(args)
    limit = None if args.limit is None else (int(args.limit) if args.limit >= 1 else args.limit)
    rows = run_lm_eval(cfg, args.model_dir, [t for t in args.tasks.split(",") if t], limit=limit,
                       device=args.device or cfg.eval.device, batch_size=args.batch_size,
                       include_path=args.include_path, tasks_dir=args.tasks_dir)
    print(f"lm_eval: {args.model_dir}: {len(rows)} rows into eval_results")
    for r in rows:
        variant = f" [{r['variant']}]" if r["variant"] else ""
        print(f"  {r['task'] + variant:<52} {r['metric']:<14} {r['value']:>8.4f}  (n={r['n']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
