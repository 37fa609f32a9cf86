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

# A line (stripped) looks like code when it starts with a keyword/statement, ends like a
# statement or an open bracket, opens a Python block, assigns, or carries an inline comment.
# str.startswith/endswith with tuples run in C: ~10x faster than one big line regex.
_CODE_STARTS = tuple(f"{k} " for k in (
    "def", "class", "import", "from", "return", "elif", "except", "function", "func", "fn", "public",
    "private", "protected", "static", "const", "let", "var", "package", "using", "namespace", "struct",
    "impl", "pub", "void", "int", "raise", "yield", "assert", "lambda", "async", "await", "#include",
    "#define")) + ("#ifdef", "#endif", "@", "//", "/*", "*/", "pass", "break", "continue", "return",
                   "if (", "for (", "while (", "switch (", "catch (", "} ")
_CODE_ENDS = (";", "{", "}", "(", "[", "):", "),", "],", "',", '",')
_BLOCK_STARTS = ("if ", "for ", "while ", "with ", "else", "try", "elif ", "except", "finally")
_ASSIGNMENT = re.compile(r"[A-Za-z_][\w.\[\]'\"]*[ \t]*(?:[-+*/|&]?=|:=)[ \t]*[^\s=]")

_MATH = re.compile(
    r"\$\$|\$[^$\n]{1,120}\$|\\(?:frac|sum|int|prod|lim|sqrt|alpha|beta|gamma|delta|epsilon|"
    r"theta|lambda|sigma|omega|pi|mathbb|mathrm|mathcal|cdot|times|leq|geq|neq|infty|partial|"
    r"begin|end|qquad|quad|left|right|dots|ldots|binom|forall|exists|in)\b"
)
# Markdown / documentation structure, on stripped lines: headings, fences, list items, quotes,
# tables, reST directives/fields, doctest prompts; plus underlines, man-page section names and
# lines that are only an API name (module.Class.method); indented blocks are counted on the text.
_MARKDOWN_STARTS = ("# ", "## ", "### ", "#### ", "##### ", "###### ", "```", "~~~", "- ", "* ", "+ ",
                    "> ", "|", ".. ", ">>> ", ":param", ":return", ":type", ":raises")
_UNDERLINE_CHARS = frozenset("=-~^\"'`*+#")
_MAN_SECTIONS = frozenset(("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "SEE ALSO"))
_ORDERED_ITEM = re.compile(r"\d+\.\s")
_API_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(.*\))?$")


def _is_markdown_line(line: str) -> bool:
    return (line.startswith(_MARKDOWN_STARTS)
            or (len(line) >= 3 and set(line) <= _UNDERLINE_CHARS)
            or line in _MAN_SECTIONS
            or _ORDERED_ITEM.match(line) is not None
            or _API_NAME.match(line) is not None)


def _is_code_line(line: str) -> bool:
    return (line.startswith(_CODE_STARTS)
            or line.endswith(_CODE_ENDS)
            or (line.endswith(":") and line.startswith(_BLOCK_STARTS))
            or "  #" in line
            or _ASSIGNMENT.match(line) is not None)


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
    lines, text = view.lines, view.text
    code = sum(map(_is_code_line, lines)) / n_lines if n_lines else 0.0
    math = 1000.0 * len(_MATH.findall(text)) / n_chars if n_chars else 0.0
    indented = text.count("\n    ") + text.count("\n\t")  # indented lines (code samples in docs)
    markdown = min(1.0, (sum(map(_is_markdown_line, lines)) + indented) / n_lines) if n_lines else 0.0
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
