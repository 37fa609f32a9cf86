"""The annotate stage's one pass: an Arrow batch of `raw_docs` in, every signal column out.

Per batch:
1. language of every document: one fastText call on every document's prose view (the score
   the keep rule reads), one for all paragraphs of the batch (shares, `lang_mixed`);
2. per document, one `DocView` (tokens, lines, paragraphs) read by the Gopher, C4, FineWeb,
   CJK, toxicity and category measurements; rules see at most `input.max_analysed_chars`
   characters, so a 50 MB document costs as much as a 1 MB one;
3. PII masking of the full text (`udfs.pii`, unless the Spark NLP engine already added the
   `text_masked`/`pii_counts`/`pii_total` columns) and the quality score (`udfs.quality_model`);
4. every drop rule at once over the batch's signal arrays (`udfs.rules.evaluate`), giving
   `kept` and `drop_reasons` (all rules that fired).

Models and word lists are loaded once per Python worker: `build_context` is cached by the
caller and reused for every batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from udfs import c4, category, cjk, fineweb, gopher, toxicity
from udfs.c4 import C4LineRules
from udfs.control_chars import CONTROL_CLASS
from udfs.langid import detect_languages, load_lid_model
from udfs.pii import pii_batch, pii_over_budget
from udfs.quality_model import load_quality_model, quality_scores
from udfs.rules import evaluate, language_tables, threshold_table
from udfs.stop_words import spacy_stop_word_langs, spacy_stop_words
from udfs.text_view import make_view

# The output columns are declared once, in tables.catalog's `annotated_docs`; the caller passes
# them (udfs import nothing of the project). Every double column there is a signal computed here.
PII_COLUMNS = ("text_masked", "pii_counts", "pii_total")
# Control characters (one definition, see udfs.control_chars) and U+FFFD, what a lossy decode leaves behind.
_CONTROL = re.compile(f"[{CONTROL_CLASS}\ufffd]")


@dataclass(frozen=True)
class AnnotateContext:
    """Everything a worker loads once: config sections, models, word lists, threshold table."""

    cfg: object
    """The `annotate` config section."""
    pii_cfg: object
    """The `pii` config section."""
    lid_model: object
    quality_model: object | None
    category_model: object | None
    lexicon: toxicity.Lexicon
    keywords: dict[str, toxicity.Lexicon]
    thresholds: np.ndarray
    lang_thresholds: dict[str, np.ndarray]
    """Tables of the languages in `annotate.language_overrides`."""
    stop_words: dict[str, frozenset[str]]
    stop_chars: dict[str, frozenset[str]]
    c4_lines: C4LineRules


def resolve_path(path: str, root: str | Path) -> str:
    """`path` as given when it exists (absolute or relative to the working folder), else under `root`."""
    p = Path(path)
    return str(p if p.is_absolute() or p.exists() else Path(root) / p)


def stop_word_lists(gopher_cfg) -> dict[str, frozenset[str]]:
    """Stop words per language: spaCy's bundled lists (`gopher.stop_words_source: spacy`), then
    the languages of `gopher.stop_words` replaced by their configured lists."""
    lists: dict[str, frozenset[str]] = {}
    if gopher_cfg.stop_words_source == "spacy":
        lists = {lang: spacy_stop_words(lang) for lang in spacy_stop_word_langs()}
    elif gopher_cfg.stop_words_source is not None:
        raise ValueError(f"annotate.gopher.stop_words_source must be spacy or null, "
                         f"got {gopher_cfg.stop_words_source!r}")
    lists.update({lang: frozenset(w.lower() for w in ws) for lang, ws in gopher_cfg.stop_words.items()})
    return lists


def build_context(cfg, pii_cfg, root: str | Path, quality_model_path: str | None = None,
                  category_model_path: str | None = None, lexicon: toxicity.Lexicon | None = None,
                  keywords: dict[str, toxicity.Lexicon] | None = None) -> AnnotateContext:
    """Load models and lists for `annotate_batch`; call once per worker and keep the result.

    Relative lexicon folders are looked up under `root` (the project folder) when they are not
    found from the working folder; the Spark job passes `lexicon`/`keywords` read on the driver
    instead, so workers need no copy of conf/. Model paths are passed resolved (the Spark job
    ships them with SparkFiles); None means no model.
    """
    return AnnotateContext(
        cfg=cfg,
        pii_cfg=pii_cfg,
        lid_model=load_lid_model(cfg.langid.model),
        quality_model=load_quality_model(quality_model_path) if quality_model_path else None,
        category_model=category.load_category_model(category_model_path) if category_model_path else None,
        lexicon=lexicon or toxicity.load_lexicon(resolve_path(cfg.toxicity.lexicon_dir, root)),
        keywords=keywords or category.load_keywords(resolve_path(cfg.category.keyword_dir, root)),
        thresholds=threshold_table(cfg),
        lang_thresholds=language_tables(cfg),
        stop_words=stop_word_lists(cfg.gopher),
        stop_chars={lang: frozenset(chars) for lang, chars in cfg.cjk.stop_chars.items()},
        c4_lines=C4LineRules(cfg.c4.terminal_punctuation, cfg.c4.min_words_per_line),
    )


def _doc_signals(text: str, lang: str, char_based: bool, ctx: AnnotateContext) -> tuple[tuple, tuple]:
    """(signals in `_SIGNAL_ORDER`, category signals) of one document."""
    cfg = ctx.cfg
    view = make_view(text, char_based)
    n_chars = len(text)
    control = len(_CONTROL.findall(text)) / n_chars if n_chars else 0.0
    quality = gopher.gopher_quality_signals(view, ctx.stop_words.get(lang))
    repetition = gopher.gopher_repetition_signals(view)
    c4_sig = c4.c4_signals(view, ctx.c4_lines)
    short = cfg.cjk.short_line_chars if char_based else cfg.fineweb.short_line_chars
    fw = fineweb.fineweb_signals(view, cfg.fineweb.terminal_punctuation, short)
    cjk_sig = cjk.cjk_signals(view, ctx.stop_chars.get(lang)) if char_based else (np.nan, np.nan)
    tox = toxicity.toxicity_signals(view, ctx.lexicon)
    cat = category.category_signals(view, ctx.keywords)
    return (control, *quality, *repetition, *c4_sig, *fw, *cjk_sig, *tox), cat


_SIGNAL_ORDER = (
    "control_char_frac",
    *gopher.QUALITY_SIGNALS,
    *gopher.REPETITION_SIGNALS,
    *c4.SIGNALS,
    *fineweb.SIGNALS,
    *cjk.SIGNALS,
    *toxicity.SIGNALS,
)


def annotate_texts(texts: list[str], ctx: AnnotateContext) -> tuple[dict[str, np.ndarray], list[str], list[str], np.ndarray]:
    """Signals of a list of texts: (signal arrays by name, langs, categories, char_based mask)."""
    cfg = ctx.cfg
    limit = cfg.input.max_analysed_chars
    heads = [t[:limit] if t else "" for t in texts]
    langs = detect_languages(ctx.lid_model, heads, cfg.langid.max_chars, cfg.langid.max_code_char_frac,
                             cfg.langid.max_removed_frac)
    char_langs = set(cfg.cjk.langs)
    char_based = np.fromiter((lang in char_langs for lang in langs.langs), dtype=bool, count=len(texts))
    rows, cat_rows = [], []
    for text, lang, cb in zip(heads, langs.langs, char_based.tolist()):
        sig, cat = _doc_signals(text, lang, cb, ctx)
        rows.append(sig)
        cat_rows.append(cat)
    n = len(texts)
    matrix = np.array(rows, dtype=np.float64).reshape(n, len(_SIGNAL_ORDER))
    signals = {name: matrix[:, j] for j, name in enumerate(_SIGNAL_ORDER)}
    cat_matrix = np.array(cat_rows, dtype=np.float64).reshape(n, len(category.SIGNALS))
    signals.update({name: cat_matrix[:, j] for j, name in enumerate(category.SIGNALS)})
    signals["lang_score"] = langs.scores
    signals["lang_share"] = langs.shares
    signals["lang_second_share"] = langs.second_shares
    categories = [category.category_from_signals(tuple(r), cfg.category) for r in cat_rows]
    if ctx.category_model is not None:
        predicted = category.model_categories(ctx.category_model, heads, cfg.category.model_max_chars,
                                              cfg.category.min_model_score)
        categories = [p if p in category.CATEGORIES else c for p, c in zip(predicted, categories)]
    return signals, langs.langs, categories, char_based


def annotate_batch(batch: pa.RecordBatch, ctx: AnnotateContext,
                   output_fields: Sequence[pa.Field]) -> pa.RecordBatch:
    """Every signal, `kept` and `drop_reasons` for one Arrow batch of `raw_docs` rows.

    Input columns are passed through unchanged (except that existing PII columns from the
    Spark NLP engine are reused, not recomputed); `output_fields` (the columns `annotated_docs`
    adds to `raw_docs`, in table order) are appended. A declared column that no signal fills
    raises KeyError naming it.
    """
    out_types = {f.name: f.type for f in output_fields}
    texts = batch.column("text").to_pylist()
    texts = [t if t is not None else "" for t in texts]
    n = len(texts)
    signals, langs, categories, char_based = annotate_texts(texts, ctx)
    signals["text_bytes"] = np.asarray(batch.column("text_bytes").to_numpy(zero_copy_only=False), dtype=np.float64)

    names = batch.schema.names
    if "pii_total" in names:
        pii = {c: batch.column(c) for c in PII_COLUMNS}
        pii_total = np.asarray(pii["pii_total"].to_numpy(zero_copy_only=False), dtype=np.int32)
    else:
        found = pii_batch(texts, ctx.pii_cfg)
        pii_total = np.asarray(found["pii_total"], dtype=np.int32)
        pii = {
            "text_masked": pa.array(found["text_masked"], type=pa.string()),
            "pii_counts": pa.array([list(d.items()) for d in found["pii_counts"]],
                                   type=pa.map_(pa.string(), pa.int32())),
            "pii_total": pa.array(pii_total, type=pa.int32()),
        }
    n_chars = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    over_budget = pii_over_budget(pii_total, n_chars, ctx.pii_cfg)

    if ctx.quality_model is not None:
        quality = np.asarray(quality_scores(ctx.quality_model, texts), dtype=np.float64)
        signals["quality_score"] = quality
        quality_arr = pa.array(quality, type=pa.float64(), mask=np.isnan(quality))
    else:
        signals["quality_score"] = np.full(n, np.nan)
        quality_arr = pa.nulls(n, type=pa.float64())

    cat_idx = np.array([category.CATEGORIES.index(c) for c in categories], dtype=np.int64)
    kept, reasons = evaluate(signals, cat_idx, char_based, ctx.thresholds, {"pii_over_budget": over_budget},
                             langs, ctx.lang_thresholds)
    reasons = reasons.cast(out_types["drop_reasons"])

    columns = {
        **pii,
        "lang": pa.array(langs, type=pa.string()),
        "lang_score": pa.array(signals["lang_score"], type=pa.float64()),
        "lang_mixed": pa.array(signals["lang_second_share"] >= ctx.cfg.langid.mixed_min_share, type=pa.bool_()),
        "category": pa.array(categories, type=pa.string()),
        "quality_score": quality_arr,
        "n_words": pa.array(signals["n_words"].astype(np.int32), type=pa.int32()),
        "toxicity_score": pa.array(signals["toxicity_score"], type=pa.float64()),
        "kept": pa.array(kept, type=pa.bool_()),
        "drop_reasons": reasons,
    }
    out_arrays = [batch.column(c) for c in names if c not in PII_COLUMNS]
    out_fields = [batch.schema.field(c) for c in names if c not in PII_COLUMNS]
    for field in output_fields:
        if field.name not in columns:
            if field.name not in signals:
                raise KeyError(f"annotated_docs declares column {field.name!r} but no annotate signal computes it")
            values = signals[field.name]
            columns[field.name] = pa.array(values, type=pa.float64(), mask=np.isnan(values))
        array = columns[field.name]
        # Declared nested types have non-null elements/values; the arrays built here do not say so.
        out_arrays.append(array if array.type == field.type else array.cast(field.type))
        out_fields.append(field)
    return pa.RecordBatch.from_arrays(out_arrays, schema=pa.schema(out_fields))
