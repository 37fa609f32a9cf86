"""Document category by rules (plus an optional fastText model); the category selects thresholds.

Categories: code, math, markdown, legal, news, forum, encyclopedic, and `web` for everything
else. Decision, first match wins:

1. `code` when the share of lines that look like code (keyword starts such as `def`/`import`/
   `#include`, statement ends `;`/`{`/`}`, assignments) reaches `min_code_line_frac`;
2. `math` when LaTeX markers (`$…$`, `$$`, `\\frac`, `\\sum`, …) per 1,000 characters reach
   `min_math_per_kchar`;
3. `markdown` when Markdown/doc structure lines (headings, fences, list items, tables,
   man-page section names) reach `min_markdown_line_frac`;
4. the keyword category (legal, news, forum, encyclopedic; multilingual lists in
   `conf/lexicons/category/`) with the most distinct keywords present, if at least
   `min_keyword_hits` (ties: that order);
5. otherwise `web`.

With a fastText model configured, its label replaces the rules' answer when its probability
reaches `min_model_score`. Every measured figure is kept as a `cat_*` signal column.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from udfs.text_view import DocView
from udfs.toxicity import Lexicon, parse_lexicon

KEYWORD_CATEGORIES = ("legal", "news", "forum", "encyclopedic")
CATEGORIES = ("code", "math", "markdown", *KEYWORD_CATEGORIES, "web")
SIGNALS = (
    "cat_code_line_frac",
    "cat_math_per_kchar",
    "cat_markdown_line_frac",
    *(f"cat_{c}_keywords" for c in KEYWORD_CATEGORIES),
)

_CODE_LINE = re.compile(
    r"^[ \t]*(?:"
    r"(?:def|class|import|from|return|elif|except|finally|function|func|fn|public|private|"
    r"protected|static|const|let|var|package|using|namespace|struct|impl|pub|void|int|"
    r"#include|#define|#ifdef|#endif|@\w+)\b.*"
    r"|(?:if|for|while|switch|catch)\s*\(.*"
    r"|[A-Za-z_][\w.\[\]]*\s*(?:=|\+=|-=|:=)\s*\S.*"
    r"|//.*|/\*.*|\*/.*"
    r"|.*[;{}]|.*\)\s*:"
    r")[ \t]*$",
    re.MULTILINE,
)
_MATH = re.compile(
    r"\$\$|\$[^$\n]{1,120}\$|\\(?:frac|sum|int|prod|lim|sqrt|alpha|beta|gamma|delta|epsilon|"
    r"theta|lambda|sigma|omega|pi|mathbb|mathrm|mathcal|cdot|times|leq|geq|neq|infty|partial|"
    r"begin|end|qquad|quad|left|right|dots|ldots|binom|forall|exists|in)\b"
)
_MARKDOWN_LINE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+\S|```|~~~|[-*+][ \t]+\S|\d+\.[ \t]+\S|>[ \t]|\|.*\||"
    r"(?:NAME|SYNOPSIS|DESCRIPTION|OPTIONS|EXAMPLES|SEE ALSO)[ \t]*$)",
    re.MULTILINE,
)


@functools.lru_cache(maxsize=4)
def load_keywords(folder: str) -> dict[str, Lexicon]:
    """Keyword lists per category from `<folder>/<category>.txt` (cached per worker)."""
    out = {}
    for name in KEYWORD_CATEGORIES:
        path = Path(folder) / f"{name}.txt"
        out[name] = parse_lexicon(path.read_text(encoding="utf-8").splitlines())
    return out


def _distinct_hits(view: DocView, lexicon: Lexicon) -> int:
    return len(lexicon.words & view.word_set) + lexicon.phrase_hits(view.lower)[0]


def category_signals(view: DocView, keywords: dict[str, Lexicon]) -> tuple[float, ...]:
    """The category `SIGNALS` of one document, in that order."""
    n_lines = len(view.lines)
    n_chars = len(view.text)
    code = len(_CODE_LINE.findall(view.text)) / n_lines if n_lines else 0.0
    math = 1000.0 * len(_MATH.findall(view.text)) / n_chars if n_chars else 0.0
    markdown = len(_MARKDOWN_LINE.findall(view.text)) / n_lines if n_lines else 0.0
    hits = tuple(float(_distinct_hits(view, keywords[c])) for c in KEYWORD_CATEGORIES)
    return (code, math, markdown, *hits)


def category_from_signals(signals: tuple[float, ...], cfg) -> str:
    """The rule-based category of one document from its `category_signals`.

    `cfg` has `min_code_line_frac`, `min_math_per_kchar`, `min_markdown_line_frac` and
    `min_keyword_hits` (annotate.category in conf/default.yaml).
    """
    code, math, markdown, *hits = signals
    if code >= cfg.min_code_line_frac:
        return "code"
    if math >= cfg.min_math_per_kchar:
        return "math"
    if markdown >= cfg.min_markdown_line_frac:
        return "markdown"
    best = max(range(len(hits)), key=lambda i: (hits[i], -i))
    if hits[best] >= cfg.min_keyword_hits:
        return KEYWORD_CATEGORIES[best]
    return "web"


@functools.lru_cache(maxsize=2)
def load_category_model(path: str):
    """Optional fastText category model (labels `__label__<category>`), once per worker."""
    import fasttext

    return fasttext.load_model(path)


def model_categories(model, texts: list[str], max_chars: int, min_score: float) -> list[str | None]:
    """fastText category per text, or None where its probability is below `min_score`."""
    lines = [t[:max_chars].replace("\n", " ") for t in texts]
    labels, probs = model.predict(lines, k=1, on_unicode_error="replace")
    out: list[str | None] = []
    for label, prob in zip(labels, probs):
        ok = bool(label) and len(prob) and float(prob[0]) >= min_score
        out.append(label[0][len("__label__"):] if ok else None)
    return out
