"""Demo: build the bundled sample corpus and run every pipeline stage on it.

Reads   nothing but the Python standard library and the documents bundled in
        `samples/texts` (the sample corpus is generated, never downloaded).
Writes  the sample corpus under `--data`, every table under the warehouse and the training run
        (checkpoints per chunk, train_log.jsonl) under `runs/demo`.
Run     flywheel demo [--data data/sample] [--warehouse warehouse]

Each stage is one entry of STAGES; the demo prints what each stage wrote (tables, row
counts, quarantine count). Re-running it is safe: every stage is idempotent.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig


def stage_ingest(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Ingest the sample documents and the deliberately broken files beside them."""
    from spark_jobs import ingest

    summary = ingest.run(spark, cfg, [str(data / "docs"), str(data / "bad")], source="sample")
    ingest.print_summary(summary, cfg)
    return ["raw_docs", "quarantine"]


def stage_ingest_warc(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Ingest a small WARC crawl of the sample pages (HTML -> main text, bad records quarantined)."""
    from spark_jobs import ingest
    from samples.warc import write_sample_warc

    summary = ingest.run(spark, cfg, [str(write_sample_warc(data / "web"))], "warc", source="web-sample")
    ingest.print_summary(summary, cfg)
    return ["raw_docs", "quarantine"]


def stage_train_quality(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Train the fastText quality classifier: stdlib docstrings and reference text are the good
    sources, the synthetic spam/junk documents the bad one (unless the config names others)."""
    import dataclasses

    from spark_jobs import train_quality

    tq = cfg.train_quality
    if not tq.positive_sources and not tq.negative_sources:
        tq = dataclasses.replace(tq, positive_sources=["python-docstrings", "python-reference"],
                                 negative_sources=["synthetic"])
    train_quality.print_summary(train_quality.run(spark, dataclasses.replace(cfg, train_quality=tq)))
    return []


def stage_annotate(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Every signal of raw_docs into annotated_docs + stage_stats; quality scores come from the
    model train_quality just wrote (unless annotate.quality_model names one)."""
    import dataclasses

    from spark_jobs import annotate, train_quality
    from udfs.quality_model import latest_version_dir

    acfg = cfg.annotate
    if acfg.quality_model is None:
        acfg = dataclasses.replace(acfg, quality_model=latest_version_dir(train_quality.model_root(cfg)))
    annotate.print_summary(annotate.run(spark, dataclasses.replace(cfg, annotate=acfg)))
    return ["annotated_docs", "stage_stats"]


def stage_dedup(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Exact, URL and MinHash-LSH dedup of the annotated documents (needs the annotate stage first)."""
    from spark_jobs import dedup

    dedup.print_summary(dedup.run(spark, cfg))
    return ["dedup_clusters", "curated_docs"]


def stage_tokenizer(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Train the byte-level BPE on curated_docs, then tokenize them into tokenized_docs."""
    from spark_jobs import tokenize_docs, train_tokenizer

    train_tokenizer.print_summary(train_tokenizer.run(spark, cfg))
    tokenize_docs.print_summary(tokenize_docs.run(spark, cfg))
    return ["tokenized_docs"]


def stage_heldout(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Hold out a per category x language sample of curated_docs into eval_docs, before the mix
    (which then leaves those documents out), so `flywheel eval` has documents to score."""
    from spark_jobs import heldout

    heldout.print_summary(heldout.run(spark, cfg))
    return ["eval_docs"]


def stage_mix(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Mix two chunks of packed blocks; chunks of at most DEMO_CHUNK_BLOCKS blocks instead of the
    default 1B tokens, so the training stage after it stays short on two CPU cores."""
    import dataclasses

    from spark_jobs import mix

    small = min(cfg.mix.chunk_tokens, DEMO_CHUNK_BLOCKS * (cfg.mix.seq_len + 1))
    cfg = dataclasses.replace(cfg, mix=dataclasses.replace(cfg.mix, chunk_tokens=small))
    for summary in mix.run(spark, cfg, n_chunks=2):
        mix.print_summary(summary)
    return ["blocks", "chunks", "usage"]


def stage_train(spark, cfg: PipelineConfig, data: Path) -> list[str]:
    """Train on the demo's chunks: `flywheel train` starts 2 CPU processes (torchrun, FSDP2 over
    gloo) on a tiny torchtitan Llama3; each chunk ends with a `chunk-<k>` checkpoint and its row
    marked `trained`. A subprocess, because jobs never import the trainer."""
    import dataclasses
    import subprocess

    import yaml

    from conf.errors import UserError
    from tables.spark_tables import read_table

    blocks = sum(r["blocks"] for r in read_table(spark, cfg, "chunks").where("status = 'ready'").collect())
    run_dir = Path(DEMO_RUN_DIR)
    run_dir.mkdir(parents=True, exist_ok=True)
    # The demo's full config (the user's --config/--set included) goes to the trainer as a file.
    config_file = run_dir / "demo_config.yaml"
    config_file.write_text(yaml.safe_dump(dataclasses.asdict(cfg), sort_keys=False), encoding="utf-8")
    steps = blocks // (DEMO_TRAIN_PROCESSES * DEMO_TRAIN_BATCH)
    # The demo's sizes win over the train.* values of the user's config.
    sets = DEMO_TRAIN_SETTINGS + [
        f"train.run_dir={run_dir}", f"train.nproc_per_node={DEMO_TRAIN_PROCESSES}",
        f"train.local_batch_size={DEMO_TRAIN_BATCH}", f"train.schedule.warmup_steps={DEMO_WARMUP}",
        f"train.schedule.total_steps={max(steps, DEMO_WARMUP + 1)}"]  # the lr decays over these chunks
    cmd = [sys.executable, "-m", "flywheel.cli", "train", "--config", str(config_file)]
    for item in sets:
        cmd += ["--set", item]
    print(f"train: {blocks} ready blocks, {steps} steps on {DEMO_TRAIN_PROCESSES} processes -> {run_dir}", flush=True)
    if subprocess.call(cmd) != 0:
        raise UserError(f"the training run failed (its output is above); rerun it with: {' '.join(cmd)}")
    return ["chunks", "train_metrics"]


# Demo sizes: two chunks of 24 blocks of seq_len + 1 tokens (~100k tokens at seq_len 2048) train
# in about a minute on 2 CPU cores with the model below; the lm head (dim x 32k vocab) dominates.
DEMO_CHUNK_BLOCKS = 24
DEMO_RUN_DIR = "runs/demo"
DEMO_TRAIN_PROCESSES = 2
DEMO_TRAIN_BATCH = 1
DEMO_WARMUP = 4
DEMO_TRAIN_SETTINGS = ["train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4", "train.optim.lr=3.0e-3",
                       "train.log_every=4", "train.data.max_wait_seconds=0"]

# (name, function(spark, cfg, data_dir) -> tables it wrote). Later stages append themselves.
STAGES = [
    ("ingest", stage_ingest),
    ("ingest_warc", stage_ingest_warc),
    ("train_quality", stage_train_quality),
    ("annotate", stage_annotate),  # after train_quality: scores with its newest model
    ("dedup", stage_dedup),  # after annotate: reads annotated_docs
    ("tokenize", stage_tokenizer),  # after dedup: reads curated_docs
    ("heldout", stage_heldout),  # before mix: the mix leaves eval_docs out of every chunk
    ("mix", stage_mix),
    ("train", stage_train),  # after mix: trains its ready chunks
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="data/sample", help="where the sample corpus is written (default data/sample)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample corpus (default 0)")
    add_common_args(parser)
    return parser.parse_args(argv)


def print_tables(spark, cfg: PipelineConfig, names: list[str]) -> None:
    """One line per table: rows and Delta version."""
    from tables.catalog import table_path
    from tables.spark_tables import current_version, exists, read_table

    print("\ntables written:")
    for name in names:
        if not exists(spark, cfg, name):
            continue
        version = current_version(spark, cfg, name)
        print(f"  {name:<16} {read_table(spark, cfg, name).count():>8} rows  (Delta version {version})  "
              f"{table_path(cfg, name)}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = config_from_args(args)
    from samples.corpus import generate
    from spark_jobs.session import get_spark

    data = Path(args.data)
    t0 = time.time()
    summary = generate(data, seed=args.seed)
    print(f"sample corpus: {data}: {summary['docs']} documents, {summary['bytes'] / 1e6:.1f} MB; "
          f"languages {summary['by_lang']}; noise {summary['by_noise']}")
    spark = get_spark(cfg, "demo")
    written: list[str] = []
    for name, stage in STAGES:
        print(f"\n== {name}")
        written += [t for t in stage(spark, cfg, data) if t not in written]
    print_tables(spark, cfg, written)
    print(f"\ndemo finished in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    from spark_jobs.demo import main as _main

    sys.exit(_main())
