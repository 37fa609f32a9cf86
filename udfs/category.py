"""Document category by rules (plus an optional fastText model); the category selects thresholds.

Categories: code, math, markdown, legal, news, forum, encyclopedic, and `web` for everything
else. Decision, first match wins:

1. `code` when the share of lines that look like code (keyword starts such as `def`/`import`/
   `#include`, statement ends `;`/`{`/`}`, assignments) reaches `min_code_line_frac`;
2. `math` when LaTeX markers (`$…$`, `$$`, `\\frac`, `\\sum`, …) per 1,000 characters reach
   `min_math_per_kchar`;
3. `markdown` (Markdown and documentation) when structure lines (headings, fences, list
   items, tables, reST directives and underlines, doctest prompts, man-page section names,
   API-name lines, indented code samples) reach `min_markdown_line_frac`;
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

from udfs.text_view import DocView, char_table, count_starts, in_table
from udfs.toxicity import Lexicon, parse_lexicon

KEYWORD_CATEGORIES = ("legal", "news", "forum", "encyclopedic")
CATEGORIES = ("code", "math", "markdown", *KEYWORD_CATEGORIES, "web")
SIGNALS = (
    "cat_code_line_frac",
    "cat_math_per_kchar",
    "cat_markdown_line_frac",
    *(f"cat_{c}_keywords" for c in KEYWORD_CATEGORIES),
)

# A line (stripped) looks like code when it ends like a statement, a call or an open block
# (`;{}()[]:` or `),`-style item ends: vectorised over the lines' last characters), starts with
# a keyword, assigns, or carries an inline comment (`str.count` / one regex over the joined
# lines). A line matching two patterns counts twice; the share is capped at 1.
_CODE_STARTS = ("def ", "class ", "import ", "from ", "return", "#include", "#define", "@", "//", "/*",
                "} ", "elif ", "except", "raise ", "public ", "private ", "const ", "let ", "var ", "func")
_CODE_END_CHARS = char_table(";{}()[]:")
_ITEM_END_BEFORE = char_table(")]'\"")  # "),", "',": items of a literal or argument list
_COMMA = ord(",")
_ASSIGNMENT = re.compile(r"\n[A-Za-z_][\w.\[\]'\"]*[ \t]*(?:[-+*/|&]?=|:=)[ \t]*[^\s=]")

_MATH = re.compile(
    r"\$\$|\$[^$\n]{1,120}\$|\\(?:frac|sum|int|prod|lim|sqrt|alpha|beta|gamma|delta|epsilon|"
    r"theta|lambda|sigma|omega|pi|mathbb|mathrm|mathcal|cdot|times|leq|geq|neq|infty|partial|"
    r"begin|end|qquad|quad|left|right|dots|ldots|binom|forall|exists|in)\b"
)
# Markdown / documentation structure: headings ("# "), fences, list items ("- ", "* ", "+ "),
# quotes ("> "), tables ("|") from the first two characters of each line; reST directives and
# fields, doctest prompts by `str.count`; underlines, ordered items, man-page sections and
# lines that are only an API name (module.Class.method) by one regex; indented blocks (code
# samples in docs) on the raw text.
_MD_FIRST_SPACE = char_table("#-*+>")   # followed by a space
_MD_FIRST_ANY = char_table("|")
_MD_DOUBLE = char_table("`~#")          # "```", "~~~", "##"
_SPACE = ord(" ")
_MARKDOWN_STARTS = (".. ", ">>> ", ":param", ":return", ":type", ":raises")
_MARKDOWN_LINES = re.compile(
    r"\n(?:\d+\.\s|[=\-~^\"'`*+#]{3,}\n|(?:NAME|SYNOPSIS|DESCRIPTION|OPTIONS|EXAMPLES|SEE ALSO)\n|"
    r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\([^\n]*\))?\n)")


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
    text, joined = view.text, view.joined
    if n_lines:
        first, second, last = view.first_chars, view.second_chars, view.last_chars
        code_lines = (int(in_table(last, _CODE_END_CHARS).sum())
                      + int(((last == _COMMA) & in_table(view.before_last, _ITEM_END_BEFORE)).sum())
                      + count_starts(view, _CODE_STARTS) + len(_ASSIGNMENT.findall(joined))
                      + joined.count("  #"))  # "  #": inline comments
        md_lines = (int((in_table(first, _MD_FIRST_SPACE) & (second == _SPACE)).sum())
                    + int(in_table(first, _MD_FIRST_ANY).sum())
                    + int((in_table(first, _MD_DOUBLE) & (second == first)).sum())
                    + count_starts(view, _MARKDOWN_STARTS) + len(_MARKDOWN_LINES.findall(joined))
                    + text.count("\n    ") + text.count("\n\t"))
        code, markdown = min(1.0, code_lines / n_lines), min(1.0, md_lines / n_lines)
    else:
        code = markdown = 0.0
    math = 1000.0 * len(_MATH.findall(text)) / n_chars if n_chars else 0.0
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
