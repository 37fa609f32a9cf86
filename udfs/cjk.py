"""Character-based equivalents of the word rules for Chinese and Japanese.

Gopher counts words and stop words; text without spaces has neither. For a char-based
language the annotate stage tokenises per character (`udfs.text_view`) and replaces the
word-level rules with these signals:

- `cjk_chars`: Han + kana characters (the "word count" of the page; Gopher's 50-word minimum
  is about 75-100 Chinese characters);
- `cjk_stop_chars`: how many distinct function characters of the language occur (的 了 是 …
  for Chinese, の に は … for Japanese; Gopher's ">= 2 stop words").

Line and paragraph repetition, the top-n-gram shares, symbols, bullets and the FineWeb line
rules stay the same, computed over per-character tokens; the duplicated 5-10-gram rules do not
apply (a short page repeating its 5-character title would trip them, see `udfs.rules`).
"""

from __future__ import annotations

import re

from udfs.text_view import DocView

SIGNALS = ("cjk_chars", "cjk_stop_chars")

# CJK Unified Ideographs (+ extension A, compatibility), hiragana, katakana, half-width kana.
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def cjk_signals(view: DocView, stop_chars: frozenset[str] | None) -> tuple[float, ...]:
    """The CJK `SIGNALS` of one document (NaN stop count when the language has no list)."""
    n_cjk = len(_CJK_CHAR.findall(view.text))
    if stop_chars is None:
        return (float(n_cjk), float("nan"))
    present = sum(1 for ch in stop_chars if ch in view.text)
    return (float(n_cjk), float(present))
