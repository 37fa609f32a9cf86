"""`flywheel train …`: the CPU trainer under torchrun on this machine, or `flywheel train rollback`.

    flywheel train [--config my.yaml] [--set train.max_steps=100] [--nproc N]
        = OMP_NUM_THREADS=<train.threads_per_process> torchrun --standalone
          --nproc_per_node=<N or train.nproc_per_node> -m trainer.train [--config …] [--set …]
    flywheel train rollback --to-chunk K [--config …]     (trainer/rollback.py)

Rank 0 prints one line per log step (step, chunk, loss, tokens/s, lr). Several nodes, or the
GPU backend, are started with torchrun directly (README, trainer/titan.py).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

from conf import ConfigError, load_config


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel train", description=__doc__.split("\n")[0])
    parser.add_argument("--config", action="append", default=[], metavar="FILE",
                        help="YAML file merged over conf/default.yaml (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config key, e.g. train.max_steps=100 (repeatable)")
    parser.add_argument("--nproc", type=int, default=None, help="processes (default: train.nproc_per_node)")
    return parser.parse_args(argv)


def torchrun_command(args: argparse.Namespace, nproc: int) -> list[str]:
    """The torchrun command line `flywheel train` runs."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           "-m", "trainer.train"]
    for path in args.config:
        cmd += ["--config", path]
    for item in args.set:
        cmd += ["--set", item]
    return cmd


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["rollback"]:
        from trainer.rollback import main as rollback_main

        return rollback_main(argv[1:])
    args = parse_args(argv)
    cfg = load_config(args.config, args.set)  # a bad key fails here, before any process starts
    nproc = args.nproc if args.nproc is not None else cfg.train.nproc_per_node
    if nproc < 1:
        raise ConfigError(f"--nproc / train.nproc_per_node must be at least 1, got {nproc}")
    env = {**os.environ, "OMP_NUM_THREADS": str(cfg.train.threads_per_process)}
    return subprocess.call(torchrun_command(args, nproc), env=env)


if __name__ == "__main__":
    sys.exit(main())
