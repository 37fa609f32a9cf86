"""SIGKILL in the middle of a chunk, then resume: the per-step losses equal an uninterrupted run's, bit for bit."""
from __future__ import annotations

import subprocess
import time

from conf import load_config
from tests.conftest import TEST_OVERRIDES
from tests.trainer.fixtures import write_synthetic_chunks
from tests.trainer.train_runs import (ROOT, SEQ_LEN, VOCAB, command, env, kill_run, log_records, losses_by_step,
                                      overrides, torchrun, write_tokenizer_metadata)

BLOCKS_PER_CHUNK = 32  # 8 steps per chunk on 2 ranks x 2 blocks
TOTAL_STEPS = 16
EVERY = "train.checkpoint.every_steps=3"  # step-3, 6, 9, 12, 15 (+ chunk-0 at 8)
KILL_AFTER_STEP = 10  # inside chunk 1 (steps 9..16), after step-9 was written


def _world(base):
    cfg = load_config(overrides=TEST_OVERRIDES + [f"spark.warehouse={base / 'warehouse'}", f"mix.seq_len={SEQ_LEN}"])
    write_synthetic_chunks(cfg, 2, blocks_per_chunk=BLOCKS_PER_CHUNK, vocab_size=VOCAB, seed=11)
    write_tokenizer_metadata(cfg)
    return cfg


def _kill_when_logged(sets: list[str], run_dir, step: int, timeout: float = 240) -> None:
    proc = subprocess.Popen(command(sets), cwd=ROOT, env=env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while not any(r["step"] >= step for r in log_records(run_dir)):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, f"step {step} was not logged in {timeout} s"
            time.sleep(0.05)
    finally:
        kill_run(proc)


def test_train_sigkill_mid_chunk_resume_bit_identical_losses(tmp_path):
    straight_cfg = _world(tmp_path / "a")
    torchrun(overrides(straight_cfg, tmp_path / "a" / "run", EVERY))
    expected = losses_by_step(tmp_path / "a" / "run")
    assert sorted(expected) == list(range(1, TOTAL_STEPS + 1))

    cfg = _world(tmp_path / "b")
    run_dir = tmp_path / "b" / "run"
    sets = overrides(cfg, run_dir, EVERY)
    _kill_when_logged(sets, run_dir, KILL_AFTER_STEP)
    killed_at = max(r["step"] for r in log_records(run_dir))
    assert killed_at < TOTAL_STEPS
    out = torchrun(sets)
    resumed_from = [line for line in out.stdout.splitlines() if line.startswith("resumed from")]
    assert len(resumed_from) == 1 and "step-" in resumed_from[0], out.stdout[-2000:]
    steps = [r["step"] for r in log_records(run_dir)]
    assert len(steps) > len(set(steps)), "the resumed run should repeat the steps after its checkpoint"
    assert losses_by_step(run_dir) == expected  # exact float equality, every step
