"""Toxicity word lists: parsing, whole-word and substring matching, score per token."""
from __future__ import annotations

import pytest

from udfs.text_view import make_view
from udfs.toxicity import load_lexicon, parse_lexicon, toxicity_signals

LEX = parse_lexicon(["# comment", "Badword", "two words", "坏话", "", "  spaced  # trailing comment"])


def test_parse_lexicon_splits_words_and_phrases_case_folded():
    assert LEX.words == frozenset({"badword", "spaced"})
    assert [p for p, _ in LEX.phrases] == ["two words", "坏话"]


def test_toxicity_counts_every_occurrence_whole_words_only():
    view = make_view("A badword, another BADWORD; badwords and two words here.", False)
    hits, score = toxicity_signals(view, LEX)
    assert hits == 3  # badword x2 (punctuation stripped, case folded) + "two words"; "badwords" is not one
    assert score == pytest.approx(3 / 9)


def test_toxicity_cjk_entry_matched_as_substring():
    view = make_view("他说了坏话。这是坏话吗？", True)
    assert toxicity_signals(view, LEX)[0] == 2


def test_toxicity_phrase_not_inside_longer_words():
    view = make_view("we saw atwo wordsmith", False)
    assert toxicity_signals(view, LEX)[0] == 0


def test_shipped_lexicons_load_and_catch_english_profanity():
    lexicon = load_lexicon("conf/lexicons/toxicity")
    assert {"fuck", "scheiße", "merde"} <= lexicon.words
    assert toxicity_signals(make_view("What the fuck.", False), lexicon)[0] == 1
