"""Gopher quality and repetition signals (Rae et al. 2021, MassiveText, appendix A.1).

Each function measures one document (a `DocView`) and returns plain floats; the keep/drop
decision against thresholds happens once per batch in `udfs.rules`. A ratio whose denominator
is zero (empty document) is NaN, which no rule fires on (`input_empty` records those).

Repetition n-grams are hashed, not joined into strings: each token gets Python's (C-level,
cached) string hash, an n-gram's id is a polynomial over the ids of its tokens in uint64
arithmetic (numpy wraps silently), and counting is one `np.unique` per n. Characters are token
characters (white space excluded), so the figures mean the same for per-character tokens
(Chinese, Japanese).
"""

from __future__ import annotations

import re

import numpy as np

from udfs.text_view import DocView, char_table, in_table

QUALITY_SIGNALS = (
    "n_words",
    "mean_word_length",
    "hash_per_word",
    "ellipsis_per_word",
    "bullet_line_frac",
    "ellipsis_line_frac",
    "alpha_word_frac",
    "stop_word_count",
)
TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
REPETITION_SIGNALS = (
    "dup_line_frac",
    "dup_para_frac",
    "dup_line_char_frac",
    "dup_para_char_frac",
    *(f"top_{n}gram_char_frac" for n in TOP_NGRAM_SIZES),
    *(f"dup_{n}gram_char_frac" for n in DUP_NGRAM_SIZES),
)

# A token without any letter (digits, punctuation, symbols, underscores), searched in
# " tok1 tok2 … ": the literal leading space lets `re` jump between token starts (4x faster
# than a look-behind); those without any \w at all are symbol tokens, not words for Gopher.
_NO_LETTER_TOKEN = re.compile(r" ((?:[^\w\s]|[\d_])+)(?= )")
_WORD_CHAR = re.compile(r"\w")
# French typography puts a space before ; : ! ? and inside « »: those tokens are punctuation
# of a word, not words without letters (a French page would otherwise lose ~5 % of its
# alpha-word share, and short dialogue-heavy ones fall below Gopher's 0.8).
_SPACED_PUNCT = re.compile(r"[;:!?«»]+")
_BULLETS = char_table("•-*‣◦●▪–")
_DOT, _ELLIPSIS = ord("."), ord("…")
# Odd 64-bit multiplier for the n-gram polynomial (any large odd constant mixes well).
_NGRAM_PRIME = np.uint64(0x9E3779B97F4A7C15)
_NAN = float("nan")


def _ratio(num: float, den: float) -> float:
    return num / den if den else _NAN


def gopher_quality_signals(view: DocView, stop_words: frozenset[str] | None) -> tuple[float, ...]:
    """The `QUALITY_SIGNALS` of one document, in that order.

    `stop_words` is the language's list (None: no list for this language, count is NaN).
    """
    n_tokens = len(view.tokens)
    text, lines = view.text, view.lines
    if view.char_based:
        n_words, word_chars, no_letter, spaced = n_tokens, float(view.token_lens.sum()), 0, 0
    else:
        no_letters = _NO_LETTER_TOKEN.findall(" " + " ".join(view.tokens) + " ")  # few come back
        symbols = [t for t in no_letters if not _WORD_CHAR.search(t)]
        spaced = sum(1 for t in no_letters if _SPACED_PUNCT.fullmatch(t))
        no_letter = len(no_letters) - spaced
        n_words = n_tokens - len(symbols)
        word_chars = float(view.token_lens.sum()) - sum(map(len, symbols))
    return (
        float(n_words),
        _ratio(word_chars, n_words),
        _ratio(text.count("#"), n_tokens),
        _ratio(text.count("...") + text.count("…"), n_tokens),
        _ratio(int(in_table(view.first_chars, _BULLETS).sum()), len(lines)),
        _ratio(_ellipsis_lines(view), len(lines)),
        _ratio(n_tokens - spaced - no_letter, n_tokens - spaced),
        float(len(stop_words & view.word_set)) if stop_words is not None else _NAN,
    )


def _ellipsis_lines(view: DocView) -> int:
    """Lines ending in "…" or "..." (two dots before the last one: checked on those few lines)."""
    n = int((view.last_chars == _ELLIPSIS).sum())
    dots = np.flatnonzero((view.last_chars == _DOT) & (view.before_last == _DOT))
    return n + sum(1 for i in dots.tolist() if view.lines[i].endswith("..."))


def _duplicates(counts) -> tuple[int, int]:
    """(repeated elements, characters in repeats) over a Counter; first occurrences excluded."""
    n_dup = chars = 0
    for item, count in counts.items():
        if count > 1:
            n_dup += count - 1
            chars += len(item) * (count - 1)
    return n_dup, chars


def gopher_repetition_signals(view: DocView) -> tuple[float, ...]:
    """The `REPETITION_SIGNALS` of one document, in that order.

    Line/paragraph fractions count repeats beyond the first occurrence (by count, and by
    characters over all characters of the text). Top n-gram: characters of the most frequent
    n-gram times its count (0 when no n-gram occurs twice: in a 40-word text one unique 4-gram
    is 10 % of the characters, which is not repetition). Duplicate n-gram: characters of tokens covered by any n-gram that
    occurs more than once, each token counted once (Gopher's "taking care not to count
    overlapping n-grams twice"; first occurrences included).
    """
    text_chars = len(view.text)
    n_lines, n_paras = len(view.lines), len(view.paragraphs)
    dup_lines, dup_line_chars = _duplicates(view.line_counts)
    if n_paras > 1:
        para_counts: dict[str, int] = {}
        for p in view.paragraphs:
            para_counts[p] = para_counts.get(p, 0) + 1
        dup_paras, dup_para_chars = _duplicates(para_counts)
    else:
        dup_paras = dup_para_chars = 0
    head = (
        _ratio(dup_lines, n_lines),
        _ratio(dup_paras, n_paras),
        _ratio(dup_line_chars, text_chars),
        _ratio(dup_para_chars, text_chars),
    )
    return head + _ngram_signals(view.tokens, view.token_lens)


def _top_ngram_chars(grams: np.ndarray, cum: np.ndarray, n: int) -> float:
    """Characters of the most frequent n-gram x its count (ties: the longest such n-gram).

    A plain sort + run lengths (no argsort), then the winners' positions; the result never
    depends on the (per-process) string hash, only on which n-grams are equal.
    """
    ordered = np.sort(grams)
    bounds = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1], [True])))
    runs = np.diff(bounds)
    top = runs.max()
    if top == 1:  # nothing repeats; a long unique n-gram in a short text is not repetition
        return 0.0
    winners = ordered[bounds[:-1][runs == top]]
    if len(winners) > 16:
        idx = np.flatnonzero(np.isin(grams, winners))
    else:  # few winners: one equality scan each
        idx = np.array([np.flatnonzero(grams == v)[0] for v in winners])
    best = float((cum[idx + n] - cum[idx]).max())
    return float(top * best)


def _ngram_signals(tokens: list[str], lens: np.ndarray) -> tuple[float, ...]:
    n_tok = len(tokens)
    total = float(lens.sum())
    n_out = len(TOP_NGRAM_SIZES) + len(DUP_NGRAM_SIZES)
    if total == 0:
        return (_NAN,) * n_out
    ids = np.fromiter(map(hash, tokens), dtype=np.int64, count=n_tok).view(np.uint64)
    cum = np.concatenate(([0], np.cumsum(lens)))
    out: list[float] = []
    grams = ids
    covered_prev = True  # a duplicated (n+1)-gram implies a duplicated n-gram
    for n in range(2, DUP_NGRAM_SIZES[-1] + 1):
        if n_tok < n:
            out.extend([0.0] * (n_out - len(out)))
            break
        grams = grams[:-1] * _NGRAM_PRIME + ids[n - 1 :]  # (n_tok - n + 1,) ids of n-grams
        if n in TOP_NGRAM_SIZES:
            out.append(_top_ngram_chars(grams, cum, n) / total)
        elif n in DUP_NGRAM_SIZES:
            if not covered_prev:
                out.append(0.0)
                continue
            ordered = np.sort(grams)  # cheap test first: most texts repeat no 5-gram at all
            if not (ordered[1:] == ordered[:-1]).any():
                covered_prev = False
                out.append(0.0)
                continue
            _, inverse, counts = np.unique(grams, return_inverse=True, return_counts=True)
            starts = (counts[inverse] > 1).astype(np.int64)
            if not starts.any():
                covered_prev = False
                out.append(0.0)
                continue
            delta = np.zeros(n_tok + 1, dtype=np.int64)
            delta[: len(starts)] += starts
            delta[n : n + len(starts)] -= starts
            covered = np.cumsum(delta[:-1]) > 0
            out.append(float(lens[covered].sum()) / total)
    return tuple(out)
