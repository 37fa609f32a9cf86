"""WARC/WET ingest: hand-written pages written into WARC files here, read back as documents.

The first tests drive the reader alone (no JVM); the last ones run `flywheel ingest` on real
local Spark + Delta and check raw_docs, quarantine and that a second run adds nothing.
"""

import gzip
import io
import json
import re
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conf import load_config, replace
from spark_jobs.readers.base import Bad, Doc, ReaderOptions
from spark_jobs.readers.warc import read_warc
from tests.udfs.test_html_extract import CODE, FORUM, NEWS

CHINESE = ("<html><head><meta charset=\"gb2312\"><title>北京新闻</title></head><body>"
           "<div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/sports\">体育频道</a> <a href=\"/ent\">娱乐频道</a></div>"
           "<article><h1>北京地铁新线明年开通</h1><p>记者从市政府获悉，北京地铁新线路将于明年年底开通运营，"
           "全长约三十公里，设站二十座。专家表示，新线路将大大缓解城市北部的交通压力。</p>"
           "<p>生僻字测试：𠀀𠂇，这些字只能用四字节的国标编码表示。</p></article>"
           "<footer>版权所有 © 2024 北京新闻网</footer></body></html>")
UMLAUTS = ("<html><body><article><h1>Grüße aus Köln</h1><p>Die Straßenbahn fährt über die Brücke, "
           "und im Café gegenüber gibt es Käsekuchen für zwei Euro fünfzig. Schöne Grüße an alle.</p>"
           "</article></body></html>")
NAV_ONLY = '<html><body><nav><a href="/a">Home</a> <a href="/b">About</a></nav></body></html>'
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4
JUNK_AS_HTML = b"\x00\x01\x02\x03garbage\x00\x00" * 200


def http_record(writer, url, body, content_type, status="200 OK", warc_headers=None):
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    headers = {"WARC-Date": "2024-05-01T12:00:00Z", **(warc_headers or {})}
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                     warc_headers_dict=headers)


def write_warc(path: Path, records: list[tuple]) -> list[int]:
    """Write (url, body, content_type[, status[, warc headers]]) responses, plus a warcinfo and a
    request record that must be skipped; returns each response's offset."""
    offsets = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=str(path).endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "flywheel-tests"}))
        for rec in records:
            req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            writer.write_record(writer.create_warc_record(rec[0], "request", http_headers=req))
            offsets.append(fh.tell())
            writer.write_record(http_record(writer, *rec))
    return offsets


PAGES = [
    ("https://www.daily.example/news/bike-lanes?utm_source=feed", NEWS.encode("utf-8"), "text/html; charset=utf-8"),
    ("https://bakers.example/t/123", FORUM.encode("utf-8"), "text/html"),
    ("https://docs.example/io/lines", CODE.encode("utf-8"), "text/html; charset=utf-8"),
    ("https://news.example.cn/metro", CHINESE.encode("gb18030"), "text/html; charset=gb2312"),
    ("https://koeln.example.de/gruesse", UMLAUTS.encode("utf-8"), "text/html; charset=ISO-8859-1"),  # lies
    ("https://daily.example/photo.jpg", JPEG, "image/jpeg"),
    ("https://daily.example/junk", JUNK_AS_HTML, "text/html"),
    ("https://daily.example/gone", b"<p>Not found</p>", "text/html", "404 Not Found"),
    ("https://ads.casino-spam.example/win", b"<p>Win big now, every day, in our casino.</p>", "text/html"),
    ("https://daily.example/menu", NAV_ONLY.encode(), "text/html"),
    ("https://daily.example/cut", b"<p>" + b"long page " * 100 + b"</p>", "text/html", "200 OK",
     {"WARC-Truncated": "length"}),
]
EXPECTED_BAD = {  # url -> reason (the empty page is quarantined by ingest itself)
    "https://daily.example/photo.jpg": "warc_non_html",
    "https://daily.example/junk": "warc_undecodable",
    "https://daily.example/gone": "warc_http_status",
    "https://ads.casino-spam.example/win": "url_blocked",
    "https://daily.example/cut": "warc_truncated",
}


@pytest.fixture(scope="module")
def blocklist(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("conf") / "blocklist.txt"
    path.write_text("# test list\ncasino-spam.example\n", encoding="utf-8")
    return str(path)


@pytest.fixture()
def opts(blocklist) -> ReaderOptions:
    return ReaderOptions(replace(load_config(), [f"ingest.warc.url_blocklist={blocklist}"]).ingest)


def read_all(path: Path, opts: ReaderOptions) -> tuple[dict[str, Doc], list[Bad]]:
    items = list(read_warc(str(path), opts))
    docs = {d.metadata["url"]: d for d in items if isinstance(d, Doc)}
    return docs, [b for b in items if isinstance(b, Bad)]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_read_warc_news_forum_code_pages_keep_main_text_only(tmp_path, opts):
    write_warc(tmp_path / "a.warc.gz", PAGES)
    docs, _ = read_all(tmp_path / "a.warc.gz", opts)
    news = flat(docs[PAGES[0][0]].text)
    assert "protected bike lanes along the river" in news and "Greens" in news
    assert "Celebrity wedding" not in news and "All rights reserved" not in news and "World news" not in news
    forum = flat(docs[PAGES[1][0]].text)
    assert "nail polish remover" in forum and "the yeast is hungry" in forum and "fixed it" in forum
    assert "Powered by ForumSoftware" not in forum
    assert "    with open(path) as fh:\n" in docs[PAGES[2][0]].text


def test_read_warc_gb18030_page_decoded_with_four_byte_characters(tmp_path, opts):
    write_warc(tmp_path / "a.warc.gz", PAGES)
    docs, _ = read_all(tmp_path / "a.warc.gz", opts)
    doc = docs["https://news.example.cn/metro"]
    assert "北京地铁新线路将于明年年底开通运营" in doc.text and "𠀀𠂇" in doc.text
    assert "娱乐频道" not in doc.text and "版权所有" not in doc.text
    assert doc.metadata["charset"] == "gb18030" and doc.metadata["declared_charset"] == "gb18030"


def test_read_warc_wrong_charset_header_reads_true_encoding(tmp_path, opts):
    write_warc(tmp_path / "a.warc.gz", PAGES)
    docs, _ = read_all(tmp_path / "a.warc.gz", opts)
    doc = docs["https://koeln.example.de/gruesse"]
    assert "Die Straßenbahn fährt über die Brücke" in doc.text and "Ã" not in doc.text
    assert (doc.metadata["charset"], doc.metadata["declared_charset"]) == ("utf-8", "cp1252")


def test_read_warc_doc_fields_carry_record_id_normalised_url_and_metadata(tmp_path, opts):
    offsets = write_warc(tmp_path / "a.warc.gz", PAGES)
    docs, _ = read_all(tmp_path / "a.warc.gz", opts)
    doc = docs[PAGES[0][0]]
    assert re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", doc.source_id)
    assert doc.source_id == doc.metadata["warc_record_id"]
    assert doc.url == "https://daily.example/news/bike-lanes"  # www. and utm_ dropped
    assert doc.offset == offsets[0] and doc.line is None
    from importlib.metadata import version
    assert doc.metadata["extractor"] == f"resiliparse {version('resiliparse')}"
    assert doc.metadata["warc_date"] == "2024-05-01T12:00:00Z"
    assert doc.metadata["content_type"] == "text/html; charset=utf-8"
    assert doc.metadata["http_status"] == 200
    json.dumps(doc.metadata)  # goes into the metadata JSON column


def test_read_warc_bad_records_carry_reason_record_id_and_offset(tmp_path, opts):
    offsets = write_warc(tmp_path / "a.warc.gz", PAGES)
    _, bad = read_all(tmp_path / "a.warc.gz", opts)
    by_offset = {b.offset: b for b in bad}
    for i, rec in enumerate(PAGES):
        if rec[0] in EXPECTED_BAD:
            b = by_offset[offsets[i]]
            assert b.reason == EXPECTED_BAD[rec[0]], rec[0]
            assert b.record_id.startswith("<urn:uuid:")
    assert len(bad) == len(EXPECTED_BAD)  # warcinfo and request records are not documents
    assert by_offset[offsets[5]].raw.startswith(b"\xff\xd8\xff")  # the JPEG's first bytes


def test_read_warc_file_cut_mid_record_quarantines_the_rest(tmp_path, opts):
    path = tmp_path / "a.warc.gz"
    offsets = write_warc(path, PAGES[:3])
    data = path.read_bytes()
    path.write_bytes(data[: offsets[2] + (len(data) - offsets[2]) // 2])
    docs, bad = read_all(path, opts)
    assert set(docs) == {PAGES[0][0], PAGES[1][0]}
    assert [(b.reason, b.offset) for b in bad] == [("warc_truncated", offsets[2])]


def test_read_warc_uncompressed_payload_cut_short_is_truncated(tmp_path, opts):
    path = tmp_path / "a.warc"
    offsets = write_warc(path, PAGES[:2])
    path.write_bytes(path.read_bytes()[:-400])
    docs, bad = read_all(path, opts)
    assert set(docs) == {PAGES[0][0]}
    assert [(b.reason, b.offset) for b in bad] == [("warc_truncated", offsets[1])]


def test_read_warc_payload_over_limit_is_oversize(tmp_path, blocklist):
    cfg = replace(load_config(), [f"ingest.warc.url_blocklist={blocklist}", "ingest.warc.max_record_bytes=1200"])
    write_warc(tmp_path / "a.warc.gz", PAGES[:2])
    _, bad = read_all(tmp_path / "a.warc.gz", ReaderOptions(cfg.ingest))
    assert [b.reason for b in bad] == ["oversize"]  # NEWS is 1,363 bytes, FORUM 1,096
    assert len(bad[0].raw) == cfg.ingest.raw_prefix_bytes


def test_read_warc_wet_conversion_records_keep_text_as_is(tmp_path, opts):
    path = tmp_path / "a.warc.wet.gz"
    text = "Plain text from Common Crawl.\n\nSecond paragraph with ümlauts."
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        rec = writer.create_warc_record(
            "https://wet.example/p", "conversion", payload=io.BytesIO(text.encode()),
            warc_headers_dict={"Content-Type": "text/plain", "WARC-Identified-Content-Language": "eng,deu",
                               "WARC-Refers-To": "<urn:uuid:00000000-0000-0000-0000-000000000001>"})
        writer.write_record(rec)
    docs, bad = read_all(path, opts)
    assert bad == [] and docs["https://wet.example/p"].text == text
    meta = docs["https://wet.example/p"].metadata
    assert meta["language"] == "eng,deu" and "extractor" not in meta


def test_read_warc_identified_payload_type_rescues_missing_content_type(tmp_path, opts):
    path = tmp_path / "a.warc.gz"
    page = ("https://daily.example/untyped", NEWS.encode(), "", "200 OK",
            {"WARC-Identified-Payload-Type": "text/html"})
    write_warc(path, [page, ("https://daily.example/untyped2", NEWS.encode(), "")])
    docs, bad = read_all(path, opts)
    assert set(docs) == {"https://daily.example/untyped"}
    assert [b.reason for b in bad] == ["warc_non_html"]


@pytest.mark.parametrize("content", [gzip.compress(b"just some gzipped text\n" * 20), b'{"id": 1}\n'])
def test_read_warc_file_that_is_not_warc_is_one_malformed_row(tmp_path, opts, content):
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(content)
    items = list(read_warc(str(path), opts))
    assert [(type(i), i.reason, i.offset) for i in items] == [(Bad, "warc_malformed", 0)]


def test_read_warc_unknown_extractor_error_names_the_key(tmp_path, blocklist):
    cfg = replace(load_config(), ["ingest.warc.extractor=lynx"])
    write_warc(tmp_path / "a.warc.gz", PAGES[:1])
    with pytest.raises(ValueError, match=r"ingest\.warc\.extractor"):
        list(read_warc(str(tmp_path / "a.warc.gz"), ReaderOptions(cfg.ingest)))


# --- real Spark + Delta ------------------------------------------------------------------------

@pytest.mark.spark
def test_ingest_warc_docs_and_quarantine_land_in_tables_and_rerun_adds_nothing(spark, cfg, tmp_path, blocklist):
    from spark_jobs.ingest import run
    from tables.spark_tables import read_table

    cfg = replace(cfg, [f"ingest.warc.url_blocklist={blocklist}"])
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_warc(crawl / "part-0.warc.gz", PAGES[:6])
    write_warc(crawl / "part-1.warc.gz", PAGES[6:])
    first = run(spark, cfg, [str(crawl)], "auto", "cc-test")
    docs = {r["url"]: r for r in read_table(spark, cfg, "raw_docs").collect()}
    urls = record_urls(sorted(crawl.iterdir()))
    quarantine = {urls[r["record_id"]]: r["reason"] for r in read_table(spark, cfg, "quarantine").collect()}

    assert set(docs) == {"https://daily.example/news/bike-lanes", "https://bakers.example/t/123",
                         "https://docs.example/io/lines", "https://news.example.cn/metro",
                         "https://koeln.example.de/gruesse"}
    assert all(r["format"] == "warc" and r["source"] == "cc-test" for r in docs.values())
    assert "𠀀𠂇" in docs["https://news.example.cn/metro"]["text"]
    assert json.loads(docs["https://koeln.example.de/gruesse"]["metadata"])["charset"] == "utf-8"
    assert quarantine == EXPECTED_BAD | {"https://daily.example/menu": "empty_text"}
    assert (first["docs_added"], first["quarantine_added"]) == (5, 6)

    again = run(spark, cfg, [str(crawl)], "auto", "cc-test")
    assert (again["docs_added"], again["quarantine_added"]) == (0, 0)
    assert read_table(spark, cfg, "raw_docs").count() == 5


def record_urls(paths: list[Path]) -> dict[str, str]:
    """WARC-Record-ID -> target URI of every response, read with warcio alone."""
    from warcio.archiveiterator import ArchiveIterator

    urls = {}
    for path in paths:
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    urls[rec.rec_headers.get_header("WARC-Record-ID")] = rec.rec_headers.get_header("WARC-Target-URI")
    return urls
