"""C4 signals (Raffel et al. 2020, section 2.2), measured without rewriting the text.

C4 deletes lines (no terminal punctuation, fewer than 3 words, "javascript", cookie/policy
notices) and then drops pages with fewer than 5 sentences, "lorem ipsum" or a curly bracket.
A filter here decides and never rewrites, so the line pass only *counts*: the sentences that
would survive C4's line filter, and the share of lines it would delete. Curly brackets and
"lorem ipsum" are counted over the whole page, as the paper states. The bad-words list is the
toxicity family's job (`udfs.toxicity`), shared by every language.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from udfs.text_view import CHAR_TOKEN, DocView

SIGNALS = ("c4_sentences", "c4_removed_line_frac", "c4_lorem_ipsum", "c4_curly_brackets", "max_word_chars")

_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies")
# A sentence ends at ., ! or ? followed by space or line end, or at a full-width 。！？
# (Chinese/Japanese put no space after them).
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|[。！？]+")


@dataclass(frozen=True, slots=True)
class C4LineRules:
    """Line-level parameters of C4 (document thresholds live in `udfs.rules`)."""

    terminal_punctuation: str
    """A kept line ends with one of these characters (C4: . ! ? " ')."""
    min_words_per_line: int
    """A kept line has at least this many words (characters for char-based languages)."""


def c4_signals(view: DocView, rules: C4LineRules) -> tuple[float, ...]:
    """The C4 `SIGNALS` of one document, in that order.

    Cost: one regex over the joined lines picks the lines ending in terminal punctuation (C);
    Python then touches only those lines, and checks javascript/policy per line only when the
    page mentions them at all.
    """
    kept_lines = _terminal_lines(rules.terminal_punctuation).findall(view.joined)
    if view.char_based:
        kept_lines = [ln for ln in kept_lines if len(CHAR_TOKEN.findall(ln)) >= rules.min_words_per_line]
    else:  # n words = spaces + 1 (lines are stripped)
        kept_lines = [ln for ln in kept_lines if ln.count(" ") + 1 >= rules.min_words_per_line]
    low = view.lower
    if "javascript" in low or any(p in low for p in _POLICY):
        kept_lines = [ln for ln in kept_lines
                      if "javascript" not in ln.lower() and not any(p in ln.lower() for p in _POLICY)]
    # sentences: every ". " / "!" / "?" end, and at least one per kept line
    ends = _SENTENCE_END.findall("\n".join(kept_lines)) if kept_lines else []
    sentences = len(ends) + sum(1 for ln in kept_lines if _SENTENCE_END.search(ln) is None)
    n_lines = len(view.lines)
    return (
        float(sentences),
        (n_lines - len(kept_lines)) / n_lines if n_lines else float("nan"),
        float(view.lower.count("lorem ipsum")),
        float(view.text.count("{")),
        float(view.token_lens.max()) if len(view.token_lens) else 0.0,
    )


@functools.lru_cache(maxsize=8)
def _terminal_lines(terminal_punctuation: str) -> re.Pattern:
    """Whole lines (of `DocView.joined`) ending in one of the characters, not in "..."."""
    chars = re.escape(terminal_punctuation)
    return re.compile(rf"(?<=\n)([^\n]*[{chars}])(?<!\.\.\.)(?=\n)")
