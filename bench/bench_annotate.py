"""Annotate benchmark: the annotate job on 2 cores vs datatrove's Gopher+C4+FineWeb filters.

Same run, same documents (the sample corpus scaled with `spark_jobs.sample_scale`):

1. **annotate job** (`spark_jobs.annotate.run`, Spark `local[--cores]`): raw_docs (ingested
   first, not timed) -> annotated_docs + stage_stats. MB/s = UTF-8 text bytes / wall seconds of
   the whole job (read, language ID, every rule, PII, Delta write, stats).
2. **per-process peers** on the first `--peer-mb` of the same documents, `--cores` worker
   processes each, MB/s over wall time and over the workers' CPU time (the machine is shared):
   - `annotate_batch`: our one-pass function (language ID, Gopher, C4, FineWeb, CJK, toxicity,
     category, PII) without Spark;
   - `datatrove`: GopherQualityFilter + GopherRepetitionFilter + C4QualityFilter +
     FineWebQualityFilter (datatrove 0.10.1, spaCy word tokenizer), each document through all four
     (no early exit, so both peers compute every signal).

Peak RSS: of this process and all its children (JVM + Python workers) for the job; per worker
(`ru_maxrss`) for the peers.
Run:  .venv/bin/python bench/bench_annotate.py --scale-mb 1000 --files 8 --cores 2 --peer-mb 20
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from peak_rss import PeakRss  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale-mb", type=float, default=1000)
    p.add_argument("--files", type=int, default=8)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--peer-mb", type=float, default=20, help="MB of the same documents for the per-process peers")
    p.add_argument("--work", default="bench/data/annotate")
    p.add_argument("--skip-job", action="store_true", help="only the per-process peers")
    return p.parse_args(argv)


def make_input(work: Path, scale_mb: float, files: int) -> Path:
    from spark_jobs.sample_corpus import generate
    from spark_jobs.sample_scale import scale

    base, shards = work / "sample", work / f"scaled-{int(scale_mb)}mb-{files}"
    if not (base / "truth.jsonl").exists():
        generate(base, seed=0)
    if not (shards / "docs").exists():
        scale(base, shards, scale_mb, files, seed=1)
    return shards


def read_texts(files: list[Path], limit_mb: float) -> list[str]:
    """Texts of the first `limit_mb` MB of documents (UTF-8 bytes), in file order."""
    texts, total = [], 0
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"]
                texts.append(text)
                total += len(text.encode("utf-8"))
                if total >= limit_mb * 1e6:
                    return texts
    return texts


# --- per-process peers --------------------------------------------------------------------

def _ours(texts: list[str]) -> tuple[float, int, int]:
    import pyarrow as pa

    from conf import load_config
    from tables.catalog import ANNOTATED_DOCS, RAW_DOCS
    from udfs.annotate_batch import annotate_batch, build_context

    cfg = load_config()
    ctx = build_context(cfg.annotate, cfg.pii, ROOT)
    kept = 0
    t0 = time.process_time()
    rows = cfg.annotate.arrow_batch_rows
    for i in range(0, len(texts), rows):
        chunk = texts[i:i + rows]
        batch = pa.RecordBatch.from_pydict({
            "doc_id": [str(j) for j in range(len(chunk))], "text": chunk,
            "text_bytes": pa.array([len(t.encode("utf-8")) for t in chunk], pa.int32())})
        kept += sum(annotate_batch(batch, ctx, ANNOTATED_DOCS.arrow_fields(after=RAW_DOCS)).column("kept").to_pylist())
    return time.process_time() - t0, kept, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _datatrove(texts: list[str]) -> tuple[float, int, int]:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)

    filters = [GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter(), FineWebQualityFilter()]
    filters[0].filter(Document(text="warm up the spaCy tokenizer once", id="w"))
    kept = 0
    t0 = time.process_time()
    for i, text in enumerate(texts):
        ok = True
        for f in filters:
            result = f.filter(Document(text=text, id=str(i)))
            ok &= result is True or (isinstance(result, tuple) and result[0])
        kept += ok
    return time.process_time() - t0, kept, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_peer(fn, texts: list[str], workers: int) -> dict:
    """Split `texts` round-robin over `workers` processes; wall and CPU MB/s, kept docs, peak RSS."""
    parts = [texts[i::workers] for i in range(workers)]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    ctx = multiprocessing.get_context("spawn")
    t0 = time.time()
    with ctx.Pool(workers) as pool:
        results = pool.map(fn, parts)
    wall = time.time() - t0
    cpu = sum(r[0] for r in results)
    return {"mb": round(mb, 1), "docs": len(texts), "kept": sum(r[1] for r in results),
            "wall_s": round(wall, 1), "mb_s_wall": round(mb / wall, 2),
            "cpu_s": round(cpu, 1), "mb_s_per_core_cpu": round(mb / cpu, 2),
            "peak_rss_mb_per_worker": round(max(r[2] for r in results) / 1024)}


# --- the Spark job ------------------------------------------------------------------------

def run_job(files: list[Path], work: Path, cores: int) -> dict:
    from spark_jobs import annotate
    from conf import load_config
    from spark_jobs.ingest import run as ingest
    from spark_jobs.session import get_spark

    wh = work / "warehouse"
    shutil.rmtree(wh, ignore_errors=True)
    cfg = load_config(overrides=[f"spark.master=local[{cores}]", f"spark.warehouse={wh}",
                                 f"spark.shuffle_partitions={cores * 4}", "spark.driver_memory=6g",
                                 "spark.extra_conf={spark.ui.enabled: 'false'}"])
    spark = get_spark(cfg, "bench-annotate")
    t0 = time.time()
    ingest(spark, cfg, [str(p) for p in files], source="bench")
    ingest_s = time.time() - t0
    text_bytes = spark.read.format("delta").load(str((wh / "raw_docs").resolve())).agg({"text_bytes": "sum"}).first()[0]
    with PeakRss() as mem:
        t0 = time.time()
        result = annotate.run(spark, cfg)
        dt = time.time() - t0
    io = [r for r in result["rows"] if r["reason"] is None]
    mb = text_bytes / 1e6
    return {"text_mb": round(mb, 1), "docs": sum(r["docs_in"] for r in io), "kept": sum(r["docs_out"] for r in io),
            "ingest_s": round(ingest_s, 1), "annotate_s": round(dt, 1), "mb_s": round(mb / dt, 2),
            "mb_s_per_core": round(mb / dt / cores, 2), "peak_rss_mb": round(mem.peak_mb),
            "bias_warnings": [str(w) for w in result["warnings"]][:10]}


def main(argv=None) -> int:
    args = parse_args(argv)
    work = Path(args.work)
    shards = make_input(work, args.scale_mb, args.files)
    files = sorted((shards / "docs").glob("*.jsonl"))
    results = {"input_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1), "cores": args.cores,
               "load_avg_start": os.getloadavg()}
    texts = read_texts(files, args.peer_mb)
    results["annotate_batch"] = run_peer(_ours, texts, args.cores)
    print(json.dumps(results, indent=2), flush=True)
    results["datatrove"] = run_peer(_datatrove, texts, args.cores)
    results["ratio_cpu_ours_to_datatrove"] = round(
        results["annotate_batch"]["mb_s_per_core_cpu"] / results["datatrove"]["mb_s_per_core_cpu"], 1)
    print(json.dumps(results, indent=2), flush=True)
    if not args.skip_job:
        results["annotate_job"] = run_job(files, work, args.cores)
    results["load_avg_end"] = os.getloadavg()
    print(json.dumps(results, indent=2))
    out = Path("bench/out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "annotate.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
