"""Parquet reader: one task per file, rows streamed in batches (constant memory)."""
from __future__ import annotations

import json
from typing import Iterator

import pyarrow.parquet as pq

from spark_jobs.readers.base import Bad, Doc, ReaderOptions, record_to_doc

BATCH_ROWS = 1024


def read_parquet(path: str, opts: ReaderOptions, start: int = 0, end: int | None = None) -> Iterator[Doc | Bad]:
    """Yield a Doc or Bad per row; `source_line` is the 1-based row number, offset the row index."""
    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
        try:
            records = batch.to_pylist()
        except (UnicodeDecodeError, ValueError):
            records = None  # a string column holds invalid UTF-8: fall back to row by row
        for i in range(batch.num_rows):
            yield _row(batch, records, i, opts, row + i)
        row += batch.num_rows


def _row(batch, records, i: int, opts: ReaderOptions, index: int) -> Doc | Bad:
    if records is not None:
        record = records[i]
    else:
        try:
            record = batch.slice(i, 1).to_pylist()[0]
        except (UnicodeDecodeError, ValueError) as exc:
            raw = repr(batch.slice(i, 1).to_pydict())[:4096].encode("utf-8", "backslashreplace")
            return Bad("invalid_utf8", f"row {index}: {exc}", index + 1, index, None, raw)
    raw = json.dumps(record, default=str, ensure_ascii=False)[:4096].encode("utf-8", "backslashreplace")
    doc = record_to_doc(record, opts, index + 1, index, raw)
    if isinstance(doc, Doc):
        # Parquet values may be dates, bytes, decimals: keep metadata JSON-serialisable.
        doc = Doc(doc.text, doc.source_id, doc.url, json.loads(json.dumps(doc.metadata, default=str)),
                  doc.line, doc.offset, doc.source)
    return doc
