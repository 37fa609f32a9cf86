"""Batch-job export: accumulation per run, node-exporter textfile, failure message."""
from prometheus_client.parser import text_string_to_metric_families

from conf import load_config
from monitoring.export import Sample, Target, process_run_id, record, target_for


def parse(text: str) -> dict:
    """{(name, sorted label items): value} of a Prometheus text exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def docs_in(n, lang="en"):
    return Sample("flywheel_docs_in_total", n, {"stage": "ingest", "category": "", "lang": lang})


def test_record_textfile_counters_add_up_gauges_replaced(tmp_path):
    target = Target(None, str(tmp_path), "run-a", 1.0)
    dur = {"stage": "ingest"}
    assert record(target, "ingest", [docs_in(3), Sample("flywheel_stage_duration_seconds", 5.0, dur)])
    assert record(target, "ingest", [docs_in(4), Sample("flywheel_stage_duration_seconds", 2.0, dur)])
    values = parse((tmp_path / "flywheel_ingest.prom").read_text())
    assert values[("flywheel_docs_in_total", (("category", ""), ("lang", "en"), ("run_id", "run-a"),
                                              ("stage", "ingest")))] == 7.0
    assert values[("flywheel_stage_duration_seconds", (("run_id", "run-a"), ("stage", "ingest")))] == 2.0
    assert [p.name for p in tmp_path.iterdir()] == ["flywheel_ingest.prom"]  # no temp file left behind


def test_record_other_run_id_starts_from_zero(tmp_path):
    record(Target(None, str(tmp_path), "run-b", 1.0), "annotate", [docs_in(3)])
    record(Target(None, str(tmp_path), "run-c", 1.0), "annotate", [docs_in(1)])
    values = parse((tmp_path / "flywheel_annotate.prom").read_text())
    assert list(values.values()) == [1.0]


def test_record_pushgateway_unreachable_warns_and_returns_false(capsys):
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    ok = record(Target("http://127.0.0.1:9", None, "run-d", 1.0), "dedup", [docs_in(1)])
    err = capsys.readouterr().err
    assert ok is False and err.count("\n") == 1 and "could not export the metrics of dedup" in err


def test_target_for_defaults_textfile_under_warehouse_and_process_run_id(tmp_path):
    cfg = load_config(overrides=[f"spark.warehouse={tmp_path}/wh"])
    target = target_for(cfg.monitoring, cfg.spark.warehouse)
    assert target.textfile_dir == f"{tmp_path}/wh/_metrics" and target.pushgateway is None
    assert target.run_id == process_run_id()


def test_target_for_remote_warehouse_without_textfile_dir_exports_nothing(capsys):
    cfg = load_config(overrides=["spark.warehouse=s3a://bucket/wh", "monitoring.run_id=r"])
    target = target_for(cfg.monitoring, cfg.spark.warehouse)
    assert record(target, "mix", [docs_in(1)]) is False
    assert "set monitoring.pushgateway or monitoring.textfile_dir" in capsys.readouterr().err


def test_monitoring_config_misspelt_key_named_with_suggestion():
    import pytest

    from conf import ConfigError

    with pytest.raises(ConfigError, match=r"monitoring.pushgatway.*did you mean 'monitoring.pushgateway'"):
        load_config(overrides=["monitoring.pushgatway=http://x"])
