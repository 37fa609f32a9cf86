"""What a reader yields: a document, or a bad record bound for quarantine.

Readers are plain Python over one file (or one byte range of it); they run inside Spark
tasks but import nothing of Spark, so they are tested without a JVM. They only parse:
ingest itself checks empty and oversize text and computes `doc_id`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from conf.schema import IngestConfig


@dataclass(frozen=True)
class Doc:
    text: str
    source_id: str | None
    url: str | None
    metadata: dict
    line: int | None
    """1-based line/row number when known (not inside a split byte range)."""
    offset: int
    """Byte offset of the record in the uncompressed file (row index for Parquet)."""
    source: str | None = None
    """Source named by the record itself; ingest falls back to `--source`."""


@dataclass(frozen=True)
class Bad:
    reason: str
    """`<family>_<condition>`: malformed_json, invalid_utf8, missing_text, ..."""
    error: str
    line: int | None
    offset: int | None
    record_id: str | None
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class ReaderOptions:
    ingest: IngestConfig

    @property
    def fields(self):
        return self.ingest.fields


def pick_metadata(record: dict, opts: ReaderOptions) -> dict:
    """The record's fields that go into the `metadata` JSON column."""
    f = opts.fields
    used = {f.id, f.text, f.url, f.source}
    if f.metadata == ["*"]:
        return {k: v for k, v in record.items() if k not in used}
    return {k: record[k] for k in f.metadata if k in record}


def record_to_doc(record: object, opts: ReaderOptions, line: int | None, offset: int, raw: bytes) -> Doc | Bad:
    """Map one parsed record (a dict from JSON or a Parquet row) to a Doc, or say why not."""
    f = opts.fields
    if not isinstance(record, dict):
        return Bad("malformed_json", f"expected a JSON object, got {type(record).__name__}", line, offset, None, raw)
    source_id = record.get(f.id) if f.id else None
    source_id = None if source_id is None else str(source_id)
    if f.text not in record or record[f.text] is None:
        return Bad("missing_text", f"no {f.text!r} field", line, offset, source_id, raw)
    text = record[f.text]
    if not isinstance(text, str):
        return Bad("bad_text_type", f"{f.text!r} is {type(text).__name__}, not a string", line, offset, source_id, raw)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # JSON "\ud800" escapes decode to lone surrogates
        return Bad("invalid_utf8", f"text holds an unpaired surrogate at char {exc.start}", line, offset, source_id, raw)
    url = record.get(f.url) if f.url else None
    source = record.get(f.source) if f.source else None
    return Doc(
        text=text,
        source_id=source_id,
        url=None if url is None else str(url),
        metadata=pick_metadata(record, opts),
        line=line,
        offset=offset,
        source=None if source is None else str(source),
    )
