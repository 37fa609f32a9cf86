"""A killed ingest leaves no partial commit, and re-running it completes the table exactly once."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spark_jobs.ingest import run
from tables.catalog import table_path
from tables.spark_tables import exists, read_table

pytestmark = pytest.mark.spark

N_DOCS = 20_000


def test_ingest_killed_midway_no_partial_rows_and_rerun_completes(spark, cfg, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for part in range(4):
        with open(src / f"part-{part}.jsonl", "w") as fh:
            for i in range(part, N_DOCS, 4):
                fh.write(json.dumps({"id": i, "text": f"document {i} " + "words " * 50}) + "\n")
    flywheel = Path(sys.executable).parent / "flywheel"
    proc = subprocess.Popen([str(flywheel), "ingest", "--input", str(src), "--warehouse", cfg.spark.warehouse,
                             "--master", "local[2]"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    # Kill the driver, its JVM and Python workers once the job is under way (or done, on a fast machine:
    # the assertions hold either way).
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None and not _workers_started(proc.pid):
        time.sleep(0.5)
    time.sleep(2)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    print(f"ingest subprocess ended with {proc.returncode}")  # -9 when the kill landed mid-job

    # Every committed version holds either nothing or the whole input: Delta commits atomically.
    if exists(spark, cfg, "raw_docs"):
        history = spark.sql(f"DESCRIBE HISTORY delta.`{table_path(cfg, 'raw_docs')}`").collect()
        for h in history:
            count = read_table(spark, cfg, "raw_docs", version=h.version).count()
            assert count in (0, N_DOCS), f"version {h.version} holds a partial ingest: {count} rows"
    run(spark, cfg, [str(src)])
    ids = [r.source_id for r in read_table(spark, cfg, "raw_docs").select("source_id").collect()]
    assert len(ids) == N_DOCS and len(set(ids)) == N_DOCS


def _workers_started(pid: int) -> bool:
    """True once a pyspark Python worker runs under the killed job's session."""
    out = subprocess.run(["ps", "-o", "args=", "-s", str(pid)], capture_output=True, text=True).stdout
    return "pyspark.daemon" in out or "pyspark.worker" in out
