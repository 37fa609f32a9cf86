"""`flywheel lm_eval` (lm-eval's hf backend) end to end on an exported tiny run, offline, into eval_results."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tables.delta_rs import read_arrow
from tests.export.runs import flywheel, train_and_export
from tests.trainer.train_runs import ROOT, env
from trainer.eval.checkpoint import load_model, resolve
from trainer.eval.scoring import continuation_logprob
from trainer.eval.tokenizer import load_tokenizer
from trainer.vocab import chunks_tokenizer_version

LIMIT = 4
USER_TASK = """\
task: my_local_task
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{q}}}}"
doc_to_choice: choices
doc_to_target: gold
metric_list:
  - metric: acc
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Export a trained run, add a user's own task, run lm-eval on 2 shipped tasks and that one."""
    base = tmp_path_factory.mktemp("lmeval")
    cfg, run_dir, sets, out = train_and_export(base, [])
    user = base / "my_tasks"
    user.mkdir()
    data = user / "local.jsonl"
    data.write_text("".join(json.dumps({"q": f"The {a} river", "choices": [" crosses", " 7"], "gold": 0}) + "\n"
                            for a in ("old", "quiet", "small")))
    (user / "my_local_task.yaml").write_text(USER_TASK.format(data=data))
    cli = flywheel("lm_eval", "--model-dir", str(out), "--limit", str(LIMIT), "--include-path", str(user),
                   "--tasks", "flywheel_general_en_mc,flywheel_general_zh_letters,my_local_task", sets=sets)
    assert cli.returncode == 0, cli.stderr[-4000:]
    rows = [r for r in read_arrow(cfg, "eval_results").to_pylist() if r["suite"] == "lm_eval"]
    return cfg, run_dir, sets, out, rows, cli.stdout


def by_task(rows) -> dict[str, dict]:
    return {r["task"]: r for r in rows}


def test_lm_eval_rows_land_in_eval_results_with_the_checkpoint_identity(run):
    _, _, _, _, rows, out = run
    got = by_task(rows)
    assert set(got) == {"flywheel_general_en_mc", "flywheel_general_zh_letters", "my_local_task"}
    assert (got["flywheel_general_en_mc"]["metric"], got["flywheel_general_en_mc"]["variant"]) == ("acc", "")
    assert (got["flywheel_general_zh_letters"]["metric"], got["flywheel_general_zh_letters"]["variant"]) == \
        ("exact_match", "letters")
    for r in rows:
        assert (r["run_id"], r["chunk_id"], r["step"], r["checkpoint"]) == ("run", 1, 32, "checkpoints/chunk-1")
        assert 0.0 <= r["value"] <= 1.0 and math.isclose(r["value"] * r["n"], round(r["value"] * r["n"]))
    assert got["flywheel_general_en_mc"]["n"] == LIMIT and got["my_local_task"]["n"] == 3
    # Trained on "The <adj> river crosses ...": the model prefers " crosses" to " 7" after "The old river".
    assert got["my_local_task"]["value"] == 1.0
    assert out.startswith("lm_eval: ") and "3 rows into eval_results" in out.splitlines()[0]


def first_single_answer(path: Path, k: int) -> list[dict]:
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [q for q in lines if isinstance(q["answer"], str)][:k]


def test_lm_eval_mc_accuracy_is_the_trainer_models_loglikelihood_choice(run):
    """lm-eval's acc equals ranking the options by the trainer's own model (same token windows)."""
    cfg, run_dir, _, _, rows, _ = run
    version = chunks_tokenizer_version(cfg)
    tok = load_tokenizer(cfg, version)
    model = load_model(cfg, resolve(run_dir / "chunk-1"), version, "cpu")
    right = 0
    for q in first_single_answer(ROOT / "conf/benchmarks/general_en.jsonl", LIMIT):
        context = f"Question: {q['question']}\nAnswer:"
        scores = []
        for option in q["options"]:
            # lm-eval's split: the continuation is what encoding context + option adds to the context.
            ctx, whole = tok.encode(context), tok.encode(context + " " + option)
            scores.append(continuation_logprob(model, ctx, whole[len(ctx):], cfg.mix.seq_len, "cpu"))
        right += scores.index(max(scores)) == "ABCD".index(q["answer"])
    assert by_task(rows)["flywheel_general_en_mc"]["value"] == pytest.approx(right / LIMIT)


def test_lm_eval_missing_model_dir_one_clear_line(run, tmp_path):
    _, _, sets, _, _, _ = run
    cli = flywheel("lm_eval", "--model-dir", str(tmp_path / "nope"), sets=sets)
    assert cli.returncode == 2
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and "has no config.json" in lines[0] and "flywheel export" in lines[0]


def test_lm_eval_unknown_task_one_clear_line(run):
    _, _, sets, out, _, _ = run
    cli = flywheel("lm_eval", "--model-dir", str(out), "--tasks", "no_such_task", sets=sets)
    assert cli.returncode == 2
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and "no task 'no_such_task'" in lines[-1] and "flywheel_general_en_mc" in lines[-1]


HUB_TASK = """\
task: hub_task
dataset_path: someone/not-a-local-dataset
test_split: test
output_type: multiple_choice
doc_to_text: "{{q}}"
doc_to_choice: choices
doc_to_target: gold
"""


def test_lm_eval_never_downloads_a_task_that_is_not_local(run, tmp_path):
    """Even with the offline variables unset by the caller, a hub dataset fails at once with one line."""
    _, _, sets, out, _, _ = run
    (tmp_path / "hub.yaml").write_text(HUB_TASK)
    cmd = [sys.executable, "-m", "flywheel.cli", "lm_eval", "--model-dir", str(out), "--include-path", str(tmp_path),
           "--tasks", "hub_task", "--limit", "1"] + [x for s in sets for x in ("--set", s)]
    caller_env = {k: v for k, v in env().items() if not k.endswith("_OFFLINE")}
    cli = subprocess.run(cmd, cwd=ROOT, env=caller_env, capture_output=True, text=True, timeout=300)
    assert cli.returncode == 2
    last = cli.stderr.strip().splitlines()[-1]
    assert last.startswith("flywheel lm_eval: a task needs a download") and "OfflineModeIsEnabled" in last
    assert "dataset_path: json" in last
