"""Charset decisions on pages that tell the truth, lie, or say nothing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.charset import decode_body, decode_bodies, http_charset, meta_charset, normalize_charset

FRENCH = "<html><body><p>Le café était très agréable, près de la forêt. Où est l'hôtel ? Ça coûte cher.</p></body></html>"
# U+20000 and U+20087 lie outside GBK: GB18030 encodes them as 4-byte sequences.
CHINESE = ("<html><head><meta charset=\"gb2312\"><title>北京新闻</title></head><body><p>今天北京的天气很好，"
           "市民们纷纷走出家门，到公园里散步。专家表示，这种天气将持续到下周。𠀀𠂇</p></body></html>")
MAX_CTRL = 0.01


def test_decode_body_gb18030_page_labelled_gb2312_decodes_all_characters():
    body = CHINESE.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")  # what a literal reading of the label would do
    d = decode_body(body, "text/html", MAX_CTRL)
    assert (d.text, d.charset, d.source, d.declared) == (CHINESE, "gb18030", "meta", "gb18030")


def test_decode_body_gb18030_page_with_no_label_is_detected():
    body = CHINESE.replace('<meta charset="gb2312">', "").encode("gb18030")
    d = decode_body(body, "text/html", MAX_CTRL)
    assert d.charset == "gb18030" and d.source == "detected"
    assert "北京的天气很好" in d.text


def test_decode_body_latin1_header_on_utf8_page_reads_utf8():
    d = decode_body(FRENCH.encode("utf-8"), "text/html; charset=ISO-8859-1", MAX_CTRL)
    assert (d.text, d.charset, d.source, d.declared) == (FRENCH, "utf-8", "utf8", "cp1252")


def test_decode_body_utf8_header_on_cp1252_page_detects_cp1252():
    d = decode_body(FRENCH.encode("cp1252"), "text/html; charset=utf-8", MAX_CTRL)
    assert (d.text, d.charset, d.source) == (FRENCH, "cp1252", "detected")


def test_decode_body_latin1_header_on_gb18030_page_prefers_detected_multibyte():
    body = CHINESE.replace('<meta charset="gb2312">', "").encode("gb18030")
    d = decode_body(body, "text/html; charset=iso-8859-1", MAX_CTRL)
    assert d.charset == "gb18030" and "北京的天气很好" in d.text


def test_decode_body_true_cp1251_header_is_used():
    page = "<p>Сегодня в Москве идёт дождь, завтра будет солнечно.</p>"
    d = decode_body(page.encode("cp1251"), "text/html; charset=windows-1251", MAX_CTRL)
    assert (d.text, d.charset, d.source) == (page, "cp1251", "http")


def test_decode_body_bom_wins_over_header():
    d = decode_body(b"\xff\xfe" + FRENCH.encode("utf-16-le"), "text/html; charset=cp1252", MAX_CTRL)
    assert (d.text, d.charset, d.source) == (FRENCH, "utf-16", "bom")


def test_decode_body_binary_payload_is_undecodable():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    d = decode_body(png, "text/html", MAX_CTRL)
    assert d.text is None and d.charset is None and d.source == "none"


def test_decode_body_control_char_check_disabled_with_none():
    body = b"<p>text</p>" + b"\x01" * 50
    assert decode_body(body, None, MAX_CTRL).text is None
    assert decode_body(body, None, None).text == body.decode()


@pytest.mark.parametrize("header, expected", [
    ("text/html; charset=UTF-8", "UTF-8"), ('text/html; charset="gbk"', "gbk"),
    ("text/html", None), (None, None), ("text/html; q=1; CHARSET=latin1", "latin1"),
])
def test_http_charset_reads_parameter(header, expected):
    assert http_charset(header) == expected


@pytest.mark.parametrize("head, expected", [
    (b'<meta charset="Shift_JIS">', "Shift_JIS"),
    (b'<META http-equiv="Content-Type" content="text/html; charset=windows-1251">', "windows-1251"),
    (b"<p>charset=utf-8 in prose is not a meta tag</p>", None),
    (b" " * 1100 + b'<meta charset="gbk">', None),  # past the 1,024-byte prescan
])
def test_meta_charset_finds_tag_in_prescan_window(head, expected):
    assert meta_charset(head) == expected


@pytest.mark.parametrize("label, expected", [
    ("GB2312", "gb18030"), ("gbk", "gb18030"), ("ISO-8859-1", "cp1252"), ("us-ascii", "cp1252"),
    ("utf8", "utf-8"), ("x-sjis", "shift_jis"), ("no-such-charset", None), ("", None),
])
def test_normalize_charset_applies_whatwg_labels_and_widens_gbk(label, expected):
    assert normalize_charset(label) == expected


def test_decode_bodies_batch_matches_single_calls():
    bodies = [FRENCH.encode("utf-8"), CHINESE.encode("gb18030")]
    cts = ["text/html; charset=latin1", None]
    assert decode_bodies(bodies, cts, MAX_CTRL) == [decode_body(b, c, MAX_CTRL) for b, c in zip(bodies, cts)]


@settings(max_examples=200, deadline=None)
# U+FEFF left out: a leading one is a BOM and is (rightly) stripped.
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
               max_size=200),
       st.sampled_from([None, "text/html; charset=iso-8859-1", "text/html; charset=gbk", "text/html; charset=utf-8"]))
def test_decode_body_any_utf8_text_round_trips_whatever_the_header(text, header):
    d = decode_body(text.encode("utf-8"), header, MAX_CTRL)
    assert d.text == text
