"""Rows of `eval_results` (tables/catalog.py), appended through delta-rs in one commit per evaluation."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from conf.schema import PipelineConfig
from tables.catalog import EVAL_RESULTS
from tables.delta_rs import append


def write_results(cfg: PipelineConfig, rows: list[dict], *, run_id: str, chunk_id: int | None, step: int | None,
                  checkpoint: str) -> int:
    """Append metric rows (suite, task, variant, metric, value, n) for one checkpoint; the new version."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    full = [{"run_id": run_id, "chunk_id": chunk_id, "step": step, "checkpoint": checkpoint,
             "variant": "", **r, "value": float(r["value"]), "n": int(r["n"]), "evaluated_at": now} for r in rows]
    return append(cfg, "eval_results", pa.Table.from_pylist(full, schema=EVAL_RESULTS.arrow_schema()))
