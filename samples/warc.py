"""Sample web crawl: the hand-written sample documents served as HTML pages in one WARC file.

Reads   the hand-written texts in `samples.texts` (no download).
Writes  OUT/crawl-00000.warc.gz: one HTTP response per language (the first document of each,
            with a navigation bar, cookie notice, sidebar and footer around it), the Chinese page
            in GB18030 labelled gb2312, the French page UTF-8 under a lying ISO-8859-1 header,
            and five records that must be quarantined (image, 404, undecodable bytes, blocked
            domain, truncated capture);
        OUT/_expected.json: `{"docs": [url...], "quarantine": {url: reason}}` (ingest skips
            names starting with "_", so the folder can be ingested whole).
Run     python -m samples.warc --out data/sample/web   (the demo calls `write_sample_warc`)

Record ids are UUIDv5 of the URL and dates fixed, so the file is byte-identical on every run and
re-ingesting it adds nothing.
"""
from __future__ import annotations

import argparse
import html
import io
import json
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from samples.texts import LANGUAGES

WARC_NAME = "crawl-00000.warc.gz"
EXPECTED_NAME = "_expected.json"
_DATE = "2024-05-01T12:00:00Z"
_CHARSETS = {"zh": ("gb18030", "text/html; charset=gb2312", "gb2312"),
             "fr": ("utf-8", "text/html; charset=ISO-8859-1", "utf-8")}  # the header lies
_BAD = [  # (url, body, content type, HTTP status, WARC headers, expected reason)
    ("https://news.example.com/photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), "image/jpeg",
     "200 OK", {}, "warc_non_html"),
    ("https://news.example.com/old-story", b"<p>Not found</p>", "text/html", "404 Not Found", {}, "warc_http_status"),
    ("https://news.example.com/broken", b"\x00\x01\x02garbage\x00" * 100, "text/html", "200 OK", {}, "warc_undecodable"),
    ("https://casino.blocked.invalid/win", b"<p>Win big today.</p>", "text/html", "200 OK", {}, "url_blocked"),
    ("https://news.example.com/huge", b"<p>" + b"cut short " * 50, "text/html", "200 OK",
     {"WARC-Truncated": "length"}, "warc_truncated"),
]


def page_html(title: str, text: str, meta_charset: str) -> str:
    """A page with the document as its article and typical site chrome around it."""
    paras = "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n")[1:] if p.strip())
    return (
        f'<!DOCTYPE html><html><head><meta charset="{meta_charset}"><title>{html.escape(title)}</title>'
        "<script>window.dataLayer=[];</script></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>'
        '<div class="cookie-banner">We use cookies. <button>Accept</button></div>'
        f"<main><article><h1>{html.escape(title)}</h1>{paras}</article></main>"
        '<aside class="sidebar"><ul><li><a href="/a">Most read today</a></li></ul></aside>'
        "<footer><p>Copyright 2024 Example Media.</p></footer></body></html>"
    )


def response_record(writer: WARCWriter, url: str, body: bytes, content_type: str, status: str = "200 OK",
                    extra: dict | None = None):
    """An HTTP response record with a fixed date and a record id derived from the URL (UUIDv5)."""
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    headers = {"WARC-Date": _DATE, "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>",
               **(extra or {})}
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                     warc_headers_dict=headers)


def write_sample_warc(out_dir: str | Path) -> Path:
    """Write the sample crawl and its expectations under `out_dir`; returns `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs, bad = [], {}
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for lang, mod in sorted(LANGUAGES.items()):
        doc = mod.DOCS[0]
        charset, content_type, meta = _CHARSETS.get(lang, ("utf-8", "text/html; charset=utf-8", "utf-8"))
        url = f"https://web.example.com/{lang}/{doc['category']}/0"
        body = page_html(doc["title"], doc["text"], meta).encode(charset)
        writer.write_record(response_record(writer, url, body, content_type))
        docs.append(url)
    for url, body, content_type, status, extra, reason in _BAD:
        writer.write_record(response_record(writer, url, body, content_type, status, extra))
        bad[url] = reason
    (out / WARC_NAME).write_bytes(buf.getvalue())  # zlib's gzip headers carry no timestamp
    (out / EXPECTED_NAME).write_text(json.dumps({"docs": docs, "quarantine": bad}, indent=1) + "\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="data/sample/web")
    args = parser.parse_args(argv)
    print(write_sample_warc(args.out) / WARC_NAME)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
