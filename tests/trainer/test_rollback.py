"""`flywheel train rollback --to-chunk k` over a real `chunks` table and real DCP checkpoint folders."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conf import replace
from tables.chunk_lifecycle import read_chunks, set_status
from trainer.lifecycle.checkpoints import checkpoints_dir, latest_checkpoint
from trainer.rollback import RollbackError, main, rollback

from tests.trainer.fixtures import write_synthetic_chunks
from tests.trainer.lifecycle.helpers import write_checkpoint


@pytest.fixture
def trained(cfg, tmp_path):
    """Chunks 0-2 trained (checkpoints chunk-0..2), chunk 3 mid-training (step-70), chunk 4 ready."""
    cfg = replace(cfg, [f"train.run_dir={tmp_path / 'run'}"])
    write_synthetic_chunks(cfg, 5, blocks_per_chunk=1, vocab_size=16, seed=2, seq_len=8)
    root = checkpoints_dir(cfg.train.run_dir)
    for k in range(3):
        set_status(cfg, k, "training")
        set_status(cfg, k, "trained", step=20 * (k + 1), loss=3.0 - k, checkpoint=f"checkpoints/chunk-{k}")
        write_checkpoint(root / f"chunk-{k}", float(k))
    set_status(cfg, 3, "training")
    write_checkpoint(root / "step-70")
    (root / "LATEST").write_text("step-70\n")
    return cfg


def _statuses(cfg):
    return {r["chunk_id"]: r["status"] for r in read_chunks(cfg)}


def test_rollback_later_chunks_rolled_back_run_points_at_chunk(trained):
    done = rollback(trained, 1)
    root = checkpoints_dir(trained.train.run_dir)
    assert _statuses(trained) == {0: "trained", 1: "trained", 2: "rolled_back", 3: "rolled_back", 4: "ready"}
    assert latest_checkpoint(trained.train.run_dir) == root / "chunk-1"
    assert (done["chunk"], done["step"], done["rolled_back"]) == (1, 40, [2, 3])


def test_rollback_later_checkpoint_set_aside_steps_deleted(trained):
    rollback(trained, 1)
    root = checkpoints_dir(trained.train.run_dir)
    assert sorted(p.name for p in root.iterdir()) == ["LATEST", "chunk-0", "chunk-1", "rolled_back"]
    assert (root / "rolled_back" / "chunk-2" / ".metadata").is_file()
    row2 = next(r for r in read_chunks(trained) if r["chunk_id"] == 2)
    assert (row2["checkpoint"], row2["step"]) == ("checkpoints/rolled_back/chunk-2", 60)


def test_rollback_unknown_chunk_one_line_error(trained):
    with pytest.raises(RollbackError, match=r"^no chunk 9 in the chunks table; trained chunks: 0, 1, 2$"):
        rollback(trained, 9)


def test_rollback_untrained_chunk_refused(trained):
    with pytest.raises(RollbackError, match=r"chunk 3 is training, not trained: roll back to a trained chunk \(0, 1, 2\)"):
        rollback(trained, 3)
    assert _statuses(trained)[3] == "training"


def test_rollback_missing_checkpoint_lists_those_there(trained):
    import shutil

    shutil.rmtree(checkpoints_dir(trained.train.run_dir) / "chunk-1")
    with pytest.raises(RollbackError, match=r"no checkpoint chunk-1 in .*\(chunk checkpoints there: chunk-0, chunk-2\)"):
        rollback(trained, 1)
    assert _statuses(trained)[2] == "trained"  # nothing changed


def test_main_prints_one_summary_line(trained, capsys):
    argv = ["--to-chunk", "2", "--set", f"spark.warehouse={trained.spark.warehouse}",
            "--set", f"train.run_dir={trained.train.run_dir}"]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "resumes from chunk-2 (step 60); chunks rolled back: 3;" in out[0]


def test_module_missing_checkpoint_exit_2_one_stderr_line(trained, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.run(
        [sys.executable, "-m", "trainer.rollback", "--to-chunk", "0", "--set", f"spark.warehouse={trained.spark.warehouse}",
         "--set", f"train.run_dir={tmp_path / 'other_run'}"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flywheel train rollback: no checkpoint chunk-0 in ")
