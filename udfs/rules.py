"""The drop-rule table of the annotate stage, evaluated per batch with numpy.

Every rule compares one numeric signal column with one threshold from `annotate.<family>` in
conf/default.yaml: a `min_` key fires when the signal is below it, a `max_` key when above.
A null threshold disables the rule; a NaN signal (not measured, e.g. an empty document's
ratios) never fires. Per category, `annotate.skip_families.<category>` turns whole families
off and `annotate.category_overrides.<category>.<family>.<key>` replaces single thresholds.
Per language, `annotate.language_overrides.<lang>.<family>.<key>` does the same (a language
axis beside the category one); a category override is more specific and wins over a language
one, and a skipped family stays skipped.
`scripts` limits a rule to white-space languages ("words") or per-character ones ("chars").

`evaluate` returns all rules that fired per document (not only the first), as an Arrow
list<string> built from one `np.nonzero` over the (docs x rules) fire matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from udfs.category import CATEGORIES
from udfs.gopher import DUP_NGRAM_SIZES, TOP_NGRAM_SIZES


@dataclass(frozen=True, slots=True)
class Rule:
    """One drop rule: `reason` fires when `signal` is beyond `annotate.<family>.<key>`."""

    reason: str
    family: str
    key: str
    signal: str
    scripts: str = "all"


RULES: tuple[Rule, ...] = (
    Rule("input_empty", "input", "min_words", "n_words"),
    Rule("input_binary", "input", "max_control_char_frac", "control_char_frac"),
    Rule("input_too_long", "input", "max_text_bytes", "text_bytes"),
    Rule("langid_low_score", "langid", "min_score", "lang_score"),
    Rule("langid_low_share", "langid", "min_share", "lang_share"),
    Rule("gopher_few_words", "gopher", "min_words", "n_words", "words"),
    Rule("gopher_many_words", "gopher", "max_words", "n_words", "words"),
    Rule("gopher_short_words", "gopher", "min_mean_word_length", "mean_word_length", "words"),
    Rule("gopher_long_words", "gopher", "max_mean_word_length", "mean_word_length", "words"),
    Rule("gopher_many_hashes", "gopher", "max_symbol_word_ratio", "hash_per_word"),
    Rule("gopher_many_ellipses", "gopher", "max_symbol_word_ratio", "ellipsis_per_word"),
    Rule("gopher_many_bullet_lines", "gopher", "max_bullet_line_frac", "bullet_line_frac"),
    Rule("gopher_many_ellipsis_lines", "gopher", "max_ellipsis_line_frac", "ellipsis_line_frac"),
    Rule("gopher_few_alpha_words", "gopher", "min_alpha_word_frac", "alpha_word_frac", "words"),
    Rule("gopher_few_stop_words", "gopher", "min_stop_words", "stop_word_count", "words"),
    Rule("gopher_rep_dup_lines", "gopher_rep", "max_dup_line_frac", "dup_line_frac"),
    Rule("gopher_rep_dup_paragraphs", "gopher_rep", "max_dup_para_frac", "dup_para_frac"),
    Rule("gopher_rep_dup_line_chars", "gopher_rep", "max_dup_line_char_frac", "dup_line_char_frac"),
    Rule("gopher_rep_dup_para_chars", "gopher_rep", "max_dup_para_char_frac", "dup_para_char_frac"),
    *(
        Rule(f"gopher_rep_top_{n}gram", "gopher_rep", f"max_top_{n}gram_char_frac", f"top_{n}gram_char_frac")
        for n in TOP_NGRAM_SIZES
    ),
    # white-space languages only: over per-character tokens a 5-character phrase is ~3 words,
    # and a clean 300-character Japanese page repeating its title trips the 0.15 limit (the
    # bias report on the 1 GB sample showed 42-48 % of zh/ja dropped by it, ~5 % of the rest);
    # CJK keyword spam is still caught by the top-n-gram and duplicate-line rules.
    *(
        Rule(f"gopher_rep_dup_{n}gram", "gopher_rep", f"max_dup_{n}gram_char_frac", f"dup_{n}gram_char_frac", "words")
        for n in DUP_NGRAM_SIZES
    ),
    Rule("c4_few_sentences", "c4", "min_sentences", "c4_sentences"),
    Rule("c4_lorem_ipsum", "c4", "max_lorem_ipsum", "c4_lorem_ipsum"),
    Rule("c4_curly_bracket", "c4", "max_curly_brackets", "c4_curly_brackets"),
    Rule("c4_long_word", "c4", "max_word_chars", "max_word_chars"),
    Rule("c4_many_removed_lines", "c4", "max_removed_line_frac", "c4_removed_line_frac"),
    Rule("fineweb_few_punct_lines", "fineweb", "min_punct_line_frac", "punct_line_frac"),
    Rule("fineweb_many_short_lines", "fineweb", "max_short_line_frac", "short_line_frac"),
    Rule("fineweb_dup_line_chars", "fineweb", "max_dup_line_char_frac", "dup_line_char_frac"),
    Rule("fineweb_many_newlines", "fineweb", "max_newline_per_word", "newline_per_word"),
    Rule("cjk_few_chars", "cjk", "min_chars", "cjk_chars", "chars"),
    Rule("cjk_many_chars", "cjk", "max_chars", "cjk_chars", "chars"),
    Rule("cjk_few_stop_chars", "cjk", "min_stop_chars", "cjk_stop_chars", "chars"),
    Rule("toxicity_high_score", "toxicity", "max_score", "toxicity_score"),
    Rule("quality_low_score", "quality", "min_score", "quality_score"),
)
# Decided outside this table (by udfs.pii with the `pii` config section), appended last.
EXTERNAL_REASONS = ("pii_over_budget",)
REASONS: tuple[str, ...] = tuple(r.reason for r in RULES) + EXTERNAL_REASONS


def _threshold(cfg, rule: Rule, category: str, lang: str | None = None) -> float:
    """Threshold of `rule` for `category` (and `lang`; NaN = disabled), overrides and skips applied."""
    if rule.family in cfg.skip_families.get(category, []):
        return np.nan
    override = cfg.category_overrides.get(category, {}).get(rule.family, {})
    by_lang = cfg.language_overrides.get(lang, {}).get(rule.family, {}) if lang else {}
    if rule.key in override:
        value = override[rule.key]
    elif rule.key in by_lang:
        value = by_lang[rule.key]
    else:
        value = getattr(getattr(cfg, rule.family), rule.key)
    return np.nan if value is None else float(value)


def _check_overrides(section: str, overrides: dict) -> None:
    families = {r.family for r in RULES}
    for name, fams in overrides.items():
        for family, keys in fams.items():
            if family not in families:
                raise ValueError(f"annotate.{section}.{name}: unknown family '{family}'")
            for key in keys:
                if not any(r.family == family and r.key == key for r in RULES):
                    raise ValueError(f"annotate.{section}.{name}.{family}: unknown key '{key}'")


def threshold_table(cfg) -> np.ndarray:
    """(n_categories, n_rules) float64 thresholds, NaN where disabled; built once per worker.

    `cfg` is the `annotate` config section; rows follow `udfs.category.CATEGORIES`.
    """
    for category in (*cfg.skip_families, *cfg.category_overrides):
        if category not in CATEGORIES:
            raise ValueError(f"annotate: unknown category '{category}' (known: {', '.join(CATEGORIES)})")
    _check_overrides("category_overrides", cfg.category_overrides)
    return np.array([[_threshold(cfg, r, c) for r in RULES] for c in CATEGORIES], dtype=np.float64)


def language_tables(cfg) -> dict[str, np.ndarray]:
    """Per language of `annotate.language_overrides`, its own (n_categories, n_rules) table."""
    _check_overrides("language_overrides", cfg.language_overrides)
    return {lang: np.array([[_threshold(cfg, r, c, lang) for r in RULES] for c in CATEGORIES], dtype=np.float64)
            for lang in cfg.language_overrides}


def evaluate(signals: dict[str, np.ndarray], category_idx: np.ndarray, char_based: np.ndarray,
             table: np.ndarray, external: dict[str, np.ndarray], langs: list[str] | None = None,
             lang_tables: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, pa.ListArray]:
    """(kept (n,) bool, drop_reasons list<string>) for one batch.

    `signals[name]` are (n,) float arrays, `category_idx` (n,) rows of `table`, `char_based`
    (n,) bool, `external[reason]` (n,) bool for each of `EXTERNAL_REASONS`; documents whose
    `langs[i]` has a table in `lang_tables` (`language_tables`) read their thresholds there.
    """
    n = len(category_idx)
    fired = np.zeros((n, len(REASONS)), dtype=bool)
    for k, reason in enumerate(EXTERNAL_REASONS):
        fired[:, len(RULES) + k] = external[reason]
    thresholds = table[category_idx]  # (n, n_rules)
    if langs is not None and lang_tables:
        lang_arr = np.asarray(langs, dtype=object)
        for lang, lang_table in lang_tables.items():
            rows_of = np.flatnonzero(lang_arr == lang)
            thresholds[rows_of] = lang_table[category_idx[rows_of]]
    for j, rule in enumerate(RULES):
        sig = np.asarray(signals[rule.signal], dtype=np.float64)
        thr = thresholds[:, j]
        with np.errstate(invalid="ignore"):
            hit = sig < thr if rule.key.startswith("min_") else sig > thr
        if rule.scripts == "words":
            hit &= ~char_based
        elif rule.scripts == "chars":
            hit &= char_based
        fired[:, j] = hit  # comparisons with NaN are False: disabled or not measured
    rows, cols = np.nonzero(fired)  # row-major: reasons of a doc stay in table order
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    values = pa.array(np.asarray(REASONS, dtype=object)[cols].tolist(), type=pa.string())
    reasons = pa.ListArray.from_arrays(pa.array(offsets), values)
    return ~fired.any(axis=1), reasons
