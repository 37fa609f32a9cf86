"""Per-format readers used by the ingest job; format name -> reader function.

A reader takes `(path, opts, start, end)` (plus `root=` for text files) and yields
`Doc` or `Bad` (see `base.py`). Register a new format here and in `FORMAT_SUFFIXES`.
"""
from __future__ import annotations

from spark_jobs.readers.jsonl import read_jsonl
from spark_jobs.readers.parquet import read_parquet
from spark_jobs.readers.textdir import read_text_file
from spark_jobs.readers.warc import read_warc

READERS = {
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "text": read_text_file,
    "warc": read_warc,  # .warc.gz: HTML responses -> main text
    "wet": read_warc,  # .warc.wet.gz: Common Crawl text conversions
}

# Suffixes that decide a file's format under `--format auto` (checked longest first).
FORMAT_SUFFIXES = {
    ".jsonl": "jsonl", ".jsonl.gz": "jsonl", ".jsonl.zst": "jsonl",
    ".json": "jsonl", ".json.gz": "jsonl", ".json.zst": "jsonl",
    ".ndjson": "jsonl", ".ndjson.gz": "jsonl", ".ndjson.zst": "jsonl",
    ".parquet": "parquet",
}

# Formats whose plain files may be read as several byte ranges.
SPLITTABLE = {"jsonl"}
