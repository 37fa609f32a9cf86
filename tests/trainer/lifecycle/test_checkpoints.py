"""Checkpoint names, the LATEST pointer, rotation and rollback targets over real DCP folders."""
from __future__ import annotations

import pytest

from trainer.lifecycle.checkpoints import (
    CheckpointNotFoundError, checkpoints_dir, chunk_checkpoint_name, chunk_checkpoints, discard_steps,
    latest_checkpoint, mark_latest, parse_checkpoint_name, rollback_target, set_aside, step_checkpoint_name,
    steps_to_purge)

from tests.trainer.lifecycle.helpers import write_checkpoint


def _run(tmp_path, names):
    root = checkpoints_dir(tmp_path)
    for name in names:
        write_checkpoint(root / name)
    return root


def test_checkpoint_names_round_trip_and_reject_others():
    assert chunk_checkpoint_name(7) == "chunk-7"
    assert step_checkpoint_name(120) == "step-120"
    assert parse_checkpoint_name("chunk-7") == ("chunk", 7)
    assert parse_checkpoint_name("step-120") == ("step", 120)
    assert parse_checkpoint_name("init") is None
    assert parse_checkpoint_name("chunk-7.1") is None


def test_chunk_checkpoints_incomplete_folder_ignored(tmp_path):
    root = _run(tmp_path, ["chunk-2", "chunk-0", "step-5"])
    (root / "chunk-3").mkdir()  # killed mid-save: no .metadata
    assert list(chunk_checkpoints(tmp_path)) == [0, 2]


def test_steps_to_purge_chunk_and_init_never_listed(tmp_path):
    root = _run(tmp_path, ["init", "chunk-0", "step-10", "step-30", "step-20", "chunk-1"])
    assert steps_to_purge(tmp_path, keep_latest=2) == [root / "step-10"]
    assert steps_to_purge(tmp_path, keep_latest=5) == []
    with pytest.raises(ValueError, match="train.checkpoint.keep_latest must be at least 1"):
        steps_to_purge(tmp_path, keep_latest=0)


def test_latest_checkpoint_pointer_round_trip(tmp_path):
    root = _run(tmp_path, ["chunk-0", "step-40"])
    assert latest_checkpoint(tmp_path) is None
    mark_latest(tmp_path, "step-40")
    assert latest_checkpoint(tmp_path) == root / "step-40"
    assert (root / "LATEST").read_text() == "step-40\n"


def test_mark_latest_incomplete_checkpoint_refused(tmp_path):
    (checkpoints_dir(tmp_path) / "step-9").mkdir(parents=True)
    with pytest.raises(CheckpointNotFoundError, match="not a complete DCP checkpoint"):
        mark_latest(tmp_path, "step-9")


def test_latest_checkpoint_pointer_to_missing_folder_names_the_fix(tmp_path):
    root = _run(tmp_path, ["chunk-0"])
    (root / "LATEST").write_text("chunk-4\n")
    with pytest.raises(CheckpointNotFoundError, match="flywheel train rollback --to-chunk"):
        latest_checkpoint(tmp_path)


def test_rollback_target_newest_earlier_chunk(tmp_path):
    root = _run(tmp_path, ["init", "chunk-0", "chunk-1", "chunk-3", "step-70"])
    assert rollback_target(tmp_path, chunk_id=3) == root / "chunk-1"
    assert rollback_target(tmp_path, chunk_id=5) == root / "chunk-3"


def test_rollback_target_first_chunk_init_else_none(tmp_path):
    assert rollback_target(tmp_path, chunk_id=0) is None
    root = _run(tmp_path, ["init"])
    assert rollback_target(tmp_path, chunk_id=0) == root / "init"


def test_set_aside_name_taken_numbered(tmp_path):
    root = _run(tmp_path, ["chunk-4"])
    first = set_aside(root / "chunk-4")
    write_checkpoint(root / "chunk-4", 1.0)
    second = set_aside(root / "chunk-4")
    assert (first, second) == (root / "rolled_back" / "chunk-4", root / "rolled_back" / "chunk-4.1")
    assert not (root / "chunk-4").exists() and (second / ".metadata").is_file()
    assert chunk_checkpoints(tmp_path) == {}


def test_discard_steps_keeps_chunk_and_init(tmp_path):
    root = _run(tmp_path, ["init", "chunk-0", "step-3", "step-8"])
    assert discard_steps(tmp_path) == [root / "step-3", root / "step-8"]
    assert sorted(p.name for p in root.iterdir()) == ["chunk-0", "init"]
