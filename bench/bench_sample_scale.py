"""Benchmark `sample_scale.scale` against two peers in the same run (MB/s of JSONL written).

peers:  copy     re-emit the base lines with fresh ids only (the ceiling: no edits at all)
        naive    per document json.loads -> word-list edit (`sample_noise.edit_words`) -> json.dumps
        scale    the real scaler (byte-level splicing of the JSON-escaped text, numpy gathers)

Run:    PYTHONPATH=. .venv/bin/python bench/bench_sample_scale.py --mb 200
Prints one JSON line per peer with MB/s, and the scaler's peak RSS.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from pathlib import Path

from spark_jobs import sample_noise
from spark_jobs.sample_corpus import generate
from spark_jobs.sample_scale import SCALE_RATES, read_base, scale


def _copy_peer(src: Path, out: Path, target: float) -> float:
    base = read_base(src)
    t0, written, rnd = time.perf_counter(), 0, 0
    with open(out, "wb") as fh:
        while written < target:
            for b in base:
                line = f'{{"id": "c{rnd}-{b.id}", "text": "'.encode() + b.esc[:-1].tobytes() + b.tail
                fh.write(line)
                written += len(line)
            rnd += 1
    return written / 1e6 / (time.perf_counter() - t0)


def _naive_peer(src: Path, out: Path, target: float) -> float:
    records = [json.loads(line) for line in open(src / "docs" / "part-00000.jsonl", encoding="utf-8")]
    rng = random.Random(0)
    t0, written, rnd = time.perf_counter(), 0, 0
    with open(out, "wb") as fh:
        while written < target:
            for r in records:
                words = r["text"].split() or ["x"]
                text, _ = sample_noise.edit_words(r["text"], rng.choice(SCALE_RATES), rng, words)
                line = (json.dumps(dict(r, id=f"n{rnd}-{r['id']}", text=text), ensure_ascii=False) + "\n").encode()
                fh.write(line)
                written += len(line)
            rnd += 1
    return written / 1e6 / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=200)
    parser.add_argument("--files", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "base"
        generate(src, seed=0)
        target = args.mb * 1e6
        print(json.dumps({"peer": "copy", "mb_per_s": round(_copy_peer(src, Path(tmp) / "copy.jsonl", target), 1)}))
        print(json.dumps({"peer": "naive", "mb_per_s": round(_naive_peer(src, Path(tmp) / "naive.jsonl", target / 4), 1)}))
        summary = scale(src, Path(tmp) / "scaled", args.mb, args.files, seed=0)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"peer": "scale", **summary, "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
