"""Pick the character encoding of a web page whose declared charset may be wrong.

Web pages lie about their encoding: the HTTP `Content-Type` says ISO-8859-1 while the body is
UTF-8, or `<meta charset=gb2312>` sits on a page full of GB18030-only characters. The decision,
cheapest and most reliable signal first:

1. a byte-order mark (UTF-8/16) wins outright;
2. a body that decodes as strict UTF-8 is UTF-8 (legacy 8-bit text almost never happens to form
   valid multi-byte UTF-8 sequences, so this catches the common "latin-1 header on a UTF-8 page");
3. a declared charset (HTTP header, then `<meta>` in the first 1,024 bytes, as in the WHATWG
   prescan) is used if the body decodes strictly with it, unless it is a single-byte charset
   (which decodes anything) and uchardet detects a multi-byte one that also decodes strictly;
4. otherwise uchardet's guess (resiliparse's `detect_encoding`: on 8 small test pages 10-100x
   faster than charset-normalizer and right on GB18030, Big5, Shift_JIS, cp1251 and cp1252, where
   charset-normalizer took French cp1252 for cp1250).

Detection only runs for pages that are neither valid UTF-8 nor valid in a declared multi-byte
charset, a small share of a modern crawl.

GBK and GB2312 labels are widened to GB18030, a strict superset: Python's `gbk` codec rejects
the 4-byte GB18030 sequences (e.g. U+20000 or the euro sign in some pages) that such pages carry.
A body is undecodable when no candidate decodes strictly or the text is mostly control
characters (binary served as text/html).
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5

from udfs.control_chars import CONTROL_BYTES, CONTROL_CHARS

# WHATWG prescan looks for <meta charset> in the first 1,024 bytes only.
_META_PRESCAN_BYTES = 1024
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+-]+)", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Superset widening: GB18030 decodes every GBK/GB2312 byte sequence the same way.
_WIDEN = {"gbk": "gb18030", "gb2312": "gb18030"}
# Every codec we accept except UTF-16 keeps ASCII bytes as themselves, so controls can be
# counted on the bytes with bytes.translate (~1 GB/s; a regex over the text ran at ~40 MB/s).
_NOT_ASCII_COMPATIBLE = ("utf-16",)


@dataclass(frozen=True)
class Decoded:
    """A page body turned into text, or the reason it could not be.

    text: the decoded page, or None when undecodable.
    charset: Python codec name used (e.g. "utf-8", "gb18030"), None when undecodable.
    source: which signal decided: "bom", "utf8", "http", "meta", "detected" or "none".
    declared: the charset the page claimed (HTTP header, else meta), normalised, or None.
    """

    text: str | None
    charset: str | None
    source: str
    declared: str | None


def normalize_charset(label: str | None) -> str | None:
    """Python codec name for a charset label from a header or meta tag, or None if unknown.

    Applies the WHATWG label table (so "iso-8859-1" and "ascii" mean windows-1252, as browsers
    read them) and widens GBK/GB2312 to GB18030.
    """
    if not label:
        return None
    mapped = map_encoding_to_html5(label.strip().strip("\"'").lower(), fallback_utf8=False)
    if mapped is None:
        return None
    name = codecs.lookup(mapped).name
    return _WIDEN.get(name, name)


def http_charset(content_type: str | None) -> str | None:
    """The `charset=` parameter of an HTTP Content-Type header value, as written, or None."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def meta_charset(body: bytes) -> str | None:
    """The charset named by a `<meta>` tag in the first 1,024 bytes, as written, or None."""
    match = _META_CHARSET.search(body[:_META_PRESCAN_BYTES])
    return match.group(1).decode("ascii") if match else None


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


@functools.lru_cache(maxsize=64)
def _is_single_byte(charset: str) -> bool:
    # Single-byte codecs map every byte to one character, so 256 bytes decode to 256 chars.
    try:
        return len(bytes(range(0x80, 0x100)).decode(charset, errors="replace")) == 0x80
    except LookupError:
        return False


def _too_many_controls(body: bytes, text: str, charset: str, max_control_char_ratio: float | None) -> bool:
    if max_control_char_ratio is None or not text:
        return False
    if charset in _NOT_ASCII_COMPATIBLE:
        controls = sum(text.count(c) for c in CONTROL_CHARS)
    else:
        controls = len(body) - len(body.translate(None, CONTROL_BYTES))
    return controls > max_control_char_ratio * len(text)


def decode_body(
    body: bytes, content_type: str | None, max_control_char_ratio: float | None
) -> Decoded:
    """Decode one page body; `content_type` is its HTTP Content-Type header value (or None).

    max_control_char_ratio: largest share of control characters (`udfs.control_chars`: C0 but
    tab/LF/FF/CR, and DEL) a decoded page may hold before it counts as binary, i.e. undecodable; None disables the check.
    """
    declared_http = normalize_charset(http_charset(content_type))
    declared_meta = normalize_charset(meta_charset(body))
    declared = declared_http or declared_meta
    text, charset, source = _choose(body, declared_http, declared_meta)
    if text is None or _too_many_controls(body, text, charset, max_control_char_ratio):
        return Decoded(None, None, "none", declared)
    return Decoded(text, charset, source, declared)


def _choose(
    body: bytes, declared_http: str | None, declared_meta: str | None
) -> tuple[str | None, str | None, str]:
    for bom, charset in _BOMS:
        if body.startswith(bom):
            text = _strict(body, charset)
            if text is not None:
                return text, "utf-8" if charset == "utf-8-sig" else charset, "bom"
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8", "utf8"
    detected = detected_text = None
    for charset, source in ((declared_http, "http"), (declared_meta, "meta")):
        if charset is None or charset == "utf-8":
            continue  # strict UTF-8 already failed above
        text = _strict(body, charset)
        if text is None:
            continue
        if not _is_single_byte(charset):
            return text, charset, source  # a multi-byte charset that decodes strictly is rarely wrong
        detected, detected_text = _detect(body)
        if detected_text is not None and not _is_single_byte(detected):
            return detected_text, detected, "detected"
        return text, charset, source
    if detected is None:
        detected, detected_text = _detect(body)
    if detected_text is not None:
        return detected_text, detected, "detected"
    return None, None, "none"


def _detect(body: bytes) -> tuple[str | None, str | None]:
    """uchardet's charset for `body` and the strict decoding with it (None when that fails)."""
    detected = normalize_charset(detect_encoding(body))
    return detected, (_strict(body, detected) if detected else None)


def decode_bodies(
    bodies: list[bytes], content_types: list[str | None], max_control_char_ratio: float | None
) -> list[Decoded]:
    """`decode_body` over a batch of page bodies and their Content-Type header values."""
    return [decode_body(b, ct, max_control_char_ratio) for b, ct in zip(bodies, content_types, strict=True)]
