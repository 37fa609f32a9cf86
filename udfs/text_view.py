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

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

# One token per non-space character, ASCII words/numbers kept whole (char-based languages).
_CHAR_TOKEN = re.compile(r"[A-Za-z0-9_]+|\S")
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
    line_counts: Counter
    """How often each stripped line occurs (duplicate-line rules)."""
    paragraphs: list[str]
    """Non-empty paragraphs (blank-line separated), stripped."""
    lower: str
    """`text.lower()`, computed once for the case-insensitive rules."""
    word_set: set[str]
    """Unique lower-cased tokens with surrounding punctuation stripped (stop words, lexicons)."""


def make_view(text: str, char_based: bool) -> DocView:
    """Split `text` once into the pieces every rule reads.

    Cost is linear in the text: two `split`s, one `Counter` over lines, one `set` over tokens.
    """
    tokens = _CHAR_TOKEN.findall(text) if char_based else text.split()
    token_lens = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    paragraphs = [p for p in map(str.strip, _PARAGRAPH_BREAK.split(text)) if p]
    lower = text.lower()
    raw_words = set(_CHAR_TOKEN.findall(lower)) if char_based else set(lower.split())
    # Strip punctuation on the unique tokens only (typically a third of all tokens).
    word_set = {w.strip(STRIP_CHARS) for w in raw_words}
    word_set.discard("")
    return DocView(
        text=text,
        char_based=char_based,
        tokens=tokens,
        token_lens=token_lens,
        lines=lines,
        line_counts=Counter(lines),
        paragraphs=paragraphs,
        lower=lower,
        word_set=word_set,
    )
