"""The `save` file on one process; the any-rank agreement is in test_collective_decisions."""
from __future__ import annotations

import pytest

from conf.train_schema import TrainSaveConfig
from trainer.lifecycle.save_trigger import SaveTrigger


def _trigger(tmp_path, check_every=1) -> SaveTrigger:
    return SaveTrigger(TrainSaveConfig(file_name="save", check_every=check_every), run_dir=tmp_path)


def test_requested_no_file_false(tmp_path):
    assert not _trigger(tmp_path).requested(1)


def test_requested_file_true_then_done_removes_it(tmp_path):
    trigger = _trigger(tmp_path)
    (tmp_path / "save").touch()
    assert trigger.requested(7)
    assert (tmp_path / "save").exists()  # kept until the checkpoint is written
    trigger.done()
    assert not (tmp_path / "save").exists()
    assert not trigger.requested(8)


def test_requested_off_check_step_false_and_file_kept(tmp_path):
    trigger = _trigger(tmp_path, check_every=5)
    (tmp_path / "save").touch()
    assert [trigger.requested(s) for s in (3, 4, 5)] == [False, False, True]


def test_done_without_request_leaves_a_new_file(tmp_path):
    trigger = _trigger(tmp_path)
    assert not trigger.requested(1)
    (tmp_path / "save").touch()  # created after the check: the next check sees it
    trigger.done()
    assert (tmp_path / "save").exists()


def test_check_every_zero_refused_naming_the_key(tmp_path):
    with pytest.raises(ValueError, match="train.save.check_every"):
        _trigger(tmp_path, check_every=0)
