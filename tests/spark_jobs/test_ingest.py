"""Ingest on real local Spark + Delta: formats, idempotence, quarantine, time travel."""
import gzip
import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from conf import replace
from spark_jobs.ingest import run
from tables.catalog import table_path
from tables.spark_tables import read_table

pytestmark = pytest.mark.spark


def expected_id(source: str, source_id: str) -> str:
    return hashlib.blake2b(f"id\x1f{source}\x1f{source_id}".encode(), digest_size=16).hexdigest()


def jsonl(records) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


@pytest.fixture
def corpus(tmp_path):
    """One input folder holding every format flywheel reads."""
    root = tmp_path / "in"
    root.mkdir()
    (root / "plain.jsonl").write_bytes(jsonl([{"id": f"p{i}", "text": f"plain doc {i}"} for i in range(5)]))
    (root / "gz.jsonl.gz").write_bytes(gzip.compress(jsonl([{"id": "g1", "text": "gzip doc", "url": "http://g"}])))
    (root / "zst.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(
        jsonl([{"id": "z1", "text": "zstd doc 文字", "source": "other"}])))
    pq.write_table(pa.table({"id": ["q1", "q2"], "text": ["parquet one", "parquet two"]}), root / "t.parquet")
    (root / "docs").mkdir()
    (root / "docs" / "readme.md").write_text("# A markdown file\n\nwith text.\n")
    return root


def test_ingest_every_format_lands_in_raw_docs(spark, cfg, corpus):
    summary = run(spark, cfg, [str(corpus)], source="src")
    rows = {r.source_id: r for r in read_table(spark, cfg, "raw_docs").collect()}
    assert set(rows) == {"p0", "p1", "p2", "p3", "p4", "g1", "z1", "q1", "q2", "docs/readme.md"}
    assert rows["z1"].text == "zstd doc 文字" and rows["z1"].source == "other"
    assert rows["z1"].doc_id == expected_id("other", "z1")
    assert rows["p3"].doc_id == expected_id("src", "p3") and rows["p3"].source_line == 4
    assert rows["g1"].url == "http://g" and rows["g1"].format == "jsonl"
    assert rows["q2"].format == "parquet" and rows["docs/readme.md"].format == "text"
    assert rows["z1"].text_bytes == len("zstd doc 文字".encode())
    assert summary["docs_added"] == 10 and summary["quarantine_added"] == 0


def test_reingest_same_input_adds_nothing(spark, cfg, corpus):
    run(spark, cfg, [str(corpus)])
    before = [read_table(spark, cfg, t).count() for t in ("raw_docs", "quarantine")]
    summary = run(spark, cfg, [str(corpus)])
    after = [read_table(spark, cfg, t).count() for t in ("raw_docs", "quarantine")]
    assert after == before and summary["docs_added"] == 0 and summary["quarantine_added"] == 0


def test_bad_input_each_class_quarantined_with_reason(spark, cfg, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    lines = [
        b'{"id": "ok", "text": "a good document"}',
        b'{"id": "broken", "text": "no closing brace"',
        b'{"id": "utf", "text": "caf\xe9"}',
        b'{"id": "empty", "text": ""}',
        b'{"id": "blank", "text": "   \\n\\t "}',
        b'{"id": "notext", "body": "wrong field"}',
        json.dumps({"id": "huge", "text": "w" * 3000}).encode(),
        json.dumps({"id": "ok", "text": "same id again"}).encode(),
    ]
    (bad / "mixed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (bad / "trunc.jsonl.gz").write_bytes(gzip.compress(jsonl([{"id": i, "text": "t"} for i in range(100)]))[:60])
    (bad / "picture.png").write_bytes(b"\x89PNG\r\n")
    small = replace(cfg, ["ingest.max_doc_bytes=1000"])
    run(spark, small, [str(bad)])
    q = {(r.source_file.rsplit("/", 1)[1], r.source_line, r.reason) for r in read_table(spark, small, "quarantine").collect()}
    expected = {("mixed.jsonl", 2, "malformed_json"), ("mixed.jsonl", 3, "invalid_utf8"),
                ("mixed.jsonl", 4, "empty_text"), ("mixed.jsonl", 5, "empty_text"),
                ("mixed.jsonl", 6, "missing_text"), ("mixed.jsonl", 7, "oversize"),
                ("mixed.jsonl", 8, "duplicate_doc_id"), ("picture.png", None, "unknown_format")}
    assert expected <= q
    assert any(name == "trunc.jsonl.gz" and reason == "unreadable_file" for name, _, reason in q)
    docs = read_table(spark, small, "raw_docs").collect()
    assert {d.source_id for d in docs} - {str(i) for i in range(100)} == {"ok"}
    assert [d.text for d in docs if d.source_id == "ok"] == ["a good document"]
    utf = [r for r in read_table(spark, small, "quarantine").collect() if r.reason == "invalid_utf8"][0]
    assert "\\xe9" in utf.raw_prefix and utf.source_offset == len(lines[0]) + len(lines[1]) + 2


def test_ingest_one_delta_version_per_run_time_travel(spark, cfg, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(jsonl([{"id": "a", "text": "first batch"}]))
    second.write_bytes(jsonl([{"id": "b", "text": "second batch"}]))
    run(spark, cfg, [str(first)], source="s")
    run(spark, cfg, [str(second)], source="s")
    history = spark.sql(f"DESCRIBE HISTORY delta.`{table_path(cfg, 'raw_docs')}`").collect()
    # The first run appends to the empty table (WRITE), later runs MERGE.
    writes = sorted(h.version for h in history if h.operation in ("MERGE", "WRITE"))
    assert len(writes) == 2
    v1 = read_table(spark, cfg, "raw_docs", version=writes[0]).collect()
    assert [r.source_id for r in v1] == ["a"]
    assert sorted(r.source_id for r in read_table(spark, cfg, "raw_docs").collect()) == ["a", "b"]


def test_ingest_split_size_does_not_change_result(spark, cfg, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_bytes(jsonl([{"id": i, "text": f"document number {i} " * (i % 7 + 1)} for i in range(300)]))
    whole = replace(cfg, [f"spark.warehouse={tmp_path / 'w1'}"])
    split = replace(cfg, [f"spark.warehouse={tmp_path / 'w2'}", "ingest.split_bytes=700"])
    run(spark, whole, [str(path)])
    summary = run(spark, split, [str(path)])
    assert summary["tasks"] > 10
    cols = ["doc_id", "text", "source_offset", "text_bytes"]
    a = sorted(tuple(r) for r in read_table(spark, whole, "raw_docs").select(cols).collect())
    b = sorted(tuple(r) for r in read_table(spark, split, "raw_docs").select(cols).collect())
    assert a == b and len(a) == 300
