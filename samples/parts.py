"""The document files of the base sample corpus: their names and how each one is compressed.

`corpus` writes them and `scale` reads them back; both import this module (rather than each
other), so the package has no import cycle.
"""
from __future__ import annotations

import gzip
import io
from pathlib import Path

import zstandard

# One plain, one gzip and one zstd part, so ingest's decompression is exercised by every run.
DOC_PARTS = ("part-00000.jsonl", "part-00001.jsonl.gz", "part-00002.jsonl.zst")


def compress(name: str, data: bytes) -> bytes:
    """`data` compressed as the suffix of `name` says (.gz, .zst, or left as it is)."""
    if name.endswith(".gz"):
        return gzip.compress(data, compresslevel=6, mtime=0)  # mtime=0: no timestamp in the header
    if name.endswith(".zst"):
        return zstandard.ZstdCompressor(level=3).compress(data)
    return data


def read_text(path: Path) -> str:
    """The UTF-8 text of a part written by `compress`, decompressed by its suffix."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    return data.decode("utf-8")
