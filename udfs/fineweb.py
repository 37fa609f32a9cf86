"""FineWeb quality signals (Penedo et al. 2024, the three custom filters plus newline ratio).

Measured on non-empty, stripped lines. Thresholds (>= 12 % punctuated lines, <= 67 % short
lines, <= 1 % characters in duplicate lines, <= 0.3 newlines per word) are applied per batch
in `udfs.rules`.
"""

from __future__ import annotations

import functools

from udfs.text_view import DocView, char_table, in_table

SIGNALS = ("punct_line_frac", "short_line_frac", "newline_per_word")
# The duplicate-line character share is Gopher's `dup_line_char_frac` (same count; FineWeb
# divides by the text without newlines, a difference of about 1 %), so it is not recomputed.


_table = functools.lru_cache(maxsize=8)(char_table)


def fineweb_signals(view: DocView, terminal_punctuation: str, short_line_chars: int) -> tuple[float, ...]:
    """The FineWeb `SIGNALS` of one document, in that order.

    `short_line_chars`: a line of at most this many characters is short (30 for English; the
    caller passes a smaller figure for char-based languages, whose lines are denser).
    """
    lines = view.lines
    n_lines = len(lines)
    if not n_lines:
        nan = float("nan")
        return (nan, nan, nan)
    punct = int(in_table(view.last_chars, _table(terminal_punctuation)).sum())
    short = int((view.line_lens <= short_line_chars).sum())
    n_tokens = len(view.tokens)
    return (
        punct / n_lines,
        short / n_lines,
        view.text.count("\n") / n_tokens if n_tokens else float("nan"),
    )
