"""udfs/pii_candidates.py without a JVM: candidates found by Python's `re` running the same
CANDIDATE_RULES strings stand in for Spark NLP's RegexMatcher (tests/spark_jobs/
test_sparknlp_rules.py runs them through java.util.regex and Spark NLP itself)."""
from __future__ import annotations

import re

import pytest

from tests.udfs.test_pii import CLEAN, INVALID, VALID, make_cfg
from udfs.pii import pii_batch
from udfs.pii_candidates import CANDIDATE_RULES, pii_from_candidates, utf16_to_codepoint

GOLDEN = ([t for cases in VALID.values() for t, _ in cases]
          + [t for cases in INVALID.values() for t in cases] + CLEAN
          + ["emoji 😀 then a@example.com and 😀😀 +44 20 7946 0958 and IBAN GB82WEST12345698765432"])


def python_candidates(text: str) -> list[tuple[int, int, str]]:
    """(begin, end inclusive, entity) in UTF-16 units, as RegexMatcher reports them."""
    units = [0]
    for ch in text:
        units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
    out = []
    for entity, pattern in CANDIDATE_RULES:
        for m in re.finditer(pattern, text, re.ASCII):
            out.append((units[m.start()], units[m.end()] - 1, entity))
    return out


def test_utf16_to_codepoint_maps_surrogate_pairs():
    assert utf16_to_codepoint("abc") is None
    mapping = utf16_to_codepoint("a😀b")  # UTF-16: a, hi, lo, b
    assert mapping.tolist() == [0, 1, 1, 2, 3]


@pytest.mark.parametrize("text", GOLDEN)
def test_pii_from_candidates_agrees_with_python_engine(text):
    expected = pii_batch([text], make_cfg())
    got = pii_from_candidates([text], [python_candidates(text)], make_cfg())
    assert got["text_masked"] == expected["text_masked"]
    assert got["pii_counts"] == expected["pii_counts"]
    assert got["pii_total"].tolist() == expected["pii_total"].tolist()


def test_pii_from_candidates_no_candidates_text_unchanged():
    out = pii_from_candidates(["a@example.com", None], [[], None], make_cfg())
    assert out["text_masked"] == ["a@example.com", ""]
    assert out["pii_total"].tolist() == [0, 0]
