"""End to end: the jobs push to a real Pushgateway, a real Prometheus scrapes it, every panel answers.

One small pipeline (ingest -> annotate -> dedup -> train_tokenizer -> tokenize_docs -> mix) runs on
~40 hand-written documents with `monitoring.pushgateway` set; then every PromQL expression of
the curation dashboards is queried through Prometheus's HTTP API and must return a series.
The training dashboard is fed by `monitoring.serve.TrainerMetrics` with values this test sets
(no trainer runs here), which also drives the NaN-loss alert to firing.
"""
import json
import math
import time

import pytest

from conf import load_config
from monitoring.dashboards import CURATION, DASHBOARD_DIR
from monitoring.metrics import TRAIN_METRICS
from monitoring.monitor import PROMETHEUS_DIR
from tests.conftest import TEST_OVERRIDES
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER

pytestmark = pytest.mark.spark

RUN_ID = "itest-run"
STAGES = ("ingest", "annotate", "dedup", "train_tokenizer", "tokenize_docs", "mix")
MAX_WAIT_SECONDS = 90  # Prometheus scrapes every second; this only bounds a broken setup


def wait_for(stack, expr: str, n: int = 1) -> list:
    """Poll the instant query `expr` until it returns at least `n` series (or fail after MAX_WAIT_SECONDS)."""
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while True:
        result = stack.query(expr)["result"]
        if len(result) >= n or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def write_input(folder) -> dict:
    """JSONL of the hand-written en/zh/de pages, a copy of each English page under another id,
    three short pages and one broken line; returns what was written."""
    from samples.texts import LANGUAGES

    lines = []
    for lang in ("en", "zh", "de"):
        for i, doc in enumerate(LANGUAGES[lang].DOCS):
            lines.append({"id": f"{lang}-{i}", "text": doc["text"]})
    copies = [{"id": f"copy-{i}", "text": doc["text"]} for i, doc in enumerate(LANGUAGES["en"].DOCS)]
    short = [{"id": f"short-{i}", "text": t} for i, t in enumerate(LANGUAGES["en"].SHORT[:3])]
    folder.mkdir(parents=True)
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines + copies + short)
    (folder / "docs.jsonl").write_text(body + '\n{"id": "broken", "text": \n', encoding="utf-8")
    return {"records": len(lines) + len(copies) + len(short) + 1, "docs": len(lines) + len(copies) + len(short)}


@pytest.fixture(scope="module")
def pipeline(spark, prom_stack, tmp_path_factory):
    """Run every stage once with the Pushgateway set; (cfg, what was written)."""
    from spark_jobs import annotate, dedup, ingest, mix, tokenize_docs, train_tokenizer

    root = tmp_path_factory.mktemp("pipeline")
    written = write_input(root / "in")
    cfg = load_config(overrides=TEST_OVERRIDES + SMALL_TOKENIZER + list(prom_stack.overrides) + [
        f"spark.warehouse={root / 'warehouse'}", f"monitoring.run_id={RUN_ID}",
        "mix.seq_len=63", "mix.chunk_tokens=640"])
    ingest.run(spark, cfg, [str(root / "in")], source="itest")
    annotate.run(spark, cfg)
    dedup.run(spark, cfg)
    train_tokenizer.run(spark, cfg)
    tokenize_docs.run(spark, cfg)
    mix.run(spark, cfg, n_chunks=1)
    assert len(wait_for(prom_stack, f'flywheel_stage_last_success_timestamp_seconds{{run_id="{RUN_ID}"}}',
                        len(STAGES))) == len(STAGES)
    assert wait_for(prom_stack, f'flywheel:drop_share:rest_of_langs{{run_id="{RUN_ID}"}}')
    return cfg, written


def total(stack, expr: str) -> float:
    (sample,) = stack.query(f"sum({expr})")["result"]
    return float(sample["value"][1])


def test_pushgateway_one_group_per_job_and_run_id(pipeline, prom_stack):
    result = prom_stack.query(f'count by (job, run_id) (flywheel_stage_duration_seconds{{run_id="{RUN_ID}"}})')
    assert {(r["metric"]["job"], r["metric"]["run_id"]) for r in result["result"]} == {
        (f"flywheel_{s}", RUN_ID) for s in STAGES}


def test_pushed_counts_match_the_input_and_the_tables(pipeline, prom_stack, spark):
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table

    cfg, written = pipeline
    run = f'run_id="{RUN_ID}"'
    assert total(prom_stack, f'flywheel_docs_in_total{{{run}, stage="ingest"}}') == written["records"]
    assert total(prom_stack, f'flywheel_docs_quarantined_total{{{run}, reason="malformed_json"}}') == 1
    assert total(prom_stack, f'flywheel_docs_in_total{{{run}, stage="annotate"}}') == written["docs"]
    kept = read_table(spark, cfg, "annotated_docs").where("kept").count()
    assert total(prom_stack, f'flywheel_docs_out_total{{{run}, stage="annotate"}}') == kept
    exact = read_table(spark, cfg, "dedup_clusters").where(~F.col("kept") & (F.col("method") == "exact")).count()
    assert exact >= 1  # the English copies
    assert total(prom_stack, f'flywheel_duplicates_total{{{run}, method="exact"}}') == exact
    curated = read_table(spark, cfg, "curated_docs").count()
    assert total(prom_stack, f'flywheel_rows_written_total{{{run}, table="curated_docs"}}') == curated


def panel_exprs(uid: str) -> list[tuple[str, str]]:
    board = json.loads((DASHBOARD_DIR / f"{uid}.json").read_text())
    panels = [p for top in board["panels"] for p in [top, *top.get("panels", [])]]
    return [(p["title"], t["expr"]) for p in panels for t in p.get("targets", [])]


@pytest.mark.parametrize("uid", CURATION)
def test_every_curation_panel_query_returns_a_series(pipeline, prom_stack, uid):
    empty = [(title, expr) for title, expr in panel_exprs(uid)
             if not prom_stack.query(expr.replace("$run_id", RUN_ID))["result"]]
    assert empty == []


def test_alert_and_recording_rule_expressions_evaluate(pipeline, prom_stack):
    import yaml

    groups = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())["groups"]
    for rule in (r for g in groups for r in g["rules"]):
        prom_stack.query(rule["expr"])  # raises with Prometheus's error when it does not evaluate


@pytest.fixture(scope="module")
def trainer(prom_stack):
    """The rank-0 /metrics helper on the scraped trainer port, every trainer metric set, loss NaN."""
    from monitoring.serve import TrainerMetrics

    m = TrainerMetrics.start(prom_stack.trainer_listen, rank=0)
    for metric in TRAIN_METRICS:
        labels = {k: "code" for k in metric.labels}
        if metric.kind == "counter":
            m.inc(metric.name, 1.0, **labels)
        else:
            m.set(metric.name, 0.5, **labels)
    m.set("flywheel_train_checkpoint_timestamp_seconds", time.time())
    m.set("flywheel_train_loss", float("nan"))
    assert wait_for(prom_stack, "flywheel_train_loss")
    yield m
    m.close()


def test_nan_loss_fires_the_loss_alert(trainer, prom_stack):
    firing = wait_for(prom_stack, 'ALERTS{alertname="FlywheelLossNotFinite", alertstate="firing"}')
    assert [r["metric"]["job"] for r in firing] == ["flywheel_trainer"]
    (loss,) = prom_stack.query("flywheel_train_loss")["result"]
    assert math.isnan(float(loss["value"][1]))


@pytest.mark.parametrize("uid", ["flywheel-training"])
def test_training_panels_return_series_from_the_metrics_helper(trainer, prom_stack, uid):
    empty = [(title, expr) for title, expr in panel_exprs(uid) if not prom_stack.query(expr)["result"]]
    assert empty == []


def test_eval_panels_are_valid_promql(prom_stack):
    for title, expr in panel_exprs("flywheel-eval"):
        prom_stack.query(expr)  # no eval job pushes yet: the queries must parse and evaluate
