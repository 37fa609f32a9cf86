"""HTML -> main text on hand-written pages: main content in, navigation and footers out."""

import re

import pytest

from udfs.html_extract import EXTRACTOR_NAMES, extract_text, extract_texts, extractor_id

NEWS = """<!DOCTYPE html><html><head><title>Council approves bike lanes</title>
<style>.nav{color:red}</style><script>var tracking = "do not keep me";</script></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/subscribe">Subscribe for one euro</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to personalise adverts. Accept all cookies.</div>
<main><article><h1>Council approves twelve kilometres of bike lanes</h1>
<p>The city council voted on Tuesday to build protected bike lanes along the river, a plan that
has divided residents for more than two years.</p>
<p>Shop owners on Mill Street worry about losing parking in front of their stores, while
cycling groups say the lanes will cut injuries.</p>
<table><tr><th>Party</th><th>For</th><th>Against</th></tr>
<tr><td>Greens</td><td>9</td><td>0</td></tr><tr><td>Liberals</td><td>4</td><td>5</td></tr></table>
<p>Construction starts in spring and should end before the next election.</p>
</article>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Celebrity wedding shocks fans</a></li>
<li><a href="/b">Ten tips for cheap flights</a></li></ul></aside></main>
<footer><p>Copyright 2024 Daily Example. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></footer></body></html>"""

FORUM = """<html><head><title>Sourdough starter smells of acetone?</title></head><body>
<div id="header"><a href="/">BakersForum</a> <a href="/login">Log in</a> <a href="/register">Register</a></div>
<div class="breadcrumbs"><a href="/">Forum index</a> &gt; <a href="/bread">Bread</a></div>
<div id="content"><h1>Sourdough starter smells of acetone?</h1>
<div class="post"><div class="author">doughnut42</div><div class="message">
<p>My rye starter is five days old and smells like nail polish remover. Is it dead, or should
I keep feeding it twice a day?</p></div></div>
<div class="post"><div class="author">crumbqueen</div><div class="message">
<p>That smell means the yeast is hungry. Feed it more often and keep it somewhere warmer,
around 26 degrees, and it will settle within a week.</p></div></div>
<div class="post"><div class="author">doughnut42</div><div class="message">
<p>Thanks, feeding it every eight hours fixed it. The loaf rose beautifully this morning.</p>
</div></div></div>
<div id="footer">Powered by ForumSoftware 3.2 - All times are UTC - Contact the moderators</div>
</body></html>"""

CODE = """<html><body><nav class="docs-nav"><a href="/docs">Docs</a> <a href="/api">API reference</a></nav>
<main><h1>Reading a file line by line</h1>
<p>Open the file in a with block so it is closed even when an exception is raised, then
iterate over the file object itself, which yields one line at a time.</p>
<pre><code>def count_lines(path):
    with open(path) as fh:
        return sum(1 for _ in fh)
</code></pre>
<p>This reads one line at a time, so even a very large file needs little memory.</p></main>
<footer>Edit this page on GitHub. Last updated 3 May 2024.</footer></body></html>"""


# The extractor conf/default.yaml picks (ingest.warc.extractor).
CHOSEN = "resiliparse"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_extract_text_news_page_keeps_article_drops_navigation_and_footer():
    text = extract_text(NEWS, CHOSEN)
    flat = _norm(text)
    assert "Council approves twelve kilometres of bike lanes" in flat
    assert "protected bike lanes along the river" in flat
    assert "Construction starts in spring" in flat
    for boilerplate in ("World news", "Subscribe for one euro", "Celebrity wedding", "Privacy policy",
                        "All rights reserved", "Accept all cookies", "do not keep me", "color:red"):
        assert boilerplate not in flat


def test_extract_text_news_page_keeps_paragraph_breaks_and_table_cells():
    text = extract_text(NEWS, CHOSEN)
    paragraphs = text.split("\n\n")
    assert any(p.startswith("The city council voted") for p in paragraphs)
    assert any(p.startswith("Shop owners on Mill Street") for p in paragraphs)
    # Table rows stay on one line each, their cells in order.
    assert re.search(r"Greens\s+9\s+0", text)
    assert re.search(r"Liberals\s+4\s+5", text)


def test_extract_text_forum_thread_keeps_every_post_drops_header_and_footer():
    flat = _norm(extract_text(FORUM, CHOSEN))
    assert "smells like nail polish remover" in flat
    assert "the yeast is hungry" in flat
    assert "feeding it every eight hours fixed it" in flat
    for boilerplate in ("Log in", "Register", "Powered by ForumSoftware", "Contact the moderators"):
        assert boilerplate not in flat


def test_extract_text_code_block_keeps_lines_and_indentation():
    text = extract_text(CODE, CHOSEN)
    assert "def count_lines(path):\n    with open(path) as fh:\n        return sum(1 for _ in fh)" in text
    assert "API reference" not in text
    assert "Edit this page on GitHub" not in text


def test_extract_text_no_runs_of_blank_lines_or_trailing_spaces():
    text = extract_text(NEWS + "<div><p></p><p>\n\n\n</p><br><br><br></div>", CHOSEN)
    assert "\n\n\n" not in text
    assert not re.search(r"[ \t]\n", text)
    assert text == text.strip()


def test_extract_texts_batch_matches_single_calls():
    assert extract_texts([NEWS, CODE, ""], CHOSEN) == [
        extract_text(NEWS, CHOSEN), extract_text(CODE, CHOSEN), ""]


@pytest.mark.parametrize("name", EXTRACTOR_NAMES)
def test_extractor_id_names_tool_and_installed_version(name):
    from importlib.metadata import version

    assert extractor_id(name) == f"{name} {version(name)}"


def test_extract_text_trafilatura_news_page_keeps_article_drops_footer():
    flat = _norm(extract_text(NEWS, "trafilatura"))
    assert "protected bike lanes along the river" in flat
    assert "All rights reserved" not in flat
    assert "Celebrity wedding" not in flat


def test_extract_text_unknown_extractor_raises_naming_choices():
    with pytest.raises(ValueError, match=CHOSEN):
        extract_text(NEWS, "beautifulsoup")
