"""End to end: the jobs push to a real Pushgateway, a real Prometheus scrapes it, every panel answers.

One small pipeline (ingest -> annotate -> dedup -> train_tokenizer -> tokenize_docs -> mix) runs on
~40 hand-written documents with `monitoring.pushgateway` set; then every PromQL expression of
the curation dashboards is queried through Prometheus's HTTP API and must return a series.
The training dashboard is fed by a real 2-process CPU training run (torchrun, gloo) whose rank 0
serves on the port Prometheus scrapes; after it, `monitoring.serve.TrainerMetrics` serves a NaN
loss on the same port to drive the NaN-loss alert to firing.
"""
import json
import math
import subprocess
import time
import urllib.request

import pytest

from conf import load_config
from monitoring.dashboards import CURATION, DASHBOARD_DIR
from monitoring.monitor import PROMETHEUS_DIR
from tests.conftest import TEST_OVERRIDES
from tests.monitoring.test_export import parse
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER
from tests.trainer.fixtures import write_synthetic_chunks
from tests.trainer.train_runs import (ROOT, SEQ_LEN, VOCAB, command, env, kill_run, log_records, overrides,
                                      write_tokenizer_metadata)

pytestmark = pytest.mark.spark

RUN_ID = "itest-run"
STAGES = ("ingest", "annotate", "dedup", "train_tokenizer", "tokenize_docs", "mix")
MAX_WAIT_SECONDS = 90  # Prometheus scrapes every second; this only bounds a broken setup
TRAIN_BLOCKS = 32  # one chunk: 32 blocks / (2 ranks x 2 blocks) = 8 steps, each a log step
TRAIN_STEPS = TRAIN_BLOCKS // 4
PEAK_FLOPS = 1.0e9  # a made-up device peak, so the CPU run exports MFU
TRAIN_TIMEOUT_SECONDS = 300  # bounds a broken run only


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
def live_run(prom_stack, tmp_path_factory):
    """A real 2-process CPU run serving on the scraped trainer port. After its one chunk the loader
    waits for another (train.data.max_wait_seconds), so rank 0 keeps serving its last values
    while every training panel is queried and its /metrics read; then the run is killed.
    Returns (panel expr -> result, rank 0's /metrics, the log records, the blocks trained)."""
    base = tmp_path_factory.mktemp("train")
    cfg = load_config(overrides=TEST_OVERRIDES + [f"spark.warehouse={base / 'warehouse'}", f"mix.seq_len={SEQ_LEN}"])
    (chunk,) = write_synthetic_chunks(cfg, 1, blocks_per_chunk=TRAIN_BLOCKS, vocab_size=VOCAB, seed=5)
    write_tokenizer_metadata(cfg)
    run_dir = base / "run"
    sets = overrides(cfg, run_dir, "train.data.max_wait_seconds=600",
                     f"monitoring.trainer_listen={prom_stack.trainer_listen}",
                     f"monitoring.peak_flops_per_device={PEAK_FLOPS:e}")  # 1.000000e+09: a YAML float
    with open(base / "train.out", "w") as out:
        proc = subprocess.Popen(command(sets), cwd=ROOT, env=env(), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + TRAIN_TIMEOUT_SECONDS
        while len(log_records(run_dir)) < TRAIN_STEPS:
            assert proc.poll() is None, f"the trainer exited {proc.returncode}: {(base / 'train.out').read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"{TRAIN_STEPS} steps not logged in {TRAIN_TIMEOUT_SECONDS} s"
            time.sleep(0.2)
        assert wait_for(prom_stack, f"flywheel_train_step_id == {TRAIN_STEPS}"), "the last step was never scraped"
        panels = {expr: wait_for(prom_stack, expr) for _, expr in panel_exprs("flywheel-training")}
        with urllib.request.urlopen(f"http://{prom_stack.trainer_listen}/metrics", timeout=10) as resp:
            served = parse(resp.read().decode())
        assert proc.poll() is None, "the trainer stopped before it was read"
    finally:
        kill_run(proc)
    return panels, served, log_records(run_dir), chunk.blocks.to_pylist()


def test_training_panels_return_series_from_a_real_trainer(live_run):
    panels, _, _, _ = live_run
    assert [expr for expr, result in panels.items() if not result] == []
    assert all(r["metric"]["job"] == "flywheel_trainer" for result in panels.values() for r in result)


def test_trainer_rank0_metrics_show_the_reduced_loss_and_all_ranks_tokens(live_run):
    _, served, records, blocks = live_run
    last = records[-1]
    assert last["step"] == TRAIN_STEPS
    value = {name: v for (name, labels), v in served.items() if not labels}
    # The global loss of the last step (sum over both ranks' tokens / their count), as logged.
    assert value["flywheel_train_loss"] == last["loss"]
    assert {dict(labels)["category"]: v for (name, labels), v in served.items()
            if name == "flywheel_train_channel_loss"} == pytest.approx(
        {c: v for c, v in last["channels"].items() if c != "_all"}, rel=1e-12)
    assert value["flywheel_train_grad_norm"] == last["grad_norm"] and value["flywheel_train_learning_rate"] == last["lr"]
    assert (value["flywheel_train_step_id"], value["flywheel_train_chunk_id"]) == (TRAIN_STEPS, 0)
    # Each rank trains half the blocks: the counter holds both halves, every scored target once
    # (64 per block, less one per document starting inside it).
    scored = sum(SEQ_LEN - sum(1 for s in b["doc_starts"] if s > 0) for b in blocks)
    assert value["flywheel_train_tokens_total"] == scored
    assert value["flywheel_train_loss_spikes_total"] == value["flywheel_train_rollbacks_total"] == 0
    assert 0 <= value["flywheel_train_data_wait_ratio"] <= 1
    assert value["flywheel_train_checkpoint_timestamp_seconds"] <= time.time()
    # MFU = flops/token x tokens/s / (2 ranks x peak), with torchtitan's flops per token of the model.
    flops_per_token = value["flywheel_train_mfu_ratio"] * 2 * PEAK_FLOPS / value["flywheel_train_tokens_per_second"]
    assert flops_per_token == pytest.approx(model_flops_per_token(), rel=1e-9)


def model_flops_per_token() -> float:
    """torchtitan's training FLOPs per token of the test run's model (train_runs.overrides' shape)."""
    from trainer.model import build_model, llama_config

    m = load_config(overrides=["train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4"]).train.model
    model = build_model(m, vocab_size=VOCAB, seq_len=SEQ_LEN, seed=0)
    return llama_config(m, vocab_size=VOCAB, seq_len=SEQ_LEN).get_nparams_and_flops(model, SEQ_LEN)[1]


@pytest.fixture(scope="module")
def trainer(prom_stack):
    """The rank-0 /metrics helper on the scraped trainer port (free again once `live_run` is done),
    serving a NaN loss."""
    from monitoring.serve import TrainerMetrics

    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while True:  # kill_run waits for the workers; the kernel may still hold the port a moment longer
        try:
            m = TrainerMetrics.start(prom_stack.trainer_listen, rank=0)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
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


def test_eval_panels_are_valid_promql(prom_stack):
    for title, expr in panel_exprs("flywheel-eval"):
        prom_stack.query(expr)  # no eval job pushes yet: the queries must parse and evaluate
