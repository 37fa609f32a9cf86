"""`flywheel train` starts torchrun with the configured processes and prints one line per log step."""
from __future__ import annotations

import re
import subprocess
import sys

from tests.trainer.fixtures import write_synthetic_chunks
from tests.trainer.train_runs import ROOT, SEQ_LEN, VOCAB, env, overrides, write_tokenizer_metadata
from tables.chunk_lifecycle import read_chunks
from conf.loader import replace

LINE = re.compile(r"^step (\d+) chunk (\d+) loss (\d+\.\d{4}) tok/s [\d,]+ lr \d\.\d{3}e[-+]\d\d$")


def _flywheel(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flywheel.cli", *args], cwd=ROOT, env=env(),
                          capture_output=True, text=True, timeout=300)


def test_flywheel_train_one_line_per_log_step_chunk_trained(cfg, tmp_path):
    cfg = replace(cfg, [f"mix.seq_len={SEQ_LEN}"])
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=8, vocab_size=VOCAB, seed=3)
    write_tokenizer_metadata(cfg)
    sets = overrides(cfg, tmp_path / "run", "train.log_every=2", "train.nproc_per_node=2")
    out = _flywheel("train", *[a for s in sets for a in ("--set", s)])
    assert out.returncode == 0, out.stderr[-3000:]
    steps = [LINE.match(line) for line in out.stdout.splitlines() if line.startswith("step ")]
    # 8 blocks / (2 processes x 2 blocks) = 2 steps; logged every 2nd: one line, for step 2.
    assert all(steps) and [(int(m[1]), int(m[2])) for m in steps] == [(2, 0)]
    assert [r["status"] for r in read_chunks(cfg)] == ["trained"]


def test_flywheel_train_unknown_key_one_line_error_no_torchrun():
    out = _flywheel("train", "--set", "train.max_step=3")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "flywheel train: unknown config key 'train.max_step' (did you mean 'train.max_steps'?)"]
