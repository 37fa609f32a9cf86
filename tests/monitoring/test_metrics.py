"""The metric catalog: Prometheus naming conventions and bounded labels."""
import pytest

from monitoring.metrics import CATALOG, COUNTER, GAUGE, Metric, UnknownMetricError, check_labels, metric


def test_catalog_counters_end_in_total_and_gauges_do_not():
    for m in CATALOG.values():
        assert m.name.startswith("flywheel_")
        assert m.name.endswith("_total") == (m.kind == COUNTER), m.name


def test_catalog_has_every_metric_issue_13_names():
    wanted = {"flywheel_docs_in_total", "flywheel_docs_out_total", "flywheel_bytes_in_total", "flywheel_tokens_out_total",
              "flywheel_docs_dropped_total", "flywheel_docs_quarantined_total", "flywheel_duplicates_total",
              "flywheel_stage_duration_seconds", "flywheel_rows_written_total", "flywheel_mix_target_share",
              "flywheel_mix_achieved_share", "flywheel_mix_shortfall_tokens", "flywheel_train_loss",
              "flywheel_train_channel_loss", "flywheel_train_tokens_per_second", "flywheel_train_mfu_ratio",
              "flywheel_train_grad_norm", "flywheel_train_learning_rate", "flywheel_train_chunk_id",
              "flywheel_train_step_id", "flywheel_train_checkpoint_timestamp_seconds",
              "flywheel_train_loss_spikes_total", "flywheel_train_rollbacks_total", "flywheel_train_data_wait_ratio",
              "flywheel_eval_perplexity", "flywheel_eval_probe_score"}
    assert wanted <= set(CATALOG)


def test_metric_counter_without_total_suffix_rejected():
    with pytest.raises(ValueError, match="_total"):
        Metric("flywheel_docs_seen", COUNTER, "x")


def test_metric_name_without_unit_rejected():
    with pytest.raises(ValueError, match="unit"):
        Metric("flywheel_train_speed", GAUGE, "x")


def test_metric_doc_id_label_rejected_as_unbounded():
    with pytest.raises(ValueError, match="unbounded"):
        Metric("flywheel_doc_bytes", GAUGE, "x", ("doc_id",))


def test_check_labels_wrong_label_set_names_the_expected_ones():
    with pytest.raises(ValueError, match=r"\['stage', 'reason'\]"):
        check_labels("flywheel_docs_quarantined_total", {"stage": "ingest"})


def test_check_labels_free_text_value_rejected():
    with pytest.raises(ValueError, match="short token"):
        check_labels("flywheel_docs_quarantined_total", {"stage": "ingest", "reason": "line 3: Expecting ',' delimiter"})


def test_check_labels_empty_value_means_not_broken_down():
    assert check_labels("flywheel_docs_in_total", {"stage": "ingest", "category": "", "lang": ""}) == ("ingest", "", "")


def test_metric_unknown_name_suggests_close_ones():
    with pytest.raises(UnknownMetricError, match="flywheel_docs_in_total"):
        metric("flywheel_doc_in_total")


def test_monitoring_imports_no_spark_torch_or_other_part():
    from tests.architecture.test_imports import SPARK, _graph, _offenders

    _, raw = _graph()
    others = ("tables", "udfs", "spark_jobs", "trainer", "samples", "notebooks", "flywheel")
    assert _offenders(raw, "monitoring", SPARK + ("torch",) + others) == {}
