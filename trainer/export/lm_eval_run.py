"""lm-eval's `simple_evaluate` with its standard `hf` backend on an exported folder, into `eval_results`.

    rows = run_lm_eval(cfg, "hf/demo-1", tasks=["flywheel_general_en_mc"], limit=20)

The shipped tasks (trainer/export/lm_eval_tasks.py) go in as inline configs; a user's own task
YAMLs are found the way lm-eval finds them, through `include_path` (TaskManager). Every run is
offline: the hub and datasets are switched to offline mode before lm-eval or datasets import,
so a task that would download fails instead of reaching out.
"""
from __future__ import annotations

import fnmatch
import json
import math
import os
import tempfile
from pathlib import Path

from conf import ConfigError
from conf.errors import UserError
from conf.schema import PipelineConfig
from trainer.eval.probes import find_path
from trainer.eval.results import write_results
from trainer.export.export import EXPORT_META
from trainer.export.lm_eval_tasks import build_tasks

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_HUB_DISABLE_TELEMETRY": "1"}
DEFAULT_TASKS_DIR = "conf/lm_eval/tasks"


class ModelDirError(UserError, FileNotFoundError):
    """The folder is not a transformers model folder."""


class OfflineTaskError(UserError, ConnectionError):
    """A task's data is not local, and lm_eval never downloads."""


def go_offline() -> None:
    """Force the Hugging Face libraries offline (they read these at import)."""
    os.environ.update(OFFLINE)


def model_identity(model_dir: Path) -> dict:
    """run_id, chunk_id, step, checkpoint of an export (flywheel_export.json), else the folder itself."""
    meta = model_dir / EXPORT_META
    if meta.is_file():
        m = json.loads(meta.read_text(encoding="utf-8"))
        return {"run_id": m.get("run_id") or model_dir.name, "chunk_id": m.get("chunk_id"), "step": m.get("step"),
                "checkpoint": m.get("checkpoint") or str(model_dir)}
    return {"run_id": model_dir.name, "chunk_id": None, "step": None, "checkpoint": str(model_dir)}


def select(patterns: list[str], shipped: list[str]) -> tuple[list[str], list[str]]:
    """(shipped task names matching `patterns`, the patterns no shipped task matches: lm-eval's to resolve)."""
    chosen, others = [], []
    for pattern in patterns:
        hits = [n for n in shipped if fnmatch.fnmatchcase(n, pattern)]
        chosen += [n for n in hits if n not in chosen]
        if not hits:
            others.append(pattern)
    return chosen, others


def result_rows(results: dict, variants: dict[str, str]) -> list[dict]:
    """eval_results rows (suite lm_eval) of every task's numeric metrics, stderr left out.

    lm-eval keys a metric `<name>,<filter>`; the filter is kept in the name unless it is "none".
    """
    rows = []
    n_samples = results.get("n-samples", {})
    for task, metrics in results["results"].items():
        n = n_samples.get(task, {}).get("effective", 0)
        for key, value in metrics.items():
            if "," not in key or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            metric, flt = key.split(",", 1)
            if metric.endswith("_stderr") or not math.isfinite(float(value)):
                continue
            rows.append({"suite": "lm_eval", "task": task, "variant": variants.get(task, ""),
                         "metric": metric if flt == "none" else f"{metric}/{flt}", "value": float(value), "n": int(n)})
    return rows


def run_lm_eval(cfg: PipelineConfig, model_dir: str | Path, tasks: list[str], *, limit: int | float | None = None,
                device: str = "cpu", batch_size: int = 1, include_path: list[str] | None = None,
                tasks_dir: str = DEFAULT_TASKS_DIR) -> list[dict]:
    """Run `tasks` (names or globs) on `model_dir`, append the rows to eval_results; returns them."""
    go_offline()
    folder = Path(model_dir).expanduser()
    if not (folder / "config.json").is_file():
        raise ModelDirError(f"--model-dir {folder} has no config.json: export a checkpoint first "
                            "(flywheel export --checkpoint <run>/chunk-<k> --out DIR)")
    for path in include_path or []:
        if not Path(path).is_dir():
            raise ConfigError(f"--include-path {path} is not a folder of lm-eval task YAMLs")
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    with tempfile.TemporaryDirectory(prefix="flywheel-lm-eval-") as work:
        shipped = build_tasks(cfg, find_path(tasks_dir), Path(work))
        chosen, others = select(tasks, list(shipped))
        manager = TaskManager(include_path=include_path or None, include_defaults=False)
        unknown = [t for t in others if not manager.match_tasks([t])]
        if unknown:
            raise ConfigError(f"--tasks: no task {unknown[0]!r}; shipped: {', '.join(shipped)} "
                              "(add your own YAMLs with --include-path DIR)")
        try:
            results = simple_evaluate(
                model="hf", model_args={"pretrained": str(folder), "dtype": "float32"},
                tasks=[shipped[n][0] for n in chosen] + others, task_manager=manager, limit=limit,
                batch_size=batch_size, device=device, log_samples=False, bootstrap_iters=0)
        except ConnectionError as exc:  # huggingface_hub's OfflineModeIsEnabled and datasets' are ConnectionErrors
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OfflineTaskError(f"a task needs a download ({first[:200]}): lm_eval runs offline; give the "
                                   "task `dataset_path: json` and `data_files` pointing at a local file") from None
    rows = result_rows(results, {n: v for n, (_, v) in shipped.items()})
    if rows:
        write_results(cfg, rows, **model_identity(folder))
    return rows
