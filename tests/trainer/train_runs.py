"""Run the CPU trainer for real under torchrun (gloo) in a subprocess, as a user would.

The warehouse is the test's (`cfg` fixture); the model is torchtitan's Llama3 at a tiny size
(dim 64, 2 layers) so a 2-process step takes well under a second on 2 cores.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conf.schema import PipelineConfig

ROOT = Path(__file__).resolve().parents[2]
SEQ_LEN = 64
VOCAB = 256
FIXTURE_TOKENIZER = "fixture"  # tokenizer_version of the fixture chunks rows
LOG_FILE = "train_log.jsonl"
KILL_WAIT_SECONDS = 30  # bounds waiting for killed workers to exit


def write_tokenizer_metadata(cfg: PipelineConfig, vocab_size: int = VOCAB) -> None:
    """The metadata.json train_tokenizer would write for the fixture chunks' tokenizer version."""
    folder = Path(cfg.spark.warehouse) / "_tokenizers" / FIXTURE_TOKENIZER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.json").write_text(json.dumps({"version": FIXTURE_TOKENIZER, "vocab_size": vocab_size}))


def overrides(cfg: PipelineConfig, run_dir: Path, *extra: str) -> list[str]:
    """`--set` values of a small, fast, deterministic run over the test warehouse."""
    base = [
        f"spark.warehouse={cfg.spark.warehouse}", f"mix.seq_len={SEQ_LEN}", f"train.run_dir={run_dir}",
        "train.log_every=1", "train.local_batch_size=2", "train.model.dim=64", "train.model.n_layers=2",
        "train.model.n_heads=4", "train.optim.lr=1.0e-2", "train.schedule.warmup_steps=2",
        "train.schedule.total_steps=200", "train.data.max_wait_seconds=0", "train.data.poll_seconds=1",
        "train.spike.rule=null",
        "monitoring.trainer_listen=127.0.0.1:0",  # rank 0's /metrics on any free port: runs may overlap
    ]
    return base + list(extra)


def command(sets: list[str], nproc: int = 2, module: str = "trainer.train") -> list[str]:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}", "-m", module]
    for item in sets:
        cmd += ["--set", item]
    return cmd


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


def torchrun(sets: list[str], nproc: int = 2, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run the trainer to the end; raises with its output if it fails."""
    out = subprocess.run(command(sets, nproc), cwd=ROOT, env=env(), capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"trainer exited {out.returncode}:\n{out.stdout[-3000:]}\n{out.stderr[-5000:]}")
    return out


def log_records(run_dir: Path) -> list[dict]:
    """Every line rank 0 logged, in order (a resumed run repeats the steps after its checkpoint)."""
    path = run_dir / LOG_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def losses_by_step(run_dir: Path) -> dict[int, float]:
    """Loss per step, the last logged value winning (the resumed run's)."""
    return {r["step"]: r["loss"] for r in log_records(run_dir)}


def descendants(pid: int) -> list[int]:
    """Child processes of `pid`, recursively (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child] + descendants(child)
    return found


def kill_run(proc: subprocess.Popen) -> None:
    """SIGKILL a torchrun started by a test and its workers, and reap it.

    torchrun starts each worker in a session of its own, so killing its group would leave them
    training: kill the workers and torchrun itself, no chance to clean up.
    """
    pids = descendants(proc.pid) + [proc.pid]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()
    # The orphaned workers are reaped by init, not by us: wait until they are gone, so the ports
    # and files they held are free for the next test (a port still bound failed a later fixture).
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie has released its sockets and counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
