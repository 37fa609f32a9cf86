"""The one definition of "control character" that ingest (charset) and annotate both count.

Control characters are the C0 controls U+0000-U+001F and DEL U+007F (Unicode category Cc in
ASCII) except TAB, LF, FF and CR, the four that WHATWG counts as ASCII whitespace and that real
text carries. So:

- FF (U+000C) is text, not a control: plain-text documents (RFCs, GNU sources) use it as a
  page break and `str.split` treats it as white space; annotate used to count it, charset not.
- VT (U+000B) is counted: not ASCII whitespace for WHATWG, and no text format uses it.
- DEL (U+007F) is counted: a control in Unicode and WHATWG that no encoding produces for a
  letter; charset used to miss it, annotate counted it.
- C1 controls (U+0080-U+009F) are left out: in an ASCII-compatible body they are not single
  bytes, and charset counts on the bytes (`bytes.translate`, ~1 GB/s).

Annotate's `control_char_frac` adds U+FFFD on top (what a lossy decode leaves behind); that is
a decoding signal, not a control character, and charset's strict decoding never produces it.
"""

from __future__ import annotations

# Inclusive code point ranges of the control characters described above.
_RANGES = ((0x00, 0x08), (0x0B, 0x0B), (0x0E, 0x1F), (0x7F, 0x7F))

CONTROL_CHARS: str = "".join(chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1))
"""Every control character, for `str.count` / `str.translate`."""
CONTROL_BYTES: bytes = CONTROL_CHARS.encode("ascii")
"""The same as ASCII bytes, for `bytes.translate(None, CONTROL_BYTES)` on ASCII-compatible bodies."""
CONTROL_CLASS: str = "".join(f"\\x{lo:02x}" if lo == hi else f"\\x{lo:02x}-\\x{hi:02x}" for lo, hi in _RANGES)
"""The inside of a regex character class matching them: `re.compile(f"[{CONTROL_CLASS}]")`."""
