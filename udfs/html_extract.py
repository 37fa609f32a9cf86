"""HTML page -> main text, with navigation, sidebars, cookie banners and footers left out.

Two maintained extractors sit behind one interface so they can be measured on the same pages:

- **resiliparse** (`extract_plain_text(main_content=True, preserve_formatting=True)`): a C++ DOM
  (lexbor) plus block-level heuristics; paragraph breaks come out as blank lines, `<pre>` keeps its
  indentation, table cells are tab-separated, list items get bullets. This is the default.
- **trafilatura** (`extract(output_format="markdown", fast=True)`): lxml plus XPath/text-density
  heuristics; tables become Markdown pipes and code blocks fenced.

Why resiliparse (`bench/bench_warc.py`, 3,000 generated pages with known main text and
boilerplate, one process, per CPU second; BENCHMARKS.md "WARC ingest"):

| extractor | MB of HTML/s | main-text recall | boilerplate leak |
|---|---|---|---|
| resiliparse 2.0.1 | 52.9 | 1.000 | 0.190 |
| trafilatura 2.3.1 (fast) | 8.9 | 0.887 | 0.000 |
| trafilatura 2.3.1 (with fallbacks) | 4.8 | 0.940 | 0.004 |

- Speed: 6-8x trafilatura (5.9x in this run, 8.1x in a quieter one). Extraction is over half of
  the WARC reader's CPU per record (reader alone: 32.9 MB/s), so with trafilatura the reader
  would drop to ~8 MB/s per core.
- Recall: trafilatura keeps one content node, so forum threads lose every post after the first
  (recall ~0.5 on those pages); resiliparse keeps all of them.
- Leak, the cost of the choice: on "div soup" pages without `<nav>`/`<footer>`/`<aside>` or telling
  class names, resiliparse keeps plain-paragraph chrome (cookie notice, copyright line, newsletter
  blurb); link lists (menus, "most read") are dropped everywhere. Such short lines are what the
  C4/FineWeb line rules of `annotate` target, while text an extractor loses is gone for good.

DCLM made the same choice for Common Crawl. Trafilatura stays selectable
(`ingest.warc.extractor: trafilatura`) for comparison runs.

The extractor name and version go into each document's metadata (`extractor_id`), so text from
different extractor versions can be told apart later.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib.metadata import version

# Three or more newlines (possibly with blanks between) -> one paragraph break.
_EXTRA_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def _resiliparse(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    # alt_texts off: image alt text ("logo", "icon") is boilerplate far more often than prose.
    # comments on: forum posts and Q&A answers live in "comment" containers and are content.
    return extract_plain_text(
        html,
        preserve_formatting=True,
        main_content=True,
        list_bullets=True,
        alt_texts=False,
        links=False,
        form_fields=False,
        noscript=False,
        comments=True,
    )


def _trafilatura(html: str) -> str:
    import trafilatura

    # fast=True: no readability/justext fallback pass (2-3x slower for little recall on pages
    # that have an article node); markdown keeps blank lines between paragraphs, which "txt" drops.
    out = trafilatura.extract(
        html,
        fast=True,
        output_format="markdown",
        include_tables=True,
        include_comments=True,
        include_formatting=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    return out or ""


_EXTRACTORS: dict[str, tuple[str, Callable[[str], str]]] = {
    "resiliparse": ("resiliparse", _resiliparse),
    "trafilatura": ("trafilatura", _trafilatura),
}
EXTRACTOR_NAMES = tuple(_EXTRACTORS)


@functools.cache
def extractor_id(name: str) -> str:
    """`"<extractor> <installed version>"`, e.g. "resiliparse 2.0.1", recorded per document."""
    dist, _ = _lookup(name)
    return f"{name} {version(dist)}"


def _lookup(name: str) -> tuple[str, Callable[[str], str]]:
    try:
        return _EXTRACTORS[name]
    except KeyError:
        raise ValueError(f"unknown HTML extractor {name!r}; choose one of {EXTRACTOR_NAMES}") from None


def _tidy(text: str) -> str:
    text = _TRAILING_SPACE.sub("\n", text)
    return _EXTRA_BLANK_LINES.sub("\n\n", text).strip()


def extract_text(html: str, extractor: str) -> str:
    """Main text of one decoded HTML page ("" when the page has none), paragraphs split by a
    blank line, code blocks and tables kept as text."""
    _, fn = _lookup(extractor)
    return _tidy(fn(html))


def extract_texts(htmls: list[str], extractor: str) -> list[str]:
    """`extract_text` over a batch of decoded pages (one extractor call per page: both libraries
    parse one DOM at a time, ~0.2-1 ms each)."""
    _, fn = _lookup(extractor)
    return [_tidy(fn(h)) for h in htmls]
