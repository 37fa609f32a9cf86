"""Train the byte-level BPE tokenizer on a sample of `curated_docs`.

Reads   `curated_docs` (doc_id, text, lang, category).
Writes  `<tokenizer dir>/<version>/tokenizer.json` + `metadata.json` and `<tokenizer dir>/LATEST`
        (spark_jobs/tokenizer_store.py); prints a compression report (characters and UTF-8
        bytes per token, per language and category) measured on held-out documents.
Run     flywheel train_tokenizer --set tokenizer.vocab_size=32768 --set tokenizer.sample_docs=100000
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.1 spark_jobs/train_tokenizer.py

Sample: per category, documents ranked by xxhash64(seed, doc_id) (so the sample does not
depend on partitioning); the first `report_docs_per_category` (at most `max_report_fraction`
of the category) are held out for the report, the next `quota[category]` train. Quotas follow `tokenizer.sample_shares`,
or each category's share of curated_docs when that is empty. Training streams the sample
to the driver (`toLocalIterator`), where `tokenizers` trains in Rust.
"""
from __future__ import annotations

import argparse
import sys
import time

from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import PipelineConfig
from spark_jobs.tokenizer_store import save_tokenizer
from udfs.tokenize_batch import compression_stats
from udfs.tokenizer_train import TokenizerSpec, train_bpe


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel train_tokenizer", description=__doc__.split("\n")[0])
    return add_common_args(parser).parse_args(argv)


def mask_tokens(cfg: PipelineConfig) -> list[str]:
    """The PII mask tokens the annotate stage writes into texts (`pii.mask_tokens`)."""
    from udfs.pii import reserved_tokens

    return reserved_tokens(cfg.pii)


def tokenizer_spec(cfg: PipelineConfig) -> TokenizerSpec:
    """The TokenizerSpec of `cfg`: EOS, BOS, PAD, then the PII mask tokens as special tokens."""
    tc = cfg.tokenizer
    return TokenizerSpec(
        vocab_size=tc.vocab_size, min_frequency=tc.min_frequency,
        special_tokens=[tc.eos_token, tc.bos_token, tc.pad_token] + mask_tokens(cfg),
        domain_tokens=list(tc.domain_tokens), n_reserved=tc.n_reserved, vocab_multiple=tc.vocab_multiple,
        dirty_token_patterns=list(tc.dirty_token_patterns),
    )


def category_quotas(counts: dict[str, int], cfg: PipelineConfig) -> dict[str, int]:
    """Training documents per category: `sample_shares` (or the natural shares) × `sample_docs`."""
    from udfs.sampling import split_budget
    import numpy as np

    shares = cfg.tokenizer.sample_shares or {c: float(n) for c, n in counts.items()}
    unknown = sorted(set(shares) - set(counts))
    if unknown:
        print(f"train_tokenizer: tokenizer.sample_shares names categories with no documents: {unknown}",
              file=sys.stderr)
    names = sorted(shares)
    budget = split_budget(np.array([shares[c] for c in names]), cfg.tokenizer.sample_docs)
    return {c: int(min(b, counts.get(c, 0))) for c, b in zip(names, budget)}


def held_out_sizes(counts: dict[str, int], cfg: PipelineConfig) -> dict[str, int]:
    """Report documents per category: `report_docs_per_category`, at most `max_report_fraction` of it."""
    tc = cfg.tokenizer
    return {c: min(tc.report_docs_per_category, int(n * tc.max_report_fraction)) for c, n in counts.items()}


def transform(curated, cfg: PipelineConfig, quotas: dict[str, int], held_out: dict[str, int]):
    """curated_docs → (doc_id, text, lang, category, split) with split = train | report."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    tc = cfg.tokenizer

    def lookup(sizes: dict[str, int]):
        if not sizes:
            return F.lit(0)
        table = F.create_map(*[x for c, n in sorted(sizes.items()) for x in (F.lit(c), F.lit(n))])
        return F.coalesce(table[F.col("category")], F.lit(0))

    rank = F.row_number().over(Window.partitionBy("category")
                               .orderBy(F.xxhash64(F.lit(tc.seed), "doc_id"), "doc_id"))
    text = F.col("text") if tc.max_sample_chars is None else F.substring("text", 1, tc.max_sample_chars)
    report = lookup(held_out)
    return (curated.select("doc_id", "lang", "category", text.alias("text"))
            .withColumn("_rank", rank)
            .where(F.col("_rank") <= report + lookup(quotas))
            .withColumn("split", F.when(F.col("_rank") <= report, "report").otherwise("train"))
            .drop("_rank"))


def compression_report(rows: list[dict], tokenizer) -> list[dict]:
    """Per (lang, category): docs, chars/token and bytes/token over `rows` (EOS not counted)."""
    import numpy as np

    if not rows:
        return []
    tokens, chars, n_bytes = compression_stats([r["text"] for r in rows], tokenizer)
    keys = [(r["lang"], r["category"]) for r in rows]
    report = []
    for key in sorted(set(keys)):
        sel = np.array([k == key for k in keys])
        t = max(int(tokens[sel].sum()), 1)
        report.append({"lang": key[0], "category": key[1], "docs": int(sel.sum()), "tokens": int(tokens[sel].sum()),
                       "chars_per_token": round(float(chars[sel].sum()) / t, 3),
                       "bytes_per_token": round(float(n_bytes[sel].sum()) / t, 3)})
    return report


def run(spark, cfg: PipelineConfig) -> dict:
    """Sample curated_docs, train, save; returns the metadata written beside tokenizer.json."""
    from pyspark.sql import functions as F

    from tables.spark_tables import read_table

    spec = tokenizer_spec(cfg)
    started = time.time()
    curated = read_table(spark, cfg, "curated_docs")
    counts = {r["category"]: r["count"] for r in curated.groupBy("category").count().collect()}
    quotas = category_quotas(counts, cfg)
    if not any(quotas.values()):
        raise ValueError("train_tokenizer: no documents to train on (curated_docs is empty or "
                         "tokenizer.sample_shares names no category it has)")
    sample = transform(curated, cfg, quotas, held_out_sizes(counts, cfg)).cache()
    train = sample.where(F.col("split") == "train").orderBy("doc_id")
    per_category = {r["category"]: r["count"] for r in train.groupBy("category").count().collect()}
    tokenizer = train_bpe((r["text"] for r in train.select("text").toLocalIterator()), spec)
    report = compression_report([r.asDict() for r in sample.where(F.col("split") == "report").collect()], tokenizer)
    sample.unpersist()
    tc = cfg.tokenizer
    metadata = {
        "vocab_size": tokenizer.get_vocab_size(with_added_tokens=True),
        "eos_id": tokenizer.token_to_id(tc.eos_token), "bos_id": tokenizer.token_to_id(tc.bos_token),
        "pad_id": tokenizer.token_to_id(tc.pad_token),
        "mask_token_ids": {t: tokenizer.token_to_id(t) for t in mask_tokens(cfg)},
        "domain_tokens": list(tc.domain_tokens), "n_reserved": tc.n_reserved,
        "sample": {"docs": sum(per_category.values()), "per_category": per_category, "seed": tc.seed,
                   "max_sample_chars": tc.max_sample_chars},
        "compression": report,
    }
    metadata["version"] = save_tokenizer(cfg, tokenizer.to_str(), metadata)
    metadata["seconds"] = round(time.time() - started, 1)
    return metadata


def print_summary(meta: dict) -> None:
    """Version, vocab and the compression report, one line per (lang, category)."""
    print(f"train_tokenizer: version {meta['version']}, vocab {meta['vocab_size']}, trained on "
          f"{meta['sample']['docs']} docs in {meta['seconds']}s")
    print(f"{'lang':<8}{'category':<16}{'docs':>8}{'chars/tok':>11}{'bytes/tok':>11}")
    for r in meta["compression"]:
        print(f"{r['lang']:<8}{r['category']:<16}{r['docs']:>8}{r['chars_per_token']:>11}{r['bytes_per_token']:>11}")


def main(argv: list[str] | None = None) -> int:
    from spark_jobs.session import get_spark

    cfg = config_from_args(parse_args(argv))
    print_summary(run(get_spark(cfg, "train_tokenizer"), cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
