"""Language ID on real text nobody here wrote, built at test time from what a Debian machine carries.

- technical English (`samples.technical_english`: package change logs, licences, stdlib
  docstrings): at most 5 % of it may be dropped by the language rules of the real config;
- labelled multilingual text (`samples.man_pages`: translated manual pages, labelled by their
  locale folder; `samples.texts`: hand-written pages in seven languages): the document-level
  prose-view label is at least as accurate as plain whole-document lid.176, measured here.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

from conf import load_config
from samples.man_pages import man_page_docs
from samples.technical_english import technical_english
from udfs import category
from udfs.annotate_batch import annotate_texts, build_context
from udfs.langid import detect_languages, load_lid_model
from udfs.rules import evaluate

MAX_LANGID_DROP_SHARE = 0.05  # the bar for technical English


@functools.lru_cache(maxsize=1)
def _ctx():
    cfg = load_config()
    return build_context(cfg.annotate, cfg.pii, ".")


def _langid_dropped(texts: list[str]) -> np.ndarray:
    """(n,) bool: a `langid_*` rule fired, with the real config, categories and thresholds."""
    ctx = _ctx()
    signals, langs, cats, char_based = annotate_texts(texts, ctx)
    n = len(texts)
    signals["text_bytes"] = np.array([len(t.encode("utf-8")) for t in texts], dtype=np.float64)
    signals["quality_score"] = np.full(n, np.nan)
    cat_idx = np.array([category.CATEGORIES.index(c) for c in cats])
    _, reasons = evaluate(signals, cat_idx, char_based, ctx.thresholds, {"pii_over_budget": np.zeros(n, bool)},
                          langs, ctx.lang_thresholds)
    return np.array([any(r.startswith("langid_") for r in rs) for rs in reasons.to_pylist()])


def test_technical_english_at_most_five_percent_dropped_by_language_rules():
    docs = technical_english()
    assert len(docs) >= 300, "the machine lacks /usr/share/doc change logs or common-licenses"
    dropped = _langid_dropped([d.text for d in docs])
    share = dropped.mean()
    print(f"technical English: {dropped.sum()}/{len(docs)} = {share:.1%} dropped by langid rules")
    assert share <= MAX_LANGID_DROP_SHARE, f"{dropped.sum()}/{len(docs)} dropped by langid rules"


def _plain_lid(texts: list[str]) -> list[str]:
    labels, _ = load_lid_model().predict([t.replace("\n", " ") for t in texts], k=1)
    return [lab[0][len("__label__"):] for lab in labels]


@pytest.mark.parametrize("corpus", ["man_pages", "handwritten"])
def test_prose_view_label_at_least_as_accurate_as_plain_lid176(corpus):
    if corpus == "man_pages":
        docs = man_page_docs()
        assert len({d.lang for d in docs}) >= 10, "the machine lacks translated manual pages"
    else:
        from samples.docs import handwritten_docs
        docs = handwritten_docs()
    texts, truth = [d.text for d in docs], [d.lang for d in docs]
    cfg = load_config().annotate.langid
    ours = detect_languages(load_lid_model(), texts, cfg.max_chars, cfg.max_code_char_frac, cfg.max_removed_frac).langs
    plain = _plain_lid(texts)
    ours_ok = sum(a == t for a, t in zip(ours, truth))
    plain_ok = sum(a == t for a, t in zip(plain, truth))
    print(f"{corpus}: prose view {ours_ok}/{len(docs)} = {ours_ok / len(docs):.1%}, "
          f"plain lid.176 {plain_ok}/{len(docs)} = {plain_ok / len(docs):.1%}")
    assert ours_ok >= plain_ok, f"prose view {ours_ok}/{len(docs)} vs plain lid.176 {plain_ok}/{len(docs)}"
    assert ours_ok / len(docs) >= 0.85
