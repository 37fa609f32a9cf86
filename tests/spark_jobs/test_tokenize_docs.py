"""tokenize_docs on a real local Spark + Delta table, with a really trained tokenizer."""
import pyarrow as pa
import pytest
from tokenizers import Tokenizer

from spark_jobs import tokenize_docs
from conf import replace
from spark_jobs.tokenizer_store import load_artifact
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER, curated_rows, job_args, tokenized_warehouse

pytestmark = pytest.mark.spark


def test_main_writes_int32_ids_with_eos_and_version_idempotently(spark, cfg):
    tokenized_warehouse(spark, cfg.spark.warehouse)
    cfg = replace(cfg, SMALL_TOKENIZER)
    version, text, meta = load_artifact(cfg)
    tok = Tokenizer.from_str(text)
    rows = curated_rows(20)
    path = cfg.spark.warehouse + "/tokenized_docs"
    first = spark.read.format("delta").load(path).orderBy("doc_id").collect()
    by_id = {r["doc_id"]: r for r in first}
    assert len(first) == len(rows)
    for row in rows:
        got = by_id[row["doc_id"]]
        assert list(got["tokens"]) == tok.encode(row["text"], add_special_tokens=False).ids + [meta["eos_id"]]
        assert got["n_tokens"] == len(got["tokens"])
        assert got["text_bytes"] == len(row["text"].encode("utf-8"))
        assert (got["tokenizer_version"], got["lang"], got["category"]) == (version, row["lang"], row["category"])

    tokenize_docs.main(job_args(cfg.spark.warehouse, SMALL_TOKENIZER))  # re-run: same rows, nothing appended
    assert spark.read.format("delta").load(path).orderBy("doc_id").collect() == first


def test_encode_partition_plain_json_gives_list_int32_schema():
    from udfs.tokenizer_train import TokenizerSpec, train_bpe

    tok = train_bpe(["some text here"] * 20, TokenizerSpec(
        vocab_size=300, min_frequency=2, special_tokens=["<eos>"], domain_tokens=[], n_reserved=0,
        vocab_multiple=128, dirty_token_patterns=[]))
    batch = pa.record_batch({"doc_id": ["a", "b"], "lang": ["en", "en"], "category": ["web", "web"],
                             "text": ["some text", None]})
    out = list(tokenize_docs.encode_partition(iter([batch]), "v-test-plain", tok.to_str(), 0, None))
    assert out[0].schema == tokenize_docs.OUT_SCHEMA
    assert out[0].column("tokens").to_pylist()[1] == [0]
    assert out[0].column("n_tokens").to_pylist() == [len(tok.encode("some text").ids) + 1, 1]
    assert out[0].column("text_bytes").to_pylist() == [9, 0]
