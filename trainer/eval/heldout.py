"""Per-category perplexity and bits per byte on the held-out documents (`eval_docs`).

Each document is scored as training saw it: its token ids followed by EOS, positions from 0,
every token after the first predicted (the EOS included). The first token is not: training
never predicts a document's first token (the document mask, trainer/data/batches.py) and the
model has no BOS, so conditioning it on a leading EOS, as lm-eval does with its prefix token,
scores a context the model never saw (measured: that token's loss grows as training goes on,
and the rest of the document, attending to the EOS, gets worse too). Its bytes stay in the
denominator, so bits per byte is, if anything, slightly low. Per category (and category/lang):

    perplexity    = exp(sum NLL / tokens)              depends on the tokenizer
    bits_per_byte = sum NLL / (ln 2 x UTF-8 bytes)     does not (Paloma's bpb), runs compare

Documents are read through delta-rs (the trainer never starts a JVM), the first
`eval.max_docs_per_category` of each category by doc_id.
"""
from __future__ import annotations

import math
from collections import defaultdict

from conf.schema import PipelineConfig
from tables.delta_rs import read_arrow
from trainer.eval.scoring import token_nll
from trainer.eval.tokenizer import EvalTokenizer


def heldout_docs(cfg: PipelineConfig) -> list[dict]:
    """The eval_docs rows to score, by (category, doc_id), capped per category."""
    rows = sorted(read_arrow(cfg, "eval_docs", columns=["doc_id", "lang", "category", "text", "text_bytes"])
                  .to_pylist(), key=lambda r: (r["category"], r["doc_id"]))
    cap, seen, out = cfg.eval.max_docs_per_category, defaultdict(int), []
    for r in rows:
        if cap is None or seen[r["category"]] < cap:
            seen[r["category"]] += 1
            out.append(r)
    return out


def score(model, tok: EvalTokenizer, docs: list[dict], seq_len: int, device: str) -> list[dict]:
    """Metric rows (task, metric, value, n) per category and per category/lang."""
    sums = defaultdict(lambda: [0.0, 0, 0, 0])  # task -> [nll nats, tokens, bytes, docs]
    for d in docs:
        ids = tok.encode(d["text"]) + [tok.eos_id]
        nll = token_nll(model, ids, seq_len, device)
        for task in (d["category"], f"{d['category']}/{d['lang']}"):
            acc = sums[task]
            acc[0] += float(nll.sum())
            acc[1] += len(nll)
            acc[2] += int(d["text_bytes"])
            acc[3] += 1
    rows = []
    for task, (nats, tokens, nbytes, n) in sorted(sums.items()):
        rows.append({"task": task, "metric": "perplexity", "value": math.exp(nats / tokens), "n": n})
        rows.append({"task": task, "metric": "bits_per_byte", "value": nats / (math.log(2) * max(nbytes, 1)), "n": n})
    return rows
