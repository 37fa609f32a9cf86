"""Train the fastText quality classifier from labelled sources ("source X is good, Y is bad").

Reads   the `train_quality.input_table` Delta table (raw_docs or annotated_docs): documents whose
        `source` is in `train_quality.positive_sources` (label hq) or `negative_sources` (lq).
Writes  `<model_dir>/v<N>/model.bin` + `meta.json` (sources, counts, held-out accuracy,
        hyper-parameters, seed), N = one more than the newest version; model_dir is
        `train_quality.model_dir`, else `<spark.warehouse>/models/quality`. Earlier versions stay.
Run     flywheel train_quality --set 'train_quality.positive_sources=[wiki]' \\
            --set 'train_quality.negative_sources=[spam]'
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.0 spark_jobs/train_quality.py …

A document is held out when xxhash64(doc_id, seed) mod 10,000 < test_fraction x 10,000, so the
split depends on neither partitioning nor order. The training file is written in doc_id order
and fastText trains with one thread and the seed, so the same table and config give the same
model. Only the first `max_chars` characters of each document leave the JVM.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig, TrainQualityConfig
from udfs.quality_model import (
    META_FILE, MODEL_FILE, normalise_texts, predict_high, train_fasttext, training_lines,
    next_version_dir,
)

STAGE = "train_quality"
INPUT_TABLES = ("raw_docs", "annotated_docs")
SPLIT_BUCKETS = 10_000


def check_config(tq: TrainQualityConfig) -> None:
    """Raise ValueError naming the key when the labelled sources cannot make a classifier."""
    if tq.input_table not in INPUT_TABLES:
        raise ValueError(f"train_quality.input_table: {tq.input_table!r} is not one of {INPUT_TABLES}")
    if not tq.positive_sources:
        raise ValueError("train_quality.positive_sources: name at least one source of good documents")
    if not tq.negative_sources:
        raise ValueError("train_quality.negative_sources: name at least one source of bad documents")
    both = sorted(set(tq.positive_sources) & set(tq.negative_sources))
    if both:
        raise ValueError(f"train_quality.negative_sources: {both} also listed as positive_sources")
    if not 0.0 < tq.test_fraction < 1.0:
        raise ValueError(f"train_quality.test_fraction: {tq.test_fraction} must be between 0 and 1")


def model_root(cfg: PipelineConfig) -> str:
    """Local folder holding the model versions (fastText reads and writes local files only)."""
    if cfg.train_quality.model_dir:
        return os.path.abspath(os.path.expanduser(cfg.train_quality.model_dir))
    warehouse = cfg.spark.warehouse.removeprefix("file:")
    if "://" in warehouse:
        raise ValueError(f"train_quality.model_dir: spark.warehouse={cfg.spark.warehouse!r} is not a "
                         "local folder; set a local or shared-filesystem folder for the models")
    return os.path.abspath(os.path.join(warehouse, "models", "quality"))


def transform(df, cfg: PipelineConfig):
    """Labelled documents: doc_id, source, label (true = high quality), is_test, and text cut
    to `max_chars` characters. Documents of other sources are left out."""
    from pyspark.sql import functions as F

    tq = cfg.train_quality
    bucket = F.pmod(F.xxhash64(F.col("doc_id"), F.lit(tq.seed)), F.lit(SPLIT_BUCKETS))
    return (df.where(F.col("source").isin(tq.positive_sources + tq.negative_sources))
              .select("doc_id", "source",
                      F.col("source").isin(tq.positive_sources).alias("label"),
                      (bucket < int(round(tq.test_fraction * SPLIT_BUCKETS))).alias("is_test"),
                      F.substring("text", 1, tq.max_chars).alias("text")))


def run(spark, cfg: PipelineConfig) -> dict:
    """Read the labelled sources, train, evaluate and save a new version; returns its meta."""
    from tables.spark_tables import read_table

    check_config(cfg.train_quality)
    return train_and_save(transform(read_table(spark, cfg, cfg.train_quality.input_table), cfg), cfg)


def train_and_save(labelled, cfg: PipelineConfig) -> dict:
    """Train on the non-held-out rows, measure accuracy on the held-out ones, save v<N>."""
    tq = cfg.train_quality
    counts = {(True, False): 0, (False, False): 0, (True, True): 0, (False, True): 0}
    root = model_root(cfg)
    os.makedirs(root, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".tmp-") as tmp:
        train_file = os.path.join(tmp, "train.txt")
        test_texts, test_labels = [], []
        with open(train_file, "w", encoding="utf-8") as out:
            # one pass, in doc_id order: the training file is the same whatever the partitioning
            for row in labelled.orderBy("doc_id").toLocalIterator():
                counts[(row["label"], row["is_test"])] += 1
                if row["is_test"]:
                    test_texts.append(row["text"])
                    test_labels.append(row["label"])
                else:
                    out.writelines(training_lines([row["text"]], [row["label"]], tq.max_chars))
        if not counts[(True, False)] or not counts[(False, False)]:
            raise ValueError("train_quality.positive_sources/negative_sources: both classes need training "
                             f"documents in {tq.input_table}; found {_count_text(counts)}")
        params = dict(epoch=tq.epoch, lr=tq.lr, word_ngrams=tq.word_ngrams, dim=tq.dim,
                      min_count=tq.min_count, bucket=tq.bucket, seed=tq.seed)
        staged = os.path.join(tmp, "model")
        os.makedirs(staged)
        model = train_fasttext(train_file, os.path.join(staged, MODEL_FILE), **params)
        accuracy = held_out_accuracy(model, test_texts, test_labels, tq.max_chars)
        version, folder = next_version_dir(root)
        meta = {
            "version": version, "input_table": tq.input_table,
            "positive_sources": tq.positive_sources, "negative_sources": tq.negative_sources,
            "counts": {"train_high": counts[(True, False)], "train_low": counts[(False, False)],
                       "test_high": counts[(True, True)], "test_low": counts[(False, True)]},
            "held_out_accuracy": accuracy, "test_fraction": tq.test_fraction, "seed": tq.seed,
            "max_chars": tq.max_chars, "hyper_parameters": params, "trained_at": time.time(),
        }
        with open(os.path.join(staged, META_FILE), "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=2, sort_keys=True)
        os.rename(staged, folder)  # a reader never sees a half-written version
    return {"path": folder, **meta}


def held_out_accuracy(model, texts: list[str], labels: list[bool], max_chars: int) -> float | None:
    """Share of held-out documents classified as their source's label; None without any."""
    pairs = [(t, y) for t, y in zip(normalise_texts(texts, max_chars), labels) if t]
    if not pairs:
        return None
    predicted = predict_high(model, [t for t, _ in pairs])
    return float(sum(p == y for p, (_, y) in zip(predicted.tolist(), pairs)) / len(pairs))


def _count_text(counts: dict) -> str:
    return ", ".join(f"{'high' if label else 'low'}/{'test' if test else 'train'}={n}"
                     for (label, test), n in sorted(counts.items()))


def print_summary(result: dict) -> None:
    c = result["counts"]
    acc = result["held_out_accuracy"]
    print(f"train_quality: v{result['version']} trained on {c['train_high']} high / {c['train_low']} low "
          f"documents; held-out accuracy {'n/a' if acc is None else f'{acc:.3f}'} "
          f"on {c['test_high']} high / {c['test_low']} low")
    print(f"  model  {result['path']}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel train_quality", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = config_from_args(args)
    check_config(cfg.train_quality)  # before the JVM starts: a config error costs no 5 s
    from spark_jobs.session import get_spark

    print_summary(run(get_spark(cfg, STAGE), cfg))
    return 0


if __name__ == "__main__":
    from spark_jobs.train_quality import main as _main

    sys.exit(_main())
