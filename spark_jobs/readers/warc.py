"""WARC / WET reader: web captures -> documents, with every unusable record quarantined.

One Spark task reads one `.warc.gz` / `.warc.wet.gz` file (gzip members cannot be split without
an index) with warcio. Per record:

- `warcinfo`, `request` and `metadata` records describe a crawl, not a document: skipped.
- `response` / `resource` (WARC): HTTP status, MIME type, size and URL checks, then charset
  decision (`udfs.charset`) and main-text extraction (`udfs.html_extract`).
- `conversion` (WET): already plain UTF-8 text from Common Crawl; kept as is.

Reasons sent to quarantine (record id = WARC-Record-ID): `warc_revisit` (capture without a
payload), `warc_http_status` (not 2xx), `warc_non_html`, `warc_truncated` (WARC-Truncated header,
payload shorter than its Content-Length, or a file cut mid-record), `warc_undecodable`,
`warc_malformed` (warcio cannot parse on), `warc_extract_failed`, `oversize` (payload over
`ingest.warc.max_record_bytes`), `url_invalid` (not an http(s) URL), `url_blocked`.
Empty extracted text and oversize text are left to ingest's own checks.

`Doc.offset` is the record's offset in the file as stored (the gzip member start for .gz), the
offset Common Crawl's index and `warcio extract` use to seek to it. `Doc.url` is the URL
normalised with `udfs.normalize.normalize_url` (the form URL dedup compares); the URL as
captured stays in `metadata["url"]`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from conf.schema import WarcConfig
from spark_jobs.readers.base import Bad, Doc, ReaderOptions
from udfs.charset import decode_body
from udfs.html_extract import EXTRACTOR_NAMES, extract_text, extractor_id
from udfs.normalize import normalize_url
from udfs.url_filter import blocked_domain, load_blocklist

# Record types that never carry a document (crawl bookkeeping).
_SKIPPED_TYPES = frozenset({"warcinfo", "request", "metadata"})
_READ_BLOCK = 1 << 16
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def read_warc(path: str, opts: ReaderOptions, start: int = 0, end: int | None = None) -> Iterator[Doc | Bad]:
    """Yield a Doc or Bad for each document-bearing record of one WARC or WET file.

    `start`/`end` are ignored: a WARC file is always read whole by one task.
    """
    wcfg = opts.ingest.warc
    if wcfg.extractor not in EXTRACTOR_NAMES:
        raise ValueError(f"ingest.warc.extractor={wcfg.extractor!r} is not one of {', '.join(EXTRACTOR_NAMES)}")
    blocklist = _blocklist(wcfg.url_blocklist)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        try:
            for record in it:
                if record.format != "warc":  # warcio also parses ARC and guesses at garbage
                    yield Bad("warc_malformed", f"not a WARC record (warcio read it as {record.format!r})",
                              None, max(it.offset, 0), None, b"")
                    return
                if record.rec_type in _SKIPPED_TYPES:
                    continue
                item = _read_record(record, wcfg, blocklist, opts.ingest.raw_prefix_bytes)
                yield _at(item, it.get_record_offset())  # (reads the rest of the record first)
        except ArchiveLoadFailed as exc:
            message = " ".join(str(exc).split())[:300]
            yield Bad("warc_malformed", f"warcio: {message}", None, max(it.offset, 0), None, b"")
            return
        if it.offset < size:
            # warcio ends quietly when the last gzip member or record is cut short.
            yield Bad("warc_truncated", f"{size - it.offset} bytes at the end of the file hold no complete record",
                      None, it.offset, None, _tail(fh, it.offset, opts.ingest.raw_prefix_bytes))


def _at(item: Doc | Bad, offset: int) -> Doc | Bad:
    if isinstance(item, Doc):
        return Doc(item.text, item.source_id, item.url, item.metadata, None, offset)
    return Bad(item.reason, item.error, None, offset, item.record_id, item.raw)


def _tail(fh: BinaryIO, offset: int, n: int) -> bytes:
    fh.seek(offset)
    return fh.read(n)


def _blocklist(path: str | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    p = Path(path).expanduser()
    if not p.is_absolute() and not p.exists():
        p = _PROJECT_ROOT / p
    if not p.exists():
        raise FileNotFoundError(f"ingest.warc.url_blocklist={path!r} not found (nor under {_PROJECT_ROOT})")
    return load_blocklist(str(p))


def _read_record(record, wcfg: WarcConfig, blocklist: frozenset[str], prefix: int) -> Doc | Bad:
    """Doc or Bad for one record (offset 0: the caller knows the record's offset)."""
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    try:
        url = _check_headers(record, wcfg, blocklist)
        payload = _check_payload(record, wcfg)
        return _to_doc(record, payload, url, wcfg)
    except _Reject as rej:
        raw = rej.raw if rej.raw is not None else record.raw_stream.read(prefix)
        return Bad(rej.reason, rej.error, None, None, record_id, raw[:prefix])


class _Reject(Exception):
    """A record bound for quarantine: reason, error and (when read) its payload."""

    def __init__(self, reason: str, error: str, raw: bytes | None = None):
        super().__init__(reason)
        self.reason, self.error, self.raw = reason, error, raw


def _check_headers(record, wcfg: WarcConfig, blocklist: frozenset[str]) -> str:
    """Normalised URL of a record whose headers promise a usable page; raises _Reject otherwise."""
    headers = record.rec_headers
    raw_url = headers.get_header("WARC-Target-URI")
    if record.rec_type == "revisit":
        raise _Reject("warc_revisit", f"revisit of {headers.get_header('WARC-Refers-To-Target-URI') or raw_url}", b"")
    url = normalize_url(raw_url) if raw_url else None
    if url is None:
        raise _Reject("url_invalid", f"WARC-Target-URI {raw_url!r} is not an http(s) URL")
    domain = blocked_domain(url, blocklist)
    if domain is not None:
        raise _Reject("url_blocked", f"{url} is under blocked domain {domain} (ingest.warc.url_blocklist)")
    status = _status(record)
    if status is not None and not 200 <= status < 300:
        raise _Reject("warc_http_status", f"HTTP status {status}")
    content_type = _content_type(record)
    # Common Crawl adds the type it detected from the bytes; servers often send none or a wrong one.
    identified = headers.get_header("WARC-Identified-Payload-Type")
    if record.rec_type != "conversion" and not {_mime(content_type), _mime(identified)} & set(wcfg.html_types):
        raise _Reject("warc_non_html", f"content type {content_type!r} (identified {identified!r}) is not in "
                      "ingest.warc.html_types")
    truncated = headers.get_header("WARC-Truncated")
    if truncated:
        raise _Reject("warc_truncated", f"WARC-Truncated: {truncated}")
    return url


def _check_payload(record, wcfg: WarcConfig) -> bytes:
    """The whole payload (HTTP content decoding undone); raises _Reject if cut, too big or broken."""
    limit = wcfg.max_record_bytes
    try:
        payload, complete = _read_payload(record, limit)
    except Exception as exc:  # noqa: BLE001 - zlib/brotli/chunking errors in one record's payload
        raise _Reject("warc_malformed", f"payload: {type(exc).__name__}: {exc}", b"") from None
    if limit is not None and len(payload) > limit:
        raise _Reject("oversize", f"payload is over ingest.warc.max_record_bytes={limit}", payload)
    if not complete:
        raise _Reject("warc_truncated", "payload ends before its Content-Length", payload)
    return payload


def _to_doc(record, payload: bytes, url: str, wcfg: WarcConfig) -> Doc:
    """Decode and (for HTML) extract the page; raises _Reject when that fails."""
    headers = record.rec_headers
    content_type = _content_type(record)
    decoded = decode_body(payload, content_type, wcfg.max_control_char_ratio)
    if decoded.text is None:
        raise _Reject("warc_undecodable", f"no charset decodes the payload (declared {decoded.declared})", payload)
    metadata = {
        "url": headers.get_header("WARC-Target-URI"),
        "warc_date": headers.get_header("WARC-Date"),
        "warc_record_id": headers.get_header("WARC-Record-ID"),
        "warc_type": record.rec_type,
        "content_type": content_type,
        "http_status": _status(record),
        "charset": decoded.charset,
        "charset_source": decoded.source,
        "declared_charset": decoded.declared,
    }
    if record.rec_type == "conversion":  # WET: Common Crawl already extracted the text
        text = decoded.text
        metadata["language"] = headers.get_header("WARC-Identified-Content-Language")
        metadata["refers_to"] = headers.get_header("WARC-Refers-To")
    else:
        try:
            text = extract_text(decoded.text, wcfg.extractor)
        except Exception as exc:  # noqa: BLE001 - one unparsable page must not end the file
            raise _Reject("warc_extract_failed", f"{wcfg.extractor}: {type(exc).__name__}: {exc}", payload) from None
        metadata["extractor"] = extractor_id(wcfg.extractor)
    return Doc(text=text, source_id=metadata["warc_record_id"], url=url, metadata=metadata, line=None, offset=0)


def _status(record) -> int | None:
    code = record.http_headers.get_statuscode() if record.http_headers else None
    return int(code) if code and code.isdigit() else None


def _mime(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _content_type(record) -> str | None:
    if record.http_headers is not None:
        return record.http_headers.get_header("Content-Type")
    return record.rec_headers.get_header("Content-Type")


def _read_payload(record, limit: int | None) -> tuple[bytes, bool]:
    """(payload after HTTP content decoding, read up to limit+1 bytes; whether it is complete).

    Complete means the record's block held as many bytes as its Content-Length promised.
    """
    stream = record.content_stream()
    chunks, total = [], 0
    while limit is None or total <= limit:
        block = stream.read(_READ_BLOCK)
        if not block:
            break
        chunks.append(block)
        total += len(block)
    raw = record.raw_stream
    complete = not (isinstance(raw, LimitReader) and raw.limit > 0 and (limit is None or total <= limit))
    return b"".join(chunks), complete
