"""The run's name, as both backends write it into `train_metrics` and `excluded_docs`."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conf.schema import PipelineConfig


def run_id(cfg: PipelineConfig) -> str:
    """`train.run_id`, else the last part of `train.run_dir` (`runs/demo` -> `demo`)."""
    return cfg.train.run_id or Path(cfg.train.run_dir).resolve().name
