"""Golden and property tests for udfs/pii.py (no JVM).

Valid examples are published reference values (ISO 13616 IBAN examples, the GB 11643 sample
ID, card networks' test numbers); invalid ones differ from them in one character, so their
checksum fails. Expected masks and counts are written by hand.
"""
from __future__ import annotations

import random
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from udfs.pii import (
    ENTITIES, cn_id_valid, find_pii_spans, iban_valid, luhn_valid, pii_batch, pii_over_budget,
    reserved_tokens,
)

TOKENS = {
    "email": "|||EMAIL|||", "phone": "|||PHONE|||", "ip": "|||IP|||",
    "card": "|||CARD|||", "id": "|||ID|||", "iban": "|||IBAN|||",
}


def make_cfg(**over):
    values = dict(entities=list(ENTITIES), mask_tokens=dict(TOKENS),
                  max_pii_per_1k_chars=5.0, max_pii_total=100)
    values.update(over)
    return SimpleNamespace(**values)


def masked_one(text: str, **over) -> tuple[str, dict[str, int]]:
    out = pii_batch([text], make_cfg(**over))
    return out["text_masked"][0], {k: v for k, v in out["pii_counts"][0].items() if v}


# --- golden: (text, expected masked text) per entity ------------------------------------------

VALID = {
    "email": [
        ("Write to john.smith@example.com today.", "Write to |||EMAIL||| today."),
        ("<j_doe+news@mail.co.uk>", "<|||EMAIL|||>"),
        ("联系邮箱：zhang.wei@qq.com。", "联系邮箱：|||EMAIL|||。"),
    ],
    "phone": [
        ("Call +1 415-555-2671 now", "Call |||PHONE||| now"),
        ("Tel: +44 20 7946 0958.", "Tel: |||PHONE|||."),
        ("Büro +49 (0)30 1234567", "Büro |||PHONE|||"),
        ("+33 1 23 45 67 89", "|||PHONE|||"),
        ("Mobile +14155552671", "Mobile |||PHONE|||"),
        ("电话：+86 138 0013 8000", "电话：|||PHONE|||"),
        ("手机13800138000联系", "手机|||PHONE|||联系"),
        ("手机 139-1234-5678", "手机 |||PHONE|||"),
        ("office (415) 555-2671", "office |||PHONE|||"),
        ("fax 212.555.0187", "fax |||PHONE|||"),
    ],
    "ip": [
        ("client 203.0.113.45 connected", "client |||IP||| connected"),
        ("from 192.168.1.20:8080", "from |||IP|||:8080"),
        ("v6 2001:db8:85a3::8a2e:370:7334 seen", "v6 |||IP||| seen"),
        ("[2a00:1450:4001:81c::200e]", "[|||IP|||]"),
        ("mapped ::ffff:198.51.100.7 ok", "mapped |||IP||| ok"),
    ],
    "card": [
        ("Visa 4111 1111 1111 1111 exp", "Visa |||CARD||| exp"),
        ("MC 5500-0055-5555-5559.", "MC |||CARD|||."),
        ("Amex 378282246310005", "Amex |||CARD|||"),
        ("Amex 3782 822463 10005", "Amex |||CARD|||"),
        ("Discover 6011111111111117", "Discover |||CARD|||"),
        ("JCB 3530 1113 3330 0000 2023", "JCB |||CARD||| 2023"),
    ],
    "id": [
        ("身份证号11010519491231002X。", "身份证号|||ID|||。"),
        ("ID 440524188001010014 on file", "ID |||ID||| on file"),
    ],
    "iban": [
        ("IBAN DE89 3704 0044 0532 0130 00 EUR", "IBAN |||IBAN||| EUR"),
        ("GB82WEST12345698765432", "|||IBAN|||"),
        ("pay FR14 2004 1010 0505 0001 3M02 606.", "pay |||IBAN|||."),
        ("NL91ABNA0417164300 and CH93 0076 2011 6238 5295 7", "|||IBAN||| and |||IBAN|||"),
        ("NO93 8601 1117 947", "|||IBAN|||"),
    ],
}

# One character off a valid value: the checksum (or the date in an ID) no longer holds.
INVALID = {
    "card": ["Visa 4111 1111 1111 1112 exp", "Amex 378282246310006", "6011111111111118"],
    "id": ["身份证号11010519491231002Y。", "ID 440524188001010015", "ID 110105194913310021"],
    "iban": ["IBAN DE89 3704 0044 0532 0130 01 EUR", "GB82WEST12345698765433",
             "NL91ABNA0417164301", "XX91ABNA0417164300"],
    "ip": ["host 10.0.0.256 down", "v6 2001:db8:85a3::8a2e::7334", "old 01.02.03.04"],
    "phone": ["pi = +3.14159265", "x+14155552671", "+1 234", "手机12800138000"],
    "email": ["mail @example.com", "john.@example.com", "user@localhost", "x@W.T"],
}


@pytest.mark.parametrize("entity,text,expected", [
    (entity, text, expected) for entity, cases in VALID.items() for text, expected in cases])
def test_pii_batch_valid_entity_masked_and_counted(entity, text, expected):
    masked, counts = masked_one(text)
    assert masked == expected
    assert counts == {entity: expected.count(TOKENS[entity])}


@pytest.mark.parametrize("entity,text", [
    (entity, text) for entity, cases in INVALID.items() for text in cases])
def test_pii_batch_invalid_checksum_or_shape_not_masked(entity, text):
    masked, counts = masked_one(text)
    assert masked == text
    assert counts == {}


CLEAN = [
    # prose with numbers, dates and times
    "The meeting on 2023-10-12 at 14:30:00 moved to 12/10/2023; 1,234,567 people attended.",
    "In 1969, 600 million people watched. Call it 3.14159265358979 or +3.5 dB, -12.5 %.",
    "上海2023年10月12日下午3点，共有13800名观众，温度23.5度。",
    # code: versions, hashes, timestamps, slices, decorators, matrix products
    "numpy==2.4.6\npyspark>=4.1.2,<4.2\nversion 1.2.3.4 released; build 10.0.19041.1",
    "commit 3f786850e387550fdab836ed7e6dc881de23001b\nsha256:9f86d081884c7d659a2feaa0c55ad015"
    "a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "ts_ms = 1700000000123\nts = 1700000000\nuuid = '123e4567-e89b-12d3-a456-426614174000'",
    "@property\ndef f(self):\n    return x @ self.weight + a[1::2] + b[::-1]\n",
    "std::vector<int> v; std::map<a, b> m; foo::bar::baz();",
    "mac 00:1A:2B:3C:4D:5E at 12:30:45.123, ratio 16:9, time 23:59:59",
    "git clone git@github.com:org/repo.git && pip install pkg@1.2.3",
    "DOI 10.1000/182, ISBN 978-0-306-40615-7, HTML5 section 8.2.4.4, RFC 3339",
    "0x7fffffffffffffff, 1e-10, 2.5e+10, 12345678901234567890123 (too long for a card)",
    "localhost 127.0.0.1, bind 0.0.0.0, netmask 255.255.255.0, ::1",
    "Order #98765, invoice 2023-0001-0045, SKU ABCD 1234 EFGH",
]


@pytest.mark.parametrize("text", CLEAN)
def test_pii_batch_clean_golden_no_false_positive(text):
    masked, counts = masked_one(text)
    assert counts == {}
    assert masked == text


def test_pii_batch_mixed_doc_counts_each_entity():
    text = ("Contact a.b@example.org or +44 20 7946 0958; card 4111111111111111; "
            "IP 203.0.113.9; ID 11010519491231002X; IBAN GB82 WEST 1234 5698 7654 32.")
    out = pii_batch([text, "nothing here", ""], make_cfg())
    assert out["text_masked"][0] == (
        "Contact |||EMAIL||| or |||PHONE|||; card |||CARD|||; IP |||IP|||; ID |||ID|||; "
        "IBAN |||IBAN|||.")
    assert out["pii_counts"][0] == {e: 1 for e in ENTITIES}
    assert out["pii_counts"][1] == {e: 0 for e in ENTITIES}
    assert out["pii_total"].tolist() == [6, 0, 0]
    assert out["text_masked"][1] == "nothing here"


def test_pii_batch_disabled_entity_left_in_text():
    text = "mail a@example.com call +1 415-555-2671"
    masked, counts = masked_one(text, entities=["phone"])
    assert masked == "mail a@example.com call |||PHONE|||"
    assert counts == {"phone": 1}


def test_pii_batch_none_text_counts_as_empty():
    out = pii_batch([None, "x@example.com"], make_cfg())
    assert out["text_masked"] == ["", "|||EMAIL|||"]
    assert out["pii_total"].tolist() == [0, 1]


def test_pii_batch_unknown_entity_raises_naming_key():
    with pytest.raises(ValueError, match=r"pii\.entities"):
        pii_batch(["x"], make_cfg(entities=["email", "ssn"]))


def test_pii_batch_missing_token_raises_naming_key():
    tokens = dict(TOKENS)
    del tokens["iban"]
    with pytest.raises(ValueError, match=r"pii\.mask_tokens\.iban"):
        pii_batch(["x"], make_cfg(mask_tokens=tokens))


def test_pii_batch_long_digit_runs_finish_quickly():
    # A failed look-ahead must not backtrack over every split of a digit run.
    text = ("+" + "1" * 40 + "x ") * 2000 + ("4" + " 1234" * 30 + "x ") * 2000
    out = pii_batch([text], make_cfg())
    assert out["pii_total"].tolist() == [0]


# --- checksum helpers on published values ---------------------------------------------------

def test_luhn_valid_reference_numbers():
    assert luhn_valid("79927398713")  # the textbook Luhn example
    assert not luhn_valid("79927398710")


def test_cn_id_valid_standard_sample_and_bad_date():
    assert cn_id_valid("11010519491231002X")
    assert not cn_id_valid("11010519490231002X")  # 31 February


def test_iban_valid_wrong_length_rejected():
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("DE8937040044053201300")


# --- budget ---------------------------------------------------------------------------------

def test_pii_over_budget_density_and_total():
    cfg = make_cfg(max_pii_per_1k_chars=5.0, max_pii_total=10)
    over = pii_over_budget(np.array([0, 5, 6, 11, 3]), np.array([100, 1000, 1000, 100_000, 0]), cfg)
    assert over.tolist() == [False, False, True, True, True]


def test_pii_over_budget_none_disables_checks():
    cfg = make_cfg(max_pii_per_1k_chars=None, max_pii_total=None)
    assert not pii_over_budget(np.array([1000]), np.array([10]), cfg).any()


def test_reserved_tokens_distinct_in_entity_order():
    assert reserved_tokens(make_cfg()) == [TOKENS[e] for e in ENTITIES]


# --- properties -----------------------------------------------------------------------------

def _luhn_complete(body: str) -> str:
    """Append the Luhn check digit, computed independently of udfs.pii."""
    digits = [int(c) for c in body]
    for i in range(len(digits) - 1, -1, -2):
        digits[i] = sum(divmod(digits[i] * 2, 10))
    return body + str((10 - sum(digits) % 10) % 10)


WORDS = st.lists(st.sampled_from(
    "the of data river stone 科学 数据 quick brown fox, said. (see) 2023 v1.2 42".split()),
    min_size=0, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(before=WORDS, after=WORDS, body=st.text("0123456789", min_size=14, max_size=14))
def test_pii_batch_embedded_visa_masked_once(before, after, body):
    card = _luhn_complete("4" + body)
    masked, counts = masked_one(f"{before} {card} {after}")
    assert counts == {"card": 1}
    assert masked == f"{before} |||CARD||| {after}"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=12), st.integers(1, 5))
def test_pii_batch_same_result_whatever_batching(texts, size):
    pool = ["a@example.com", "+44 20 7946 0958", "4111111111111111", "203.0.113.9"]
    rng = random.Random(len(texts))
    texts = [t + " " + rng.choice(pool) if rng.random() < 0.5 else t for t in texts]
    whole = pii_batch(texts, make_cfg())
    parts = [pii_batch(texts[i:i + size], make_cfg()) for i in range(0, len(texts), size)]
    assert whole["text_masked"] == [t for p in parts for t in p["text_masked"]]
    assert whole["pii_total"].tolist() == [n for p in parts for n in p["pii_total"].tolist()]


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="0123456789@+:"), max_size=300))
def test_pii_batch_text_without_digits_or_at_unchanged(text):
    masked, counts = masked_one(text)
    assert (masked, counts) == (text, {})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 .-+()xX:aB", max_size=120))
def test_digit_starts_locator_same_spans_as_full_scan(text):
    from udfs.pii import digit_starts, find_cards, find_cn_ids, find_ips, find_phones

    starts = digit_starts(text)
    for finder in (find_phones, find_ips, find_cards, find_cn_ids):
        assert list(finder(text, starts)) == list(finder(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["GB82", "WEST", "1234", "5698", "7654", "32", "DE89", " ", "X", "0"]),
                max_size=14).map("".join))
def test_find_ibans_located_by_check_digits_same_as_full_scan(text):
    from udfs.pii import _IBAN, find_ibans, iban_end

    full = [(m.start(), iban_end(text, m)) for m in _IBAN.finditer(text)]
    assert list(find_ibans(text)) == [(s, e) for s, e in full if e is not None]
