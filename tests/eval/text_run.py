"""A short real CPU training run on text, for eval tests: tokenizer, chunks, eval_docs, checkpoints.

Documents are generated from small templates (English and Chinese prose as `web`, Python as
`code`), so a 2-layer model learns them within a few dozen steps; a real byte-level BPE is
trained on them (udfs/tokenizer_train.py, saved as train_tokenizer saves it), the training
documents are tokenised and packed into chunks as the mix packs them (tests/trainer/fixtures.py),
and documents drawn with another seed become the held-out `eval_docs`.
"""
from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa

from conf import load_config
from conf.schema import PipelineConfig
from spark_jobs.tokenizer_store import save_tokenizer
from tables.catalog import CHUNKS, EVAL_DOCS
from tables.delta_rs import append
from tests.conftest import TEST_OVERRIDES
from tests.trainer.fixtures import Doc, chunk_row, pack_blocks
from tests.trainer.train_runs import SEQ_LEN, overrides, torchrun
from udfs.tokenizer_train import TokenizerSpec, train_bpe

BLOCKS_PER_CHUNK = 64  # 2 ranks x 2 blocks a step: 16 steps per chunk
MODEL = ["train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4"]
EVAL = ["eval.max_new_tokens=4", "eval.few_shot=1", "eval.max_docs_per_category=6"]
ADJ, NOUN, VERB = ("old", "quiet", "small", "green"), ("river", "town", "mill", "bridge"), ("crosses", "feeds", "faces")
ZH = ("河流", "城市", "山脉", "历史", "记录", "春天")


def text_doc(rng: random.Random, category: str) -> tuple[str, str]:
    """(lang, text) of one templated document."""
    if category == "code":
        body = "\n".join(f"    total += values[{k}] * {rng.randint(0, 9)}" for k in range(rng.randint(2, 5)))
        return "en", f"def score(values):\n    total = 0\n{body}\n    return total\n"
    if rng.random() < 0.3:
        return "zh", "".join(f"这座{rng.choice(ZH)}的{rng.choice(ZH)}很长。" for _ in range(rng.randint(2, 5)))
    return "en", " ".join(f"The {rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(VERB)} the {rng.choice(NOUN)}."
                          for _ in range(rng.randint(2, 6)))


def documents(n: int, seed: int, prefix: str) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        category = "code" if i % 3 == 2 else "web"
        lang, text = text_doc(rng, category)
        out.append({"doc_id": f"{prefix}-{i}", "lang": lang, "category": category, "text": text})
    return out


def build_warehouse(base: Path) -> tuple[PipelineConfig, list[str]]:
    """Warehouse + run overrides; writes tokenizer, 2 ready chunks and eval_docs."""
    warehouse = base / "warehouse"
    sets = TEST_OVERRIDES + [f"spark.warehouse={warehouse}", f"mix.seq_len={SEQ_LEN}"] + MODEL + EVAL
    cfg = load_config(overrides=sets)
    train_docs = documents(900, seed=1, prefix="train")
    tc = cfg.tokenizer
    spec = TokenizerSpec(vocab_size=512, min_frequency=2, special_tokens=[tc.eos_token, tc.bos_token, tc.pad_token],
                         domain_tokens=[], n_reserved=8, vocab_multiple=tc.vocab_multiple, dirty_token_patterns=[])
    tok = train_bpe((d["text"] for d in train_docs), spec)
    eos = tok.token_to_id(tc.eos_token)
    version = save_tokenizer(cfg, tok.to_str(), {"vocab_size": tok.get_vocab_size(with_added_tokens=True),
                                                 "eos_id": eos})
    docs = [Doc(d["doc_id"], pa.array(tok.encode(d["text"]).ids + [eos], pa.int32()).to_numpy(), d["category"])
            for d in train_docs]
    per_chunk = len(docs) // 2
    for k in range(2):
        blocks = pack_blocks(docs[k * per_chunk:(k + 1) * per_chunk], SEQ_LEN, k, n_blocks=BLOCKS_PER_CHUNK)
        append(cfg, "blocks", blocks)
        row = {**chunk_row(k, blocks, SEQ_LEN, "ready", 0), "tokenizer_version": version}
        append(cfg, "chunks", pa.Table.from_pylist([row], schema=CHUNKS.arrow_schema()))
    held = [{**d, "text_bytes": len(d["text"].encode()), "split_seed": 2} for d in documents(24, seed=2, prefix="held")]
    append(cfg, "eval_docs", pa.Table.from_pylist(held, schema=EVAL_DOCS.arrow_schema()))
    run_sets = [s for s in MODEL + EVAL]
    return cfg, run_sets


def train(base: Path, every_chunk: str = "[heldout]") -> tuple[PipelineConfig, Path, list[str]]:
    """Build the warehouse and train both chunks with `eval.every_chunk`; (cfg, run_dir, --set values)."""
    cfg, run_sets = build_warehouse(base)
    run_dir = base / "run"
    sets = overrides(cfg, run_dir, *run_sets, f"eval.every_chunk={every_chunk}")
    torchrun(sets)
    return cfg, run_dir, sets
