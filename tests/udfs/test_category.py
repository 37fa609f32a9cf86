"""Category rules: structure signals and the keyword vote."""
from __future__ import annotations

from types import SimpleNamespace

from tests.udfs.golden_docs import BASE, MARKDOWN_DOC, MATH_DOC, PYTHON_CODE
from udfs.category import SIGNALS, category_from_signals, category_signals, load_keywords
from udfs.text_view import make_view

KW = load_keywords("conf/lexicons/category")
CFG = SimpleNamespace(min_code_line_frac=0.35, min_math_per_kchar=6.0, min_markdown_line_frac=0.25, min_keyword_hits=3)


def signals(text):
    return dict(zip(SIGNALS, category_signals(make_view(text, False), KW)))


def test_category_structure_signals_separate_code_markdown_math_prose():
    code, md, math, prose = signals(PYTHON_CODE), signals(MARKDOWN_DOC), signals(MATH_DOC), signals(BASE)
    assert code["cat_code_line_frac"] >= 0.5 > prose["cat_code_line_frac"]
    assert md["cat_markdown_line_frac"] >= 0.4 > prose["cat_markdown_line_frac"]
    assert math["cat_math_per_kchar"] >= 10 and prose["cat_math_per_kchar"] == 0


def test_category_keyword_vote_legal_and_fallback_web():
    legal = ("The licensee shall indemnify the licensor against any liability arising under this "
             "agreement, and no warranty is given pursuant to the provisions herein.")
    assert category_from_signals(category_signals(make_view(legal, False), KW), CFG) == "legal"
    assert category_from_signals(category_signals(make_view("Nice weather today.", False), KW), CFG) == "web"


def test_category_order_code_before_markdown():
    # a README that is mostly a code block is still markdown only if code lines stay under the bar
    sig = (0.5, 0.0, 0.9, 0.0, 0.0, 0.0, 0.0)
    assert category_from_signals(sig, CFG) == "code"
