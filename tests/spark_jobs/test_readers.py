"""Format readers, without a JVM: every record read once, every bad one named."""
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from conf import load_config
from spark_jobs.ingest_tasks import detect_format, plan_tasks
from spark_jobs.readers.base import Bad, Doc, ReaderOptions
from spark_jobs.readers.jsonl import read_jsonl
from spark_jobs.readers.parquet import read_parquet
from spark_jobs.readers.textdir import read_text_file


def opts(*overrides):
    return ReaderOptions(load_config(overrides=list(overrides)).ingest)


def write_lines(path, lines: list[bytes]):
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return str(path)


def test_read_jsonl_each_bad_class_named(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "fine text", "url": "http://x", "lang": "en"}).encode(),
        b"{not json",
        b'{"id": "b", "text": "bad \xff byte"}',
        json.dumps({"id": "c"}).encode(),
        json.dumps({"id": "d", "text": 42}).encode(),
        b'{"id": "e", "text": "lone \\ud800 surrogate"}',
        b"[1, 2]",
        b"",
    ]
    items = list(read_jsonl(write_lines(tmp_path / "x.jsonl", lines), opts()))
    assert isinstance(items[0], Doc) and items[0].text == "fine text" and items[0].metadata == {"lang": "en"}
    assert items[0].url == "http://x" and items[0].source_id == "a" and items[0].line == 1
    reasons = [(i.line, i.reason) for i in items[1:]]
    assert reasons == [(2, "malformed_json"), (3, "invalid_utf8"), (4, "missing_text"), (5, "bad_text_type"),
                       (6, "invalid_utf8"), (7, "malformed_json")]
    assert items[3].record_id == "c"


def test_read_jsonl_compressed_same_as_plain(tmp_path):
    lines = [json.dumps({"id": i, "text": f"doc {i}"}).encode() for i in range(50)]
    plain = write_lines(tmp_path / "p.jsonl", lines)
    data = (tmp_path / "p.jsonl").read_bytes()
    (tmp_path / "p.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp_path / "p.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    expect = [(d.source_id, d.text, d.offset) for d in read_jsonl(plain, opts())]
    for name in ("p.jsonl.gz", "p.jsonl.zst"):
        got = [(d.source_id, d.text, d.offset) for d in read_jsonl(str(tmp_path / name), opts())]
        assert got == expect


def test_read_jsonl_oversize_line_quarantined_and_next_line_read(tmp_path):
    lines = [json.dumps({"id": 1, "text": "x" * 500}).encode(), json.dumps({"id": 2, "text": "ok"}).encode()]
    items = list(read_jsonl(write_lines(tmp_path / "big.jsonl", lines), opts("ingest.max_line_bytes=100")))
    assert isinstance(items[0], Bad) and items[0].reason == "oversize_line" and len(items[0].raw) <= 512
    assert isinstance(items[1], Doc) and items[1].text == "ok" and items[1].offset == len(lines[0]) + 1


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=40),
       split=st.integers(min_value=1, max_value=200))
def test_read_jsonl_byte_ranges_cover_every_line_once(tmp_path_factory, texts, split):
    path = tmp_path_factory.mktemp("ranges") / "r.jsonl"
    write_lines(path, [json.dumps({"id": i, "text": t}).encode() for i, t in enumerate(texts)])
    size = path.stat().st_size
    whole = [(i.offset, getattr(i, "text", None)) for i in read_jsonl(str(path), opts())]
    parts = []
    for start in range(0, size, split):
        parts += [(i.offset, getattr(i, "text", None)) for i in read_jsonl(str(path), opts(), start, start + split)]
    assert parts == whole


def test_read_parquet_rows_and_missing_text(tmp_path):
    table = pa.table({"id": [1, 2, 3], "text": ["a doc", None, "third"], "year": [2020, 2021, 2022]})
    pq.write_table(table, tmp_path / "t.parquet")
    items = list(read_parquet(str(tmp_path / "t.parquet"), opts()))
    assert [type(i).__name__ for i in items] == ["Doc", "Bad", "Doc"]
    assert items[1].reason == "missing_text" and items[1].line == 2
    assert items[2].metadata == {"year": 2022} and items[2].source_id == "3"


def test_read_text_file_invalid_utf8_and_oversize(tmp_path):
    (tmp_path / "good.txt").write_text("hello\nworld\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9")
    (tmp_path / "big.txt").write_text("y" * 2000)
    o = opts("ingest.max_doc_bytes=1000")
    (good,) = read_text_file(str(tmp_path / "good.txt"), o, root=str(tmp_path))
    assert good.text == "hello\nworld\n" and good.source_id == "good.txt"
    (bad,) = read_text_file(str(tmp_path / "bad.txt"), o, root=str(tmp_path))
    assert bad.reason == "invalid_utf8"
    (big,) = read_text_file(str(tmp_path / "big.txt"), o, root=str(tmp_path))
    assert big.reason == "oversize"


def test_detect_format_by_suffix():
    exts = [".txt", ".md"]
    assert detect_format("a/b.jsonl.zst", exts) == "jsonl"
    assert detect_format("a/b.JSON.gz", exts) == "jsonl"
    assert detect_format("b.parquet", exts) == "parquet"
    assert detect_format("notes.md", exts) == "text"
    assert detect_format("image.png", exts) is None


def test_plan_tasks_splits_big_plain_files_only(tmp_path):
    (tmp_path / "big.jsonl").write_bytes(b"x" * 2500)
    (tmp_path / "big.jsonl.gz").write_bytes(gzip.compress(b"x" * 2500))
    (tmp_path / "img.png").write_bytes(b"\x89PNG")
    cfg = load_config(overrides=["ingest.split_bytes=1000"]).ingest
    tasks, unknown = plan_tasks([str(tmp_path)], "auto", cfg)
    plain = [(t.start, t.end) for t in tasks if t.path.endswith("big.jsonl")]
    assert plain == [(0, 1000), (1000, 2000), (2000, 2500)]
    assert [(t.start, t.end) for t in tasks if t.path.endswith(".gz")] == [(0, None)]
    assert [u.rsplit("/", 1)[1] for u in unknown] == ["img.png"]
    assert {t.source for t in tasks} == {tmp_path.name}
