"""Bias report and summary over stage_stats rows (pure Python, no JVM)."""
from __future__ import annotations

from spark_jobs.annotate_report import bias_warnings, missing_stop_word_warnings, summary_lines


def _io(category, lang, docs_in, docs_out, bytes_in=1000):
    return {"category": category, "lang": lang, "reason": None, "docs_in": docs_in, "docs_out": docs_out,
            "bytes_in": bytes_in, "bytes_out": bytes_in * docs_out // max(docs_in, 1),
            "tokens_est_in": bytes_in // 3, "tokens_est_out": bytes_in * docs_out // max(docs_in, 1) // 3,
            "docs_dropped": docs_in - docs_out}


def _reason(category, lang, reason, dropped, docs_in):
    return {"category": category, "lang": lang, "reason": reason, "docs_in": docs_in, "docs_out": 0,
            "bytes_in": 0, "bytes_out": 0, "tokens_est_in": 0, "tokens_est_out": 0, "docs_dropped": dropped}


ROWS = [
    _io("web", "en", 100, 90), _io("web", "zh", 50, 25), _io("code", "en", 50, 48),
    # stop-word rule: 20 of 50 Chinese docs (40 %) vs 5 of 150 others (3.3 %)
    _reason("web", "zh", "cjk_few_stop_chars", 20, 50), _reason("web", "en", "gopher_few_stop_words", 5, 100),
    # a rule hitting everyone alike: 5 % everywhere, no warning
    _reason("web", "en", "c4_few_sentences", 5, 100), _reason("web", "zh", "c4_few_sentences", 3, 50),
    _reason("code", "en", "c4_few_sentences", 2, 50),
]


def test_bias_warnings_rule_hitting_one_language_warned():
    warnings = bias_warnings(ROWS, min_ratio=3.0, min_gap=0.10, min_docs=20)
    got = {(w.reason, w.dimension, w.group) for w in warnings}
    assert ("cjk_few_stop_chars", "lang", "zh") in got
    w = next(w for w in warnings if w.reason == "cjk_few_stop_chars" and w.dimension == "lang")
    assert w.group_share == 20 / 50 and w.rest_share == 0.0 and w.group_docs == 50
    assert not any(w.reason == "c4_few_sentences" for w in warnings)


def test_bias_warnings_group_below_min_docs_not_warned():
    warnings = bias_warnings(ROWS, min_ratio=3.0, min_gap=0.10, min_docs=60)
    assert not any(w.group == "zh" for w in warnings)  # 50 Chinese documents < 60


def test_summary_lines_totals_and_reasons():
    lines = summary_lines(ROWS, seconds=2.0)
    assert lines[0].startswith("annotate: 200 docs in, 163 kept")
    assert any("cjk_few_stop_chars" in line and line.rstrip().endswith("20") for line in lines)
    assert any(line.strip().startswith("c4_few_sentences") and line.rstrip().endswith("10") for line in lines)


def test_missing_stop_word_warnings_name_unlisted_languages_in_volume_only():
    rows = [
        {"category": "web", "lang": "en", "reason": None, "docs_in": 500, "docs_dropped": 0},
        {"category": "web", "lang": "eo", "reason": None, "docs_in": 40, "docs_dropped": 0},
        {"category": "news", "lang": "eo", "reason": None, "docs_in": 10, "docs_dropped": 0},
        {"category": "web", "lang": "xx", "reason": None, "docs_in": 5, "docs_dropped": 0},
        {"category": "web", "lang": "zh", "reason": None, "docs_in": 90, "docs_dropped": 0},
        {"category": "web", "lang": "eo", "reason": "c4_few_sentences", "docs_in": 40, "docs_dropped": 3},
    ]
    lines = missing_stop_word_warnings(rows, {"en"}, {"zh", "ja"}, 20)
    assert lines == ["stop words: no list for lang=eo (50 docs): gopher_few_stop_words does not judge them"]
