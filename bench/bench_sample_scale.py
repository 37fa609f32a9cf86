"""Benchmark `samples.scale.scale` against two peers in the same run (MB/s of JSONL written).

peers:  copy     re-emit the base lines with fresh ids only (the ceiling: no edits at all)
        naive    per document json.loads -> word-list edit (`samples.noise.edit_words`) -> json.dumps
        scale    the real scaler (byte-level splicing of the JSON-escaped text, numpy gathers)

Run:    PYTHONPATH=. .venv/bin/python bench/bench_sample_scale.py --mb 200
Prints one JSON line per peer: MB/s over wall time and over this process's CPU time (the
build machines are shared, so wall time alone mostly measures the neighbours), the 1-minute
load average, and the scaler's peak RSS (run two sizes to see that it does not grow).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from samples import noise as sample_noise
from samples.corpus import generate
from samples.scale import SCALE_RATES, read_base, scale


def _timed(peer, *args) -> dict:
    """Run a peer; MB/s over wall and CPU time of the bytes it reports writing."""
    wall, cpu = time.perf_counter(), time.process_time()
    written = peer(*args)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"mb": round(written / 1e6, 1), "mb_per_s_wall": round(written / 1e6 / wall, 1),
            "mb_per_s_cpu": round(written / 1e6 / cpu, 1), "load_1m": round(os.getloadavg()[0], 1)}


def _copy_peer(src: Path, out: Path, target: float) -> int:
    base = read_base(src)
    written, rnd = 0, 0
    with open(out, "wb") as fh:
        while written < target:
            for b in base:
                line = f'{{"id": "c{rnd}-{b.id}", "text": "'.encode() + b.esc[:-1].tobytes() + b.tail
                fh.write(line)
                written += len(line)
            rnd += 1
    return written


def _naive_peer(src: Path, out: Path, target: float) -> int:
    records = [json.loads(line) for line in open(src / "docs" / "part-00000.jsonl", encoding="utf-8")]
    rng = random.Random(0)
    written, rnd = 0, 0
    with open(out, "wb") as fh:
        while written < target:
            for r in records:
                words = r["text"].split() or ["x"]
                text, _ = sample_noise.edit_words(r["text"], rng.choice(SCALE_RATES), rng, words)
                line = (json.dumps(dict(r, id=f"n{rnd}-{r['id']}", text=text), ensure_ascii=False) + "\n").encode()
                fh.write(line)
                written += len(line)
            rnd += 1
    return written


def _scale_peer(src: Path, out: Path, mb: float, files: int) -> int:
    return scale(src, out, mb, files, seed=0)["bytes"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=200)
    parser.add_argument("--files", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "base"
        generate(src, seed=0)
        target = args.mb * 1e6
        print(json.dumps({"peer": "copy", **_timed(_copy_peer, src, Path(tmp) / "copy.jsonl", target)}))
        print(json.dumps({"peer": "naive", **_timed(_naive_peer, src, Path(tmp) / "naive.jsonl", target / 20)}))
        result = _timed(_scale_peer, src, Path(tmp) / "scaled", args.mb, args.files)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"peer": "scale", **result, "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
