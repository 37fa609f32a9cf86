"""Export the metrics of a batch job: push them to a Pushgateway, or write a textfile.

A job hands `record` a list of `Sample`s at the end of its run. Samples accumulate per
(job, run id, destination) in this process, so a job that runs twice under one run id (the demo ingests
the sample corpus, then a WARC crawl) reports the sum, as Prometheus counters should; gauges
keep the last value. After each `record` the whole accumulated set is exported:

- `monitoring.pushgateway` set: PUT to `<url>/metrics/job/<job>/run_id/<run id>`
  (`prometheus_client.push_to_gateway`), replacing that group; the Pushgateway attaches the
  `job` and `run_id` labels, which Prometheus keeps with `honor_labels: true`.
- otherwise: `<textfile_dir>/<job>.prom` in the node-exporter textfile-collector format,
  written atomically (temp file + rename), every sample labelled with its `run_id`.

An export that fails (Pushgateway down, folder not writable) prints one line on stderr and
returns False: the job's tables are written by then, and losing its metrics must not fail it.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from monitoring.collector import State, registry_of
from monitoring.metrics import COUNTER, metric

JOB_PREFIX = "flywheel_"
"""Pushgateway `job` of stage `ingest` is `flywheel_ingest`."""


@dataclass(frozen=True)
class Sample:
    """One value of a catalog metric with its labels."""

    name: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """Where a job's metrics go: a Pushgateway URL, else a textfile folder."""

    pushgateway: str | None
    textfile_dir: str | None
    run_id: str
    timeout_seconds: float


_STATES: dict[tuple[str, str, str], State] = {}


@functools.cache
def process_run_id() -> str:
    """One run id per process: UTC start time and pid (`20250101T120000Z-4242`), sortable by time."""
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{os.getpid()}"


def accumulate(target: Target, job: str, samples: list[Sample]) -> State:
    """Add `samples` to the state of `job` at `target` (its run id and destination): counters add
    up, gauges are replaced."""
    state = _STATES.setdefault((job, target.run_id, target.pushgateway or target.textfile_dir or ""), State())
    for s in samples:
        if metric(s.name).kind == COUNTER:
            state.add(s.name, s.value, s.labels)
        else:
            state.set(s.name, s.value, s.labels)
    return state


def export(target: Target, job: str, state: State) -> bool:
    """Push or write the accumulated `state` of `job`; False (and one stderr line) when it failed."""
    full_job = JOB_PREFIX + job
    if not target.pushgateway and not target.textfile_dir:
        print(f"monitoring: metrics of {job} not exported: the warehouse is remote; set "
              "monitoring.pushgateway or monitoring.textfile_dir", file=sys.stderr)
        return False
    try:
        if target.pushgateway:
            from prometheus_client import push_to_gateway

            push_to_gateway(target.pushgateway, job=full_job, registry=registry_of(state),
                            grouping_key={"run_id": target.run_id}, timeout=target.timeout_seconds)
        else:
            from prometheus_client import write_to_textfile

            folder = Path(target.textfile_dir)
            folder.mkdir(parents=True, exist_ok=True)
            write_to_textfile(str(folder / f"{full_job}.prom"), registry_of(state, {"run_id": target.run_id}))
    except OSError as exc:  # URLError, connection refused, timeouts and file errors are all OSErrors
        where = target.pushgateway or target.textfile_dir
        print(f"monitoring: could not export the metrics of {job} to {where}: {exc} "
              "(the job's tables are written; check monitoring.pushgateway)", file=sys.stderr)
        return False
    return True


def record(target: Target, job: str, samples: list[Sample]) -> bool:
    """Accumulate `samples` for (job, run id) and export everything recorded for it so far."""
    return export(target, job, accumulate(target, job, samples))


def target_for(mc, warehouse: str) -> Target:
    """The export target of a `conf.schema.MonitoringConfig` (textfile default under `warehouse`).

    A remote warehouse (`s3a://`, `hdfs://`) has no local folder for the textfile collector:
    without `monitoring.pushgateway` or `monitoring.textfile_dir` the export then says so and
    writes nothing.
    """
    textfile = mc.textfile_dir
    if textfile is None:
        local = warehouse.removeprefix("file://") if warehouse.startswith("file://") else warehouse
        textfile = None if "://" in local else str(Path(local) / "_metrics")
    return Target(pushgateway=mc.pushgateway, textfile_dir=textfile, run_id=mc.run_id or process_run_id(),
                  timeout_seconds=mc.push_timeout_seconds)
