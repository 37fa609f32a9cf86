"""The shipped lm-eval task templates (conf/lm_eval/tasks) made concrete for eval.benchmarks.

lm-eval's `json` dataset builder reads one schema a file, and a benchmark line's `answer` is
a letter or a list of letters, so each benchmark is written in lm-eval's terms first: one
JSONL of (context, choices, gold) for log-likelihood scoring, and one of (prompt, expected)
per re-posed variant, built by trainer/eval/mc.py exactly as `flywheel eval` poses them.
Each template is then loaded once per file as an inline task config (lm-eval takes dicts).
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from conf import ConfigError
from conf.schema import PipelineConfig
from trainer.eval import mc

MC_TEMPLATE = "flywheel_mc.yaml"
REPOSED_TEMPLATE = "flywheel_reposed.yaml"


def load_template(tasks_dir: Path, name: str) -> dict:
    """One template YAML of `tasks_dir` as a dict."""
    path = tasks_dir / name
    if not path.is_file():
        raise ConfigError(f"--tasks-dir: {path} is missing (the shipped templates live in conf/lm_eval/tasks)")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def mc_view(questions: list[mc.Question]) -> list[dict]:
    """Single-answer questions as (context, choices, gold) in the eval suite's question format."""
    out = []
    for q in questions:
        if len(q.answers) != 1:
            continue
        ask, answer, sep = mc.TEMPLATES[q.lang]
        out.append({"id": q.id, "lang": q.lang, "context": f"{ask}{q.question}\n{answer}",
                    "choices": [sep + o for o in q.options], "gold": q.answers[0]})
    return out


def reposed_view(questions: list[mc.Question], variant: str, few_shot: int) -> list[dict]:
    """(prompt, expected) of every question `variant` applies to (trainer/eval/mc.py prompts)."""
    return [{"id": p.id, "lang": p.lang, "prompt": prompt, "expected": p.expected}
            for p, prompt in mc.prompts(questions, variant, few_shot)]


def _task(template: dict, name: str, data_file: Path, cache_dir: Path) -> dict:
    task = copy.deepcopy(template)
    task["task"] = name
    task.setdefault("dataset_kwargs", {})["data_files"] = {"test": str(data_file)}
    # The dataset cache stays with the run's files, not in ~/.cache.
    task["dataset_kwargs"]["cache_dir"] = str(cache_dir)
    return task


def build_tasks(cfg: PipelineConfig, tasks_dir: Path, work: Path) -> dict[str, tuple[dict, str]]:
    """{task name: (inline lm-eval config, variant)} for every benchmark x (mc + eval.variants).

    The data files are written under `work`; the variant is "" for the log-likelihood task.
    """
    mc_template, reposed_template = load_template(tasks_dir, MC_TEMPLATE), load_template(tasks_dir, REPOSED_TEMPLATE)
    reposed_template.setdefault("generation_kwargs", {})["max_gen_toks"] = cfg.eval.max_new_tokens
    cache = work / "datasets_cache"
    tasks: dict[str, tuple[dict, str]] = {}
    for path in cfg.eval.benchmarks:
        bench, questions = mc.load_benchmark(path)
        name = f"flywheel_{bench}_mc"
        rows = mc_view(questions)
        if rows:
            tasks[name] = (_task(mc_template, name, _write_jsonl(work / f"{name}.jsonl", rows), cache), "")
        for variant in cfg.eval.variants:
            rows = reposed_view(questions, variant, cfg.eval.few_shot)
            if rows:
                name = f"flywheel_{bench}_{variant}"
                tasks[name] = (_task(reposed_template, name, _write_jsonl(work / f"{name}.jsonl", rows), cache),
                               variant)
    return tasks
