"""JSON Lines reader: plain, gzip (.gz) or zstandard (.zst), whole file or one byte range.

Plain files are split into byte ranges so one big file keeps every core busy; a line
belongs to the range its first byte falls in (the Hadoop LineRecordReader rule), so ranges
neither lose nor repeat lines. Compressed files are read whole by one task.
"""
from __future__ import annotations

import gzip
import io
import json
from typing import BinaryIO, Iterator

import zstandard

from spark_jobs.readers.base import Bad, Doc, ReaderOptions, record_to_doc

COMPRESSED = (".gz", ".zst")


def open_binary(path: str) -> BinaryIO:
    """Open `path` for reading bytes, decompressing .gz and .zst transparently."""
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith(".zst"):
        raw = open(path, "rb")
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return open(path, "rb")


def read_jsonl(path: str, opts: ReaderOptions, start: int = 0, end: int | None = None) -> Iterator[Doc | Bad]:
    """Yield a Doc or Bad per non-blank line of `path` whose first byte lies in [start, end)."""
    limit = opts.ingest.max_line_bytes
    with open_binary(path) as fh:
        pos, line_no = start, 0
        if start > 0:
            fh.seek(start - 1)
            pos = start - 1 + len(fh.readline())  # finish the line the previous range owns
        while end is None or pos < end:
            line = fh.readline(limit + 1)
            if not line:
                break
            line_start = pos
            pos += len(line)
            line_no += 1
            lineno = line_no if start == 0 else None
            if len(line) > limit and not line.endswith(b"\n"):
                skipped = _skip_rest_of_line(fh)
                pos += skipped
                yield Bad("oversize_line", f"line longer than ingest.max_line_bytes={limit}", lineno,
                          line_start, None, line[: opts.ingest.raw_prefix_bytes])
                continue
            body = line.rstrip(b"\r\n")
            if not body.strip():
                continue  # blank separator line: holds no record
            yield parse_line(body, opts, lineno, line_start)


def _skip_rest_of_line(fh: BinaryIO, block: int = 1 << 20) -> int:
    skipped = 0
    while True:
        part = fh.readline(block)
        skipped += len(part)
        if not part or part.endswith(b"\n"):
            return skipped


def parse_line(body: bytes, opts: ReaderOptions, line: int | None, offset: int) -> Doc | Bad:
    """Decode one JSONL line strictly (UTF-8, JSON object) and map its fields."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Bad("invalid_utf8", f"byte {exc.start}: {exc.reason}", line, offset, None, body)
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return Bad("malformed_json", f"{exc.msg} at char {exc.pos}", line, offset, None, body)
    return record_to_doc(record, opts, line, offset, body)
