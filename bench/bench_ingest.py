"""Ingest benchmark: `flywheel ingest` vs Spark's own JSON reader, same files, same run.

Scales the sample corpus to `--scale-mb` of plain JSONL shards (`spark_jobs/sample_corpus.scale`),
then measures on Spark `local[N]`:

1. flywheel ingest (strict UTF-8/JSON parsing in Python, doc_id, quarantine, MERGE into Delta);
2. the peer: `spark.read.json` (JVM parser, lenient: no line numbers, bad bytes replaced) written
   to a Delta table with a plain overwrite, i.e. the least a Spark user would do.

Reports MB/s of input (file bytes), MB/s per core, and peak RSS of the JVM plus Python workers.
Run:  .venv/bin/python bench/bench_ingest.py --scale-mb 1024 --files 16 --cores 2
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_rss import PeakRss  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale-mb", type=float, default=1024)
    p.add_argument("--files", type=int, default=16)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--work", default="bench/data/ingest")
    return p.parse_args(argv)


def make_input(work: Path, scale_mb: float, files: int) -> Path:
    from spark_jobs.sample_corpus import generate
    from spark_jobs.sample_scale import scale

    base, shards = work / "sample", work / f"scaled-{int(scale_mb)}mb-{files}"
    if not (base / "truth.jsonl").exists():
        generate(base, seed=0)
    if not shards.exists():
        scale(base, shards, scale_mb, files, seed=1)
    return shards


def main(argv=None) -> int:
    args = parse_args(argv)
    from conf import load_config
    from spark_jobs.ingest import run
    from spark_jobs.session import get_spark

    work = Path(args.work)
    shards = make_input(work, args.scale_mb, args.files)
    files = sorted((shards / "docs").glob("*.jsonl"))
    in_bytes = sum(p.stat().st_size for p in files)
    wh = work / "warehouse"
    shutil.rmtree(wh, ignore_errors=True)
    cfg = load_config(overrides=[f"spark.master=local[{args.cores}]", f"spark.warehouse={wh}",
                                 f"spark.shuffle_partitions={args.cores * 4}", "spark.driver_memory=6g",
                                 "spark.extra_conf={spark.ui.enabled: 'false'}"])
    spark = get_spark(cfg, "bench-ingest")
    results = {"input_mb": round(in_bytes / 1e6, 1), "files": len(files), "cores": args.cores}

    with PeakRss() as mem:
        t0 = time.time()
        summary = run(spark, cfg, [str(p) for p in files], source="bench")
        dt = time.time() - t0
    results["flywheel"] = {"seconds": round(dt, 1), "mb_s": round(in_bytes / 1e6 / dt, 1),
                           "mb_s_per_core": round(in_bytes / 1e6 / dt / args.cores, 1),
                           "docs": summary["docs_read"], "peak_rss_mb": round(mem.peak_mb)}

    with PeakRss() as mem:
        t0 = time.time()
        (spark.read.json([str(p) for p in files]).write.format("delta").mode("overwrite")
         .save(str((wh / "peer_json").resolve())))
        dt = time.time() - t0
    results["spark_read_json"] = {"seconds": round(dt, 1), "mb_s": round(in_bytes / 1e6 / dt, 1),
                                  "mb_s_per_core": round(in_bytes / 1e6 / dt / args.cores, 1),
                                  "peak_rss_mb": round(mem.peak_mb)}
    results["ratio_flywheel_to_peer"] = round(results["flywheel"]["mb_s"] / results["spark_read_json"]["mb_s"], 2)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
