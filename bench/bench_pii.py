"""PII masking and quality scoring benchmark, one process, peers in the same run.

On the sample corpus (samples/corpus.py: stdlib prose and code, hand-written
multilingual documents with injected PII and ground truth), repeated to --mb megabytes:

1. `udfs.pii.pii_batch`, all six entity families, in batches of --batch documents: MB/s;
2. the same restricted to email + IP, the two families datatrove's PIIFormatter covers;
3. datatrove's `PIIFormatter.format` (email + IPv4 regex substitution) per document: MB/s;
4. recall of the injected e-mail and IPv4 addresses for (2) and (3), and how many documents
   each changes among those the ground truth marks PII-free;
5. `udfs.quality_model.quality_scores` with a model trained on the corpus (stdlib docstrings
   vs junk): MB/s, against fastText's own `predict` on pre-normalised text (the floor).

Run:  .venv/bin/python bench/bench_pii.py --mb 64
No download: everything comes from the running Python's standard library.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.peak_rss import PeakRss  # noqa: E402
from samples import corpus as sample_corpus  # noqa: E402
from udfs.pii import ENTITIES, pii_batch  # noqa: E402
from udfs import quality_model  # noqa: E402

TOKENS = {e: f"|||{e.upper()}|||" for e in ENTITIES}


def settings(entities) -> SimpleNamespace:
    return SimpleNamespace(entities=list(entities), mask_tokens=TOKENS,
                           max_pii_per_1k_chars=None, max_pii_total=None)


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of `fn()`: on a shared machine the CPU time
    is the fair figure, the wall time says how busy the neighbours were."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def run_ours(texts, entities, batch):
    cfg = settings(entities)
    masked = []
    for i in range(0, len(texts), batch):
        masked.extend(pii_batch(texts[i:i + batch], cfg)["text_masked"])
    return masked


def run_datatrove(texts):
    from datatrove.pipeline.formatters.pii import PIIFormatter

    fmt = PIIFormatter(only_remove_public_ips=False)
    return [fmt.format(t) for t in texts]


def email_ip_quality(docs, truths, masked) -> tuple[float, int]:
    """(recall of injected email/IPv4 values, changed clean documents)."""
    found = total = changed = 0
    for doc, truth, out in zip(docs, truths, masked):
        changed += truth["clean"] and out != doc.text
        for p in truth["pii"]:
            if p["injected"] and p["type"] in ("email", "ipv4"):
                total += 1
                found += p["value"] not in out
    return found / max(total, 1), changed


def bench_quality(docs, texts, mb) -> dict:
    good = [d.text for d in docs if d.category == "docs"]
    bad = [d.text for d in docs if d.category == "junk"] or [d.text for d in docs if d.category == "forum"]
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.txt")
        with open(train, "w", encoding="utf-8") as f:
            f.writelines(quality_model.training_lines(good + bad, [True] * len(good) + [False] * len(bad), 4000))
        model = quality_model.train_fasttext(train, os.path.join(tmp, "model.bin"), epoch=5, lr=0.5,
                                             word_ngrams=2, dim=64, min_count=2, bucket=200_000, seed=1)
    qm = quality_model.QualityModel(fasttext=model, max_chars=4000, meta={})
    ours = timed(lambda: [quality_model.quality_scores(qm, texts[i:i + 512]) for i in range(0, len(texts), 512)])
    norm = quality_model.normalise_texts(texts, 4000)
    floor = timed(lambda: model.predict([t for t in norm if t], k=2))
    return {"quality_scores (normalise + predict)": ours, "fastText predict on normalised text": floor}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=64, help="megabytes of text (the corpus repeated)")
    parser.add_argument("--batch", type=int, default=512, help="documents per pii_batch call")
    args = parser.parse_args(argv)

    docs = sample_corpus.build_docs(0)
    truths = [sample_corpus.truth_record(d) for d in docs]
    base = [d.text for d in docs]
    base_mb = sum(len(t.encode()) for t in base) / 1e6
    reps = max(1, round(args.mb / base_mb))
    texts = base * reps
    mb = base_mb * reps
    print(f"corpus: {len(docs)} documents, {base_mb:.1f} MB, repeated x{reps} = {mb:.1f} MB")

    rows = []
    with PeakRss() as peak:
        rows.append(("pii_batch, 6 families", timed(lambda: run_ours(texts, ENTITIES, args.batch))))
        rows.append(("pii_batch, email + ip", timed(lambda: run_ours(texts, ["email", "ip"], args.batch))))
        rows.append(("datatrove PIIFormatter (email + IPv4)", timed(lambda: run_datatrove(texts))))
        quality = bench_quality(docs, texts, mb)
    print(f"  {'':42s} {'MB/s CPU':>9s} {'MB/s wall':>9s}")
    for name, (wall, cpu) in rows:
        print(f"  {name:42s} {mb / cpu:9.1f} {mb / wall:9.1f}   ({rows[-1][1][1] / cpu:.2f}x datatrove, CPU)")
    ours = email_ip_quality(docs, truths, run_ours(base, ["email", "ip"], args.batch))
    theirs = email_ip_quality(docs, truths, run_datatrove(base))
    print(f"  injected email+IPv4 recall: ours {ours[0]:.3f}, datatrove {theirs[0]:.3f}; "
          f"PII-free documents changed: ours {ours[1]}, datatrove {theirs[1]} "
          f"of {sum(t['clean'] for t in truths)}")
    for name, (wall, cpu) in quality.items():
        print(f"  {name:42s} {mb / cpu:9.1f} {mb / wall:9.1f}")
    print(f"  peak RSS {peak.peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
