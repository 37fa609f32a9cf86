"""One control-character set for ingest's charset check and annotate's control_char_frac."""
from __future__ import annotations

import re
import unicodedata

from udfs.charset import decode_body
from udfs.control_chars import CONTROL_BYTES, CONTROL_CHARS, CONTROL_CLASS

# Unicode's ASCII controls (category Cc) minus WHATWG's ASCII whitespace controls TAB, LF, FF, CR.
EXPECTED = {chr(c) for c in range(0x80) if unicodedata.category(chr(c)) == "Cc"} - set("\t\n\x0c\r")


def test_control_chars_ascii_cc_minus_whitespace_all_three_forms_agree():
    assert len(EXPECTED) == 29 and "\x0b" in EXPECTED and "\x7f" in EXPECTED
    assert set(CONTROL_CHARS) == EXPECTED and len(CONTROL_CHARS) == len(EXPECTED)
    assert set(CONTROL_BYTES.decode("ascii")) == EXPECTED
    every_bmp_char = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    assert set(re.findall(f"[{CONTROL_CLASS}]", every_bmp_char)) == EXPECTED


def test_decode_body_del_is_counted_form_feed_is_not():
    page = b"<p>" + b"An ordinary page of text. " * 20 + b"</p>"
    assert decode_body(page + b"\x7f" * 40, "text/html", 0.05).text is None
    assert decode_body(page + b"\x0c" * 40, "text/html", 0.05).text == (page + b"\x0c" * 40).decode()
