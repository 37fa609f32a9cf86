"""The trainer's /metrics helper: rank 0 serves catalog metrics over HTTP, other ranks nothing."""
import math
import urllib.request

import pytest

from monitoring.serve import TrainerMetrics, parse_listen
from tests.monitoring.test_export import parse


def scrape(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        return parse(resp.read().decode())


def test_trainer_metrics_rank0_serves_only_values_set():
    m = TrainerMetrics.start("127.0.0.1:0", rank=0)
    try:
        m.set("flywheel_train_loss", 2.5)
        m.set("flywheel_train_channel_loss", 2.25, category="code")
        m.inc("flywheel_train_rollbacks_total")
        m.inc("flywheel_train_rollbacks_total", 2)
        values = scrape(m.port)
    finally:
        m.close()
    assert values == {("flywheel_train_loss", ()): 2.5,
                      ("flywheel_train_channel_loss", (("category", "code"),)): 2.25,
                      ("flywheel_train_rollbacks_total", ()): 3.0}


def test_trainer_metrics_nan_loss_exposed_as_nan():
    m = TrainerMetrics.start("127.0.0.1:0", rank=0)
    try:
        m.set("flywheel_train_loss", float("nan"))
        assert math.isnan(scrape(m.port)[("flywheel_train_loss", ())])
    finally:
        m.close()


def test_trainer_metrics_other_rank_opens_no_port_and_ignores_calls():
    m = TrainerMetrics.start("127.0.0.1:0", rank=1)
    m.set("flywheel_train_loss", 1.0)
    assert m.port is None
    m.close()


def test_trainer_metrics_job_metric_rejected_even_off_rank0():
    with pytest.raises(ValueError, match="not a trainer metric"):
        TrainerMetrics.start("127.0.0.1:0", rank=3).set("flywheel_stage_duration_seconds", 1.0, stage="x")


def test_trainer_metrics_set_on_counter_rejected():
    m = TrainerMetrics.start("127.0.0.1:0", rank=0)
    try:
        with pytest.raises(ValueError, match="counter"):
            m.set("flywheel_train_rollbacks_total", 1.0)
    finally:
        m.close()


def test_parse_listen_without_port_names_the_key():
    with pytest.raises(ValueError, match="monitoring.trainer_listen"):
        parse_listen("localhost")
