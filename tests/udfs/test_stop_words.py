"""spaCy's bundled stop-word lists, read without importing spaCy, and their use in annotate."""
from __future__ import annotations

from conf import load_config
from udfs.annotate_batch import stop_word_lists
from udfs.stop_words import spacy_stop_word_langs, spacy_stop_words


def test_spacy_lists_cover_the_pipeline_languages():
    langs = set(spacy_stop_word_langs())
    assert {"de", "fr", "es", "ru", "sv", "ko", "it", "pt", "nl", "pl", "uk", "ja", "zh"} <= langs
    assert {"le", "et", "est"} <= spacy_stop_words("fr") and "och" in spacy_stop_words("sv")
    assert spacy_stop_words("xx-none") is None


def test_config_list_replaces_spacy_list_of_its_language():
    lists = stop_word_lists(load_config().annotate.gopher)
    assert lists["en"] == frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})  # Gopher's eight
    assert lists["de"] == spacy_stop_words("de")
    none = stop_word_lists(load_config(overrides=["annotate.gopher.stop_words_source=null"]).annotate.gopher)
    assert set(none) == {"en"}
