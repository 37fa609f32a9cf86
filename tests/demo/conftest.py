"""One real `flywheel demo` in its own process, shared by the tests that look at what it left.

It runs exactly as a user types it (the installed `flywheel` entry point, cwd = a fresh folder),
so its terminal output is what a person sees: stdout and stderr are kept apart.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT_SECONDS = 1200


@dataclass(frozen=True)
class DemoRun:
    cwd: Path
    warehouse: Path
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    cwd = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("FLYWHEEL_PROGRESS", None)
    out = subprocess.run([sys.executable, "-m", "flywheel.cli", "demo", "--data", "data", "--warehouse", "wh"],
                         cwd=cwd, env=env, capture_output=True, text=True, timeout=DEMO_TIMEOUT_SECONDS)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return DemoRun(cwd=cwd, warehouse=cwd / "wh", stdout=out.stdout, stderr=out.stderr)
