"""One tokenisation pass per document, shared by every rule family of the annotate stage.

Every rule (Gopher, C4, FineWeb, CJK, toxicity, category) reads the same `DocView`, so each
document is split into tokens, lines and paragraphs exactly once. All splitting runs in C
(`str.split`, compiled regexes, `collections.Counter`); no rule walks the text per character
in Python.

Whitespace languages are tokenised on white space. Languages written without spaces (Chinese,
Japanese; `char_based=True`) get one token per character, except that runs of ASCII letters
and digits stay one token (`printf`, `2024`), so word-count rules become character counts.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

# One token per non-space character, ASCII words/numbers kept whole (char-based languages).
CHAR_TOKEN = re.compile(r"[A-Za-z0-9_]+|\S")
# A blank line (possibly holding spaces) separates paragraphs.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
# Characters stripped from tokens before word-list lookups (stop words, lexicons).
STRIP_CHARS = "\"'`.,;:!?()[]{}<>«»“”‘’„‚*_~#|/\\-–—…。，、；：！？「」『』（）《》【】"


@dataclass(slots=True)
class DocView:
    """A document split once: tokens, their lengths, non-empty lines and paragraphs."""

    text: str
    """The text the rules see (possibly a prefix of a huge document, see `make_view`)."""
    char_based: bool
    """True for languages tokenised per character (zh, ja)."""
    tokens: list[str]
    """White-space tokens, or per-character tokens when `char_based`."""
    token_lens: np.ndarray
    """(n_tokens,) int64 character length of each token."""
    lines: list[str]
    """Non-empty lines, stripped of surrounding white space."""
    joined: str
    """"\n" + "\n".join(lines) + "\n": line starts are "\n"+prefix, line ends suffix+"\n", so
    `str.count` (C, GB/s) answers "how many lines start/end with X" without a Python loop."""
    line_lens: np.ndarray
    """(n_lines,) int64 character length of each stripped line."""
    first_chars: np.ndarray
    """(n_lines,) uint32 code point of each line's first character."""
    second_chars: np.ndarray
    """(n_lines,) uint32 second character (0 for one-character lines)."""
    last_chars: np.ndarray
    """(n_lines,) uint32 last character."""
    before_last: np.ndarray
    """(n_lines,) uint32 character before the last (0 for one-character lines)."""
    line_counts: Counter
    """How often each stripped line occurs (duplicate-line rules)."""
    paragraphs: list[str]
    """Non-empty paragraphs (blank-line separated), stripped."""
    lower: str
    """`text.lower()`, computed once for the case-insensitive rules."""
    word_set: set[str]
    """Unique lower-cased tokens with surrounding punctuation stripped (stop words, lexicons)."""


def count_starts(view: DocView, prefixes: tuple[str, ...]) -> int:
    """Lines starting with any of `prefixes`: one regex over `joined` whose literal "\n" prefix
    lets `re` jump from line to line (10x faster than one `str.count` per prefix)."""
    return len(_starts_pattern(prefixes).findall(view.joined))


@functools.lru_cache(maxsize=32)
def _starts_pattern(prefixes: tuple[str, ...]) -> re.Pattern:
    return re.compile("\n(?:" + "|".join(re.escape(p) for p in prefixes) + ")")


def char_table(chars: str) -> np.ndarray:
    """(65536,) bool lookup table of `chars` (BMP), for `in_table` over `DocView` line arrays."""
    table = np.zeros(65536, dtype=bool)
    table[[ord(c) for c in chars if ord(c) < 65536]] = True
    return table


def in_table(points: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Bool mask of code points in `table` (one gather; `np.isin` costs ~20x more per call)."""
    return table[np.minimum(points, 65535)]


def make_view(text: str, char_based: bool) -> DocView:
    """Split `text` once into the pieces every rule reads.

    Cost is linear in the text: two `split`s, one `Counter` over lines, one `set` over tokens.
    """
    tokens = CHAR_TOKEN.findall(text) if char_based else text.split()
    token_lens = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    lines = list(filter(None, map(str.strip, text.split("\n"))))
    paragraphs = list(filter(None, map(str.strip, _PARAGRAPH_BREAK.split(text))))
    joined = "\n" + "\n".join(lines) + "\n"
    # Code points of the joined lines (UTF-32 encode is one C pass): first/last characters of
    # every line as arrays, so "lines ending in punctuation" is one table lookup, not a Python loop.
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    newlines = np.flatnonzero(points == 10)
    starts, ends = newlines[:-1] + 1, newlines[1:] - 1  # lines are non-empty: start <= end
    line_lens = ends - starts + 1
    first, last = points[starts], points[ends]
    long_enough = line_lens > 1
    second = np.where(long_enough, points[np.minimum(starts + 1, ends)], 0).astype(np.uint32)
    before_last = np.where(long_enough, points[np.maximum(ends - 1, starts)], 0).astype(np.uint32)
    lower = text.lower()
    raw_words = set(CHAR_TOKEN.findall(lower)) if char_based else set(lower.split())
    # Strip punctuation on the unique tokens only (typically a third of all tokens).
    word_set = {w.strip(STRIP_CHARS) for w in raw_words}
    word_set.discard("")
    return DocView(
        text=text,
        char_based=char_based,
        tokens=tokens,
        token_lens=token_lens,
        lines=lines,
        joined=joined,
        line_lens=line_lens,
        first_chars=first, second_chars=second, last_chars=last, before_last=before_last,
        line_counts=Counter(lines),
        paragraphs=paragraphs,
        lower=lower,
        word_set=word_set,
    )
