"""Eval on the checkpoints of a real 2-process CPU training run over text (tests/eval/text_run.py)."""
from __future__ import annotations

import math
import subprocess
import sys

import pytest

from tables.delta_rs import read_arrow
from tests.eval.text_run import train
from tests.trainer.train_runs import ROOT, env
from trainer.eval import mc, probes


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Train 2 chunks (heldout evaluated by the trainer after each), then `flywheel eval` on chunk-1."""
    cfg, run_dir, sets = train(tmp_path_factory.mktemp("evalrun"))
    cli = subprocess.run([sys.executable, "-m", "flywheel.cli", "eval", "--checkpoint", str(run_dir / "chunk-1"),
                          "--suites", "probes,mc"] + [x for s in sets for x in ("--set", s)],
                         cwd=ROOT, env=env(), capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr[-3000:]
    return cfg, run_dir, sets, read_arrow(cfg, "eval_results").to_pylist(), cli.stdout


def heldout_value(rows, chunk_id, task, metric):
    (row,) = [r for r in rows if r["suite"] == "heldout" and r["chunk_id"] == chunk_id
              and r["task"] == task and r["metric"] == metric]
    return row["value"]


@pytest.mark.parametrize("category", ["web", "code"])
def test_eval_heldout_ppl_and_bpb_finite_and_fall_from_first_to_last_chunk(run, category):
    _, _, _, rows, _ = run
    for metric in ("perplexity", "bits_per_byte"):
        first, last = heldout_value(rows, 0, category, metric), heldout_value(rows, 1, category, metric)
        assert math.isfinite(first) and math.isfinite(last) and last > 0
        assert last < first, (category, metric, first, last)
    # Untrained on a 512-id vocab: ~ln(512) nats a token; bpb far below 8 bits once trained.
    assert heldout_value(rows, 1, category, "bits_per_byte") < 2.0


def test_eval_heldout_rows_per_category_and_lang_with_checkpoint_identity(run):
    _, _, _, rows, _ = run
    held = [r for r in rows if r["suite"] == "heldout" and r["chunk_id"] == 1]
    assert {r["task"] for r in held} == {"web", "code", "web/en", "web/zh", "code/en"}
    assert {r["checkpoint"] for r in held} == {"checkpoints/chunk-1"}
    assert {r["run_id"] for r in held} == {"run"}
    assert {r["step"] for r in held} == {32}  # 16 steps per chunk
    assert all(r["n"] == 6 for r in held if r["task"] in ("web", "code"))  # eval.max_docs_per_category


def test_eval_every_probe_has_a_row(run):
    _, _, _, rows, _ = run
    got = {r["task"] for r in rows if r["suite"] == "probes"}
    for s in probes.load_probe_sets("conf/probes"):
        assert s.name in got
        assert {f"{s.name}/{item['id']}" for item in s.items} <= got
    assert all(math.isfinite(r["value"]) for r in rows if r["suite"] == "probes")


def test_eval_every_variant_of_every_benchmark_has_an_accuracy_row(run):
    cfg, _, _, rows, _ = run
    got = {(r["task"], r["variant"]) for r in rows if r["suite"] == "mc" and r["metric"] == "accuracy"}
    for path in cfg.eval.benchmarks:
        name, questions = mc.load_benchmark(path)
        for variant in mc.VARIANTS:
            assert (name, variant) in got
    assert all(0.0 <= r["value"] <= 1.0 for r in rows if r["suite"] == "mc")


def test_eval_cli_prints_one_line_per_set(run):
    _, _, _, _, out = run
    assert out.startswith('eval: {"checkpoint": "checkpoints/chunk-1", "step": 32, "chunk": 1}')
    assert "capitals" in out and "[single_answer]" in out


def test_eval_missing_checkpoint_one_clear_line(run):
    _, run_dir, sets, _, _ = run
    out = subprocess.run([sys.executable, "-m", "flywheel.cli", "eval", "--checkpoint", str(run_dir / "chunk-9")]
                         + [x for s in sets for x in ("--set", s)], cwd=ROOT, env=env(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "no complete checkpoint at" in lines[0] and "chunk-0, chunk-1" in lines[0]
