"""A small demo warehouse for the notebook tests: every stage once, then a short CPU training run.

Input: the hand-written en/zh/de pages of samples.texts, an exact copy of each English page,
near-duplicates of three English pages (one word in ~every 40 changed: Jaccard about 0.9, so
MinHash clusters them), three short pages the filters drop, and one broken JSON line for the
quarantine. ingest -> annotate -> dedup -> train_tokenizer -> tokenize_docs -> mix (2 chunks of
20 blocks of 64 tokens), then `trainer.train` under torchrun with 2 processes over both chunks.
About a minute of Spark and half a minute of training on 2 cores.
"""
from __future__ import annotations

import json
from pathlib import Path

from conf import load_config
from tests.conftest import TEST_OVERRIDES
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER
from tests.trainer.train_runs import overrides, torchrun

SEQ_LEN = 63  # blocks of 64 tokens
CHUNK_TOKENS = 20 * (SEQ_LEN + 1)
N_CHUNKS = 2
NEAR_DUPLICATES = 3
MIX = [f"mix.seq_len={SEQ_LEN}", f"mix.chunk_tokens={CHUNK_TOKENS}"]


def near_duplicate(text: str, every: int = 40) -> str:
    """`text` with every `every`-th word replaced: a MinHash near-duplicate, not an exact one."""
    words = text.split(" ")
    return " ".join("changed" if i % every == every - 1 else w for i, w in enumerate(words))


def write_input(folder: Path) -> dict:
    """The JSONL input; returns how many records and documents it holds."""
    from samples.texts import LANGUAGES

    lines = [{"id": f"{lang}-{i}", "text": d["text"]} for lang in ("en", "zh", "de")
             for i, d in enumerate(LANGUAGES[lang].DOCS)]
    english = LANGUAGES["en"].DOCS
    lines += [{"id": f"copy-{i}", "text": d["text"]} for i, d in enumerate(english)]
    lines += [{"id": f"near-{i}", "text": near_duplicate(d["text"])} for i, d in enumerate(english[:NEAR_DUPLICATES])]
    lines += [{"id": f"short-{i}", "text": t} for i, t in enumerate(LANGUAGES["en"].SHORT[:3])]
    folder.mkdir(parents=True)
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines)
    (folder / "docs.jsonl").write_text(body + '\n{"id": "broken", "text": \n', encoding="utf-8")
    return {"records": len(lines) + 1, "docs": len(lines)}


def config_overrides(warehouse: Path) -> list[str]:
    """The settings the warehouse was built with (the notebooks get them as a YAML file)."""
    return TEST_OVERRIDES + SMALL_TOKENIZER + MIX + [f"spark.warehouse={warehouse}"]


def build(spark, root: Path) -> dict:
    """Build the warehouse and the run folder under `root`; paths and counts for the tests."""
    from spark_jobs import annotate, dedup, ingest, mix, tokenize_docs, train_quality, train_tokenizer  # noqa: F401

    warehouse, run_dir = root / "warehouse", root / "runs" / "nbtest"
    written = write_input(root / "in")
    cfg = load_config(overrides=config_overrides(warehouse))
    ingest.run(spark, cfg, [str(root / "in")], source="nbtest")
    annotate.run(spark, cfg)
    dedup.run(spark, cfg)
    train_tokenizer.run(spark, cfg)
    tokenize_docs.run(spark, cfg)
    mix.run(spark, cfg, n_chunks=N_CHUNKS)
    torchrun(overrides(cfg, run_dir, *MIX, "train.local_batch_size=2", "train.log_every=1"))
    return {"root": root, "warehouse": warehouse, "run_dir": run_dir, "cfg": cfg, **written}
