"""A small curated_docs corpus for the tokenizer, tokenize and mix tests.

Three groups (web/en, web/zh, code/en); about one English document in three carries real
PII (emails, phone numbers, IPs) that the annotate stage's masker (udfs.pii) replaces with
mask tokens before the text reaches curated_docs, as in the pipeline.
"""
from __future__ import annotations

import hashlib
import random
from types import SimpleNamespace

from udfs.pii import ENTITIES, pii_batch
from tables.spark_tables import spark_schema

MASKS = {"email": "|||EMAIL|||", "phone": "|||PHONE|||", "ip": "|||IP|||", "card": "|||CARD|||",
         "id": "|||ID|||", "iban": "|||IBAN|||"}
EN = ("the river runs past old mills and the town keeps its records of every flood since the first "
      "bridge was built people write letters to the council about the water level each spring").split()
ZH = "数据训练模型语言文本中文句子城市河流山脉历史记录人们每年春天写信给议会关于水位的问题"


def pii_strings(i: int) -> list[str]:
    """The PII injected into English document i (an email, a phone number, an IP)."""
    return [f"jane.doe{i}@example.org", f"+44 20 7946 {i:04d}", f"81.2.69.{100 + i % 100}"]


def raw_docs(n_per_group: int = 20, seed: int = 0) -> list[dict]:
    """Unmasked documents: dicts with doc_id, source, text, lang, category."""
    rng = random.Random(seed)
    docs = []
    for i in range(n_per_group):
        words = " ".join(rng.choice(EN) for _ in range(rng.randint(15, 60)))
        pii = f" Contact {pii_strings(i)[0]} or call {pii_strings(i)[1]} from {pii_strings(i)[2]}." if i % 3 == 0 else ""
        docs.append(dict(text=f"In {rng.randint(1800, 2020)} {words}.{pii}", lang="en", category="web"))
        docs.append(dict(text="".join(rng.choice(ZH) for _ in range(rng.randint(20, 80))) + "。", lang="zh",
                         category="web"))
        body = "\n".join(f"    total += values[{k}] * {rng.randint(0, 99)}" for k in range(rng.randint(2, 8)))
        docs.append(dict(text=f"def score_{i}(values):\n    total = 0\n{body}\n    return total\n", lang="en",
                         category="code"))
    for d in docs:
        d["doc_id"] = hashlib.sha256(d["text"].encode()).hexdigest()[:32]
        d["source"] = "test"
    return docs


def curated_rows(n_per_group: int = 20, seed: int = 0) -> list[dict]:
    """raw_docs with PII masked (udfs.pii), shaped like curated_docs rows."""
    docs = raw_docs(n_per_group, seed)
    settings = SimpleNamespace(entities=list(ENTITIES), mask_tokens=MASKS, max_pii_per_1k_chars=None,
                               max_pii_total=None)
    masked = pii_batch([d["text"] for d in docs], settings)["text_masked"]
    return [dict(doc_id=d["doc_id"], source=d["source"], url=None, text=m, lang=d["lang"],
                 category=d["category"], quality_score=0.9, n_words=len(m.split()))
            for d, m in zip(docs, masked)]


def write_curated(spark, cfg, rows: list[dict]) -> None:
    """Write `rows` as the curated_docs table of `cfg`'s warehouse."""
    from tables.catalog import CURATED_DOCS
    from tables.merge import overwrite_partitions

    # Columns the dedup stage adds that these tests do not use get a neutral value of their type.
    neutral = {"string": "", "int": 0, "bigint": 0, "double": 0.0, "boolean": False}
    fill = {f.name: None if f.nullable else neutral[f.dataType.simpleString()]
            for f in spark_schema(CURATED_DOCS).fields}
    full = [{**fill, **r} for r in rows]
    overwrite_partitions(spark, cfg, "curated_docs", spark.createDataFrame(full, spark_schema(CURATED_DOCS)))


SMALL_TOKENIZER = ["tokenizer.vocab_size=640", "tokenizer.n_reserved=8", "tokenizer.sample_docs=1000",
                   "tokenizer.report_docs_per_category=5",
                   "tokenizer.max_report_fraction=0.25", "tokenizer.domain_tokens=['<think>']"]
_BUILT: dict[str, str] = {}


def job_args(warehouse: str, overrides: list[str]) -> list[str]:
    """argv for a job's main(): the warehouse and `--set` overrides."""
    return ["--warehouse", str(warehouse)] + [x for s in overrides for x in ("--set", s)]


def tokenized_warehouse(spark, dest) -> dict:
    """A copy at `dest` of a warehouse holding curated_docs, a trained tokenizer and tokenized_docs.

    The source is built once per test session (train_tokenizer twice, to check that it is
    idempotent, then tokenize_docs) and copied for every caller, so the Spark tests of the
    three jobs share one build. Returns what the build printed and the versions it made.
    """
    import contextlib
    import io
    import shutil
    import tempfile

    from spark_jobs import tokenize_docs, train_tokenizer
    from conf import load_config
    from spark_jobs.tokenizer_store import load_artifact

    if not _BUILT:
        src = tempfile.mkdtemp(prefix="flywheel-tokenized-") + "/warehouse"
        cfg = load_config(overrides=SMALL_TOKENIZER + [f"spark.warehouse={src}"])
        write_curated(spark, cfg, curated_rows(20))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            train_tokenizer.main(job_args(src, SMALL_TOKENIZER))
            first_version = load_artifact(cfg)[0]
            train_tokenizer.main(job_args(src, SMALL_TOKENIZER))
            tokenize_docs.main(job_args(src, SMALL_TOKENIZER))
        _BUILT.update(src=src, out=out.getvalue(), first_version=first_version)
    shutil.copytree(_BUILT["src"], dest)
    return dict(_BUILT)
