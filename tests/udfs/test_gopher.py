"""Gopher quality and repetition signals on tiny texts whose values are counted by hand."""
from __future__ import annotations

import math

import pytest

from udfs.gopher import QUALITY_SIGNALS, REPETITION_SIGNALS, gopher_quality_signals, gopher_repetition_signals
from udfs.text_view import make_view


def quality(text, stop=frozenset({"the", "and", "of"})):
    return dict(zip(QUALITY_SIGNALS, gopher_quality_signals(make_view(text, False), stop)))


def repetition(text):
    return dict(zip(REPETITION_SIGNALS, gopher_repetition_signals(make_view(text, False))))


def test_quality_counts_words_symbols_and_stop_words():
    q = quality("The cat and the dog ... # 42\n- a list item\nend of it…")
    # tokens: The cat and the dog ... # 42 - a list item end of it… = 15; symbol-only: ... # - = 3
    assert q["n_words"] == 12
    assert q["hash_per_word"] == pytest.approx(1 / 15)
    assert q["ellipsis_per_word"] == pytest.approx(2 / 15)       # "..." and "…"
    assert q["bullet_line_frac"] == pytest.approx(1 / 3)          # "- a list item"
    assert q["ellipsis_line_frac"] == pytest.approx(1 / 3)        # "end of it…"
    assert q["alpha_word_frac"] == pytest.approx(11 / 15)         # ... # 42 - have no letter
    assert q["stop_word_count"] == 3                              # the, and, of
    # word characters: 3+3+3+3+3 +2 +1+4+4 +3+2+3 (it… = 3) = 34 over 12 words
    assert q["mean_word_length"] == pytest.approx(34 / 12)


def test_quality_language_without_list_has_no_stop_count():
    q = dict(zip(QUALITY_SIGNALS, gopher_quality_signals(make_view("words here", False), None)))
    assert math.isnan(q["stop_word_count"])


def test_repetition_duplicate_lines_and_paragraphs_by_count_and_chars():
    text = "alpha beta\n\nalpha beta\n\ngamma"
    r = repetition(text)
    assert r["dup_line_frac"] == pytest.approx(1 / 3)
    assert r["dup_para_frac"] == pytest.approx(1 / 3)
    assert r["dup_line_char_frac"] == pytest.approx(len("alpha beta") / len(text))


def test_repetition_top_and_duplicate_ngrams():
    # "a b" occurs 3 times; tokens chars total = 9 (9 one-letter tokens)
    r = repetition("a b c a b d a b e")
    assert r["top_2gram_char_frac"] == pytest.approx(3 * 2 / 9)
    assert r["top_3gram_char_frac"] == 0.0  # no 3-gram occurs twice
    # 5-grams: every one distinct -> no duplicated 5-gram
    assert r["dup_5gram_char_frac"] == 0.0


def test_repetition_duplicated_5gram_covers_both_occurrences():
    r = repetition("one two three four five X one two three four five Y")
    # tokens chars: 3+3+5+4+4+1 twice = 40; both copies of the 5-gram (19 chars each) covered
    assert r["dup_5gram_char_frac"] == pytest.approx(38 / 40)
    assert r["dup_6gram_char_frac"] == 0.0


def test_repetition_empty_text_nan_not_zero():
    r = repetition("")
    assert all(math.isnan(v) for v in r.values())
