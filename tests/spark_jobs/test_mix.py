"""mix on real local Spark + Delta tables; blocks and chunks read back with delta-rs (no JVM)."""
import json
import re

import pyarrow as pa
import pytest
from deltalake import DeltaTable
from tokenizers import Tokenizer

from spark_jobs import mix
from conf import load_config, replace
from spark_jobs.tokenizer_store import load_artifact
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER, curated_rows, job_args, pii_strings, tokenized_warehouse
from tables.delta_rs import read_arrow
from tables.spark_tables import spark_schema

SEQ_LEN = 63  # blocks of 64 tokens
MIX = SMALL_TOKENIZER + [f"mix.seq_len={SEQ_LEN}", "mix.chunk_tokens=1280", "mix.seed=11",
                         "mix.target_shares={zh: 4, en: 4, code: 2}"]
TARGET = {"zh": 0.4, "en": 0.4, "code": 0.2}


def group_of(row):
    return "code" if row["category"] == "code" else row["lang"]


def read(cfg, name):
    """Table `name` through delta-rs, as a list of dicts."""
    return read_arrow(cfg, name).to_pylist()


@pytest.fixture(scope="module")
def mixed(spark, tmp_path_factory):
    """Two chunks mixed from the shared tokenized corpus; (cfg, printed output)."""
    warehouse = str(tmp_path_factory.mktemp("mix") / "warehouse")
    tokenized_warehouse(spark, warehouse)
    cfg = load_config(overrides=MIX + [f"spark.warehouse={warehouse}"])
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert mix.main(job_args(warehouse, MIX) + ["--chunks", "2"]) == 0
    return cfg, out.getvalue()


def blocks_of(cfg, chunk_id):
    rows = [r for r in read(cfg, "blocks") if r["chunk_id"] == chunk_id]
    return sorted(rows, key=lambda r: r["block_id"])


@pytest.mark.spark
def test_mix_each_chunk_holds_exactly_the_configured_tokens(mixed):
    cfg, _ = mixed
    chunks = sorted(read(cfg, "chunks"), key=lambda r: r["chunk_id"])
    assert [(c["chunk_id"], c["tokens"], c["blocks"], c["status"], c["seq_len"]) for c in chunks] == [
        (0, 1280, 20, "ready", SEQ_LEN), (1, 1280, 20, "ready", SEQ_LEN)]
    for k in (0, 1):
        blocks = blocks_of(cfg, k)
        assert [b["block_id"] for b in blocks] == list(range(20))
        assert all(len(b["tokens"]) == SEQ_LEN + 1 for b in blocks)
        assert all(sum(b["doc_lengths"]) == SEQ_LEN + 1 for b in blocks)


@pytest.mark.spark
def test_mix_achieved_shares_within_one_percent_of_target(mixed):
    cfg, _ = mixed
    group = {r["doc_id"]: group_of(r) for r in curated_rows(20)}
    for k in (0, 1):
        tokens = dict.fromkeys(TARGET, 0)
        for b in blocks_of(cfg, k):
            for d, n in zip(b["doc_ids"], b["doc_lengths"]):
                tokens[group[d]] += n
        for g, share in TARGET.items():
            assert abs(tokens[g] / 1280 - share) <= 0.01
    row = [c for c in read(cfg, "chunks") if c["chunk_id"] == 0][0]
    assert json.loads(row["target_shares"]) == TARGET
    assert json.loads(row["shortfall"]) == {"zh": 0, "en": 0, "code": 0}


@pytest.mark.spark
def test_mix_usage_counts_equal_doc_occurrences_in_blocks(mixed):
    cfg, _ = mixed
    starts, tokens = {}, {}
    for b in read(cfg, "blocks"):
        for d, n, off in zip(b["doc_ids"], b["doc_lengths"], b["doc_offsets"]):
            starts[d] = starts.get(d, 0) + (off == 0)  # one occurrence = one span at the doc's start
            tokens[d] = tokens.get(d, 0) + n
    usage = {u["doc_id"]: u for u in read(cfg, "usage")}
    assert {d: u["times_used"] for d, u in usage.items()} == starts
    assert {d: u["tokens_used"] for d, u in usage.items()} == tokens


@pytest.mark.spark
def test_mix_spans_hold_the_documents_tokens(mixed):
    cfg, _ = mixed
    ids = {r["doc_id"]: r["tokens"] for r in read(cfg, "tokenized_docs")}
    for b in blocks_of(cfg, 0) + blocks_of(cfg, 1):
        for d, s, n, off in zip(b["doc_ids"], b["doc_starts"], b["doc_lengths"], b["doc_offsets"]):
            assert b["tokens"][s:s + n] == ids[d][off:off + n]


@pytest.mark.spark
def test_mix_no_injected_pii_string_in_decoded_blocks(mixed):
    cfg, _ = mixed
    tok = Tokenizer.from_str(load_artifact(cfg)[1])
    text = "\n".join(tok.decode(b["tokens"], skip_special_tokens=False) for b in read(cfg, "blocks"))
    injected = [s for i in range(20) for s in pii_strings(i)]
    assert [s for s in injected if s in text] == []
    assert "|||EMAIL|||" in text and "|||PHONE|||" in text
    assert not re.search(r"[\w.]+@example\.org", text)


@pytest.mark.spark
def test_mix_chunk_k_plus_1_drawn_from_usage_after_chunk_k(mixed):
    cfg, out = mixed
    chunks = sorted(read(cfg, "chunks"), key=lambda r: r["chunk_id"])
    history = DeltaTable(f"{cfg.spark.warehouse}/usage").history()
    merges = sorted(h["version"] for h in history if h["operation"] == "MERGE")
    assert chunks[1]["usage_version"] == merges[0]  # chunk 1 saw the table right after chunk 0's MERGE
    assert chunks[0]["usage_version"] < merges[0]
    assert "chunk 1" in out and "achieved" in out


@pytest.mark.spark
def test_mix_chunk_rows_inserted_by_spark_moved_to_ready_by_delta_rs(mixed):
    cfg, _ = mixed
    history = sorted(DeltaTable(f"{cfg.spark.warehouse}/chunks").history(), key=lambda h: h["version"])[:5]
    assert [h["operation"] for h in history] == ["CREATE TABLE", "MERGE", "UPDATE", "MERGE", "UPDATE"]
    assert all("delta-rs" in h.get("clientVersion", "") for h in history if h["operation"] == "UPDATE")


@pytest.mark.spark
def test_mix_rerun_and_fresh_run_same_seed_give_identical_blocks(spark, mixed, tmp_path):
    cfg, _ = mixed
    before_blocks, before_usage = blocks_of(cfg, 0), read(cfg, "usage")
    mix.main(job_args(cfg.spark.warehouse, MIX) + ["--chunk-id", "0"])
    assert blocks_of(cfg, 0) == before_blocks
    assert sorted(read(cfg, "usage"), key=str) == sorted(before_usage, key=str)

    fresh = str(tmp_path / "warehouse")
    tokenized_warehouse(spark, fresh)
    old = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "3")  # other partitioning, same result
    try:
        mix.main(job_args(fresh, MIX))
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", old)
    assert blocks_of(replace(cfg, [f"spark.warehouse={fresh}"]), 0) == before_blocks


@pytest.mark.spark
def test_build_chunk_frozen_chunk_refuses(spark, cfg):
    from tables.catalog import CHUNKS
    from tables.merge import merge_upsert

    row = dict(chunk_id=0, tokens=1, blocks=1, target_shares="{}", achieved_shares="{}", status="training",
               seed=1, tokenizer_version="v", checkpoint=None, seq_len=1, shortfall="{}", repetition="{}",
               usage_version=0)
    merge_upsert(spark, cfg, "chunks", spark.createDataFrame([row], spark_schema(CHUNKS)), ["chunk_id"])
    with pytest.raises(mix.ChunkFrozenError, match="chunk 0 is training"):
        mix.build_chunk(spark, cfg, 0, "v")


@pytest.mark.spark
def test_mix_excluded_docs_left_out_of_the_draw_and_counted(spark, mixed, tmp_path):
    import contextlib
    import io

    from tables.delta_rs import append

    cfg, _ = mixed
    drawn = list(dict.fromkeys(d for b in blocks_of(cfg, 0) for d in b["doc_ids"]))
    bad = drawn[:3]  # documents the same seed draws into chunk 0: leaving them out must show
    fresh = str(tmp_path / "warehouse")
    tokenized_warehouse(spark, fresh)
    fresh_cfg = replace(cfg, [f"spark.warehouse={fresh}"])
    rows = [dict(doc_id=d, chunk_id=0, block_id=b, reason="loss_spike", step=7, run_id="r1",
                 excluded_at="2026-01-01T00:00:00Z") for b, d in enumerate(bad + [bad[0], "not-a-document"])]
    append(fresh_cfg, "excluded_docs", pa.Table.from_pylist(rows))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert mix.main(job_args(fresh, MIX)) == 0
    assert "left out 3 documents listed in excluded_docs" in out.getvalue()
    blocks = blocks_of(fresh_cfg, 0)
    assert [b["block_id"] for b in blocks] == list(range(20))
    assert set(bad) & {d for b in blocks for d in b["doc_ids"]} == set()
    assert set(bad) & {u["doc_id"] for u in read(fresh_cfg, "usage")} == set()
