"""HTML page -> main text, with navigation, sidebars, cookie banners and footers left out.

Two maintained extractors sit behind one interface so they can be measured on the same pages:

- **resiliparse** (`extract_plain_text(main_content=True, preserve_formatting=True)`): a C++ DOM
  (lexbor) plus block-level heuristics; paragraph breaks come out as blank lines, `<pre>` keeps its
  indentation, table cells are tab-separated, list items get bullets. This is the default.
- **trafilatura** (`extract(output_format="markdown", fast=True)`): lxml plus XPath/text-density
  heuristics; tables become Markdown pipes and code blocks fenced.

Why resiliparse (figures from `bench/bench_warc.py`, 3,000 generated pages with known main text
and boilerplate, one process, this repository's BENCHMARKS.md "WARC ingest"): it extracts
~5x faster than trafilatura (the extractor is the bulk of the ingest cost per record), with
equal or better main-content recall and a similar boilerplate leak rate on those pages, and it
never returns nothing for a short page (trafilatura drops pages under its 250-character minimum
or when its heuristics find no article node). DCLM made the same choice for Common Crawl.
Trafilatura stays selectable (`warc.extractor: trafilatura`) for comparison runs.

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
