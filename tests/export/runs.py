"""A trained tiny run (tests/eval/text_run.py) and its chunk-1 exported by `flywheel export`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conf import load_config
from conf.schema import PipelineConfig
from tests.eval.text_run import build_warehouse
from tests.trainer.train_runs import ROOT, env, overrides, torchrun


def offline_env() -> dict[str, str]:
    """The trainer tests' env with the Hugging Face libraries offline: nothing may download."""
    return {**env(), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def flywheel(*args: str, sets: list[str]) -> subprocess.CompletedProcess:
    """`python -m flywheel.cli ARGS --set ...` from the project root."""
    cmd = [sys.executable, "-m", "flywheel.cli", *args] + [x for s in sets for x in ("--set", s)]
    return subprocess.run(cmd, cwd=ROOT, env=offline_env(), capture_output=True, text=True, timeout=600)


def train_and_export(base: Path, extra: list[str]) -> tuple[PipelineConfig, Path, list[str], Path]:
    """(cfg, run_dir, --set values, export folder): 2 chunks trained, chunk-1 exported to base/hf."""
    cfg, run_sets = build_warehouse(base)
    run_dir = base / "run"
    sets = overrides(cfg, run_dir, *run_sets, *extra, "eval.every_chunk=[]")
    torchrun(sets)
    out = base / "hf"
    cli = flywheel("export", "--checkpoint", str(run_dir / "chunk-1"), "--out", str(out), sets=sets)
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert cli.stdout.strip().endswith(f"-> {out}")
    return load_config(overrides=sets), run_dir, sets, out
