"""PII detection and masking over one batch of documents.

Six entity families, each replaced in a copy of the text by a reserved token that the
tokenizer keeps whole (`pii.mask_tokens`):

| family | what is matched | validation of a candidate |
|---|---|---|
| email | `local@domain.tld`, ASCII | TLD of 2-24 letters; `git@host:path` remotes skipped |
| phone | `+<cc> …` international (8-15 digits, E.164), Chinese mobile `1[3-9]x xxxx xxxx`, North American `(415) 555-2671` / `415-555-2671` | digit count, area/exchange codes |
| ip | IPv4 dotted quads, IPv6 | `ipaddress`; loopback/unspecified/reserved/multicast and section-like `1.2.3.4` skipped |
| card | 13-19 digits, compact or grouped with one separator | issuer prefix + Luhn |
| id | Chinese resident ID (18 chars) | birth date + ISO 7064 MOD 11-2 check character |
| iban | `CC00 …` | country length table + ISO 13616 mod-97 |

Why one joined string per batch: every regex runs once over the whole batch (texts joined by
NUL, which no pattern can match, so no match crosses two documents) and matches map back to
documents with `np.searchsorted`; the per-document Python cost is paid only by documents that
contain PII. Every pattern starts with a literal or a one-character class and keeps its
look-behind after that first character, which lets `re` skip non-candidate positions in C
(>1 GB/s for the `@`/`+`/`:`-anchored ones); the digit-led ones share one locator scan and
IBANs are located by their check digits (see BENCHMARKS.md: ~65 MB/s of CPU for all six
families on the sample corpus, 5x datatrove's two-family PIIFormatter). Overlaps are resolved
leftmost-longest, so `+86 138 0013 8000` is one phone and an email that contains a number
stays one email.
"""
from __future__ import annotations

import datetime
import ipaddress
import re
from typing import Iterable, Protocol, Sequence

import numpy as np

# Order = priority when two candidates start at the same place with the same length.
ENTITIES = ("email", "iban", "id", "card", "phone", "ip")
PII_OVER_BUDGET = "pii_over_budget"
_SEP = "\x00"


class PiiSettings(Protocol):
    """What `pii_batch` reads from `cfg.pii` (conf.schema.PiiConfig)."""

    entities: list[str]
    mask_tokens: dict[str, str]
    max_pii_per_1k_chars: float | None
    max_pii_total: int | None


# --- checksums -----------------------------------------------------------------------------

def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check over a string of ASCII digits, rightmost digit = check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
_CN_ID_CHECK = "10X98765432"  # check character for (weighted sum mod 11) = 0..10


def cn_id_valid(value: str) -> bool:
    """Chinese resident ID (GB 11643): 17 digits, valid YYYYMMDD birth date at 6:14, and the
    ISO 7064 MOD 11-2 check character (0-9 or X) in last place."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], _CN_ID_WEIGHTS))
    return _CN_ID_CHECK[total % 11] == value[17].upper()


# ISO 13616 registry: country code -> IBAN length (characters, no spaces).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}


def iban_valid(compact: str) -> bool:
    """IBAN without spaces: known country, that country's length, and mod-97 remainder 1
    after moving the first four characters to the end and reading letters as 10..35."""
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def card_issuer_known(digits: str) -> bool:
    """Whether the leading digits and the length fit a card network: Visa 4 (13/16/19 digits),
    Mastercard 51-55 and 2221-2720 (16), Amex 34/37 (15), Diners 30/36/38/39, JCB 35 and
    Discover/UnionPay/Maestro 50/56-69 (14-19). Rules out millisecond timestamps (17…) and
    most counters that happen to pass Luhn."""
    n, head2 = len(digits), int(digits[:2])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= head2 <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return n == 16
    if head2 in (34, 37):
        return n == 15
    return (digits[0] == "6" or 56 <= head2 <= 58 or head2 in (30, 35, 36, 38, 39, 50)) and n >= 14


# --- candidate patterns ----------------------------------------------------------------------
# Look-behinds sit after the first character on purpose: a pattern that *starts* with a
# look-behind loses `re`'s first-character skip and scans ~3x slower (78 vs 212 MB/s).
# Most of these strings are also compiled by java.util.regex for the Spark NLP engine
# (udfs/pii_candidates.py): keep to the syntax both share (fixed-width look-behind, numbered
# back-references, possessive quantifiers; no conditionals, no named groups).

_A = re.ASCII  # \d and \w are ASCII only: CJK text right next to a number is a boundary.

_EMAIL_DOMAIN = re.compile(
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])", _A)
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}\Z", _A)

_PHONE_INTL = re.compile(
    # possessive digit runs: a run is never re-split between groups, so a failed look-ahead
    # backtracks over at most 7 group counts instead of every split of 15 digits
    r"\+(?<![\w+]\+)[1-9]\d{0,3}+"
    r"(?:(?:[ .-]|[ ]?\(|\)[ ]?)?\d{1,8}+){1,7}"
    r"(?![\w]|[.-]?\d)", _A)
_PHONE_CN = re.compile(
    r"1(?<![\w.+-]1)[3-9]\d([ -]?)\d{4}\1\d{4}(?![\w]|[.-]?\d)", _A)
_PHONE_NANP_PAREN = re.compile(
    r"\((?<![\w]\()[2-9]\d\d\)[ ]?[2-9]\d\d[-. ]\d{4}(?![\w]|[.-]?\d)", _A)
_PHONE_NANP_SEP = re.compile(
    r"[2-9](?<![\w.+-][2-9])\d\d([-.])[2-9]\d\d\1\d{4}(?![\w]|[.-]?\d)", _A)

_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?![\w]|\.\d)", _A)
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:", _A)
_IPV6 = re.compile(r"[0-9A-Fa-f:]{2,39}?(?:\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)", _A)
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")
_VERSION_BEFORE = re.compile(
    r"(?:version|ver|release|build|rev|section|chapter|clause|§)[\s_:=\"'(#.]{0,6}\Z", re.I)

_CARD_COMPACT = re.compile(r"\d(?<![\w.+-]\d)\d{12,18}(?![\w]|[.,]?\d)", _A)
_CARD_GROUPED = re.compile(
    r"\d(?<![\w.+-]\d)\d{3}([ -])\d{3,6}(?:\1\d{1,6}){1,3}(?![\w]|[.,-]?\d)", _A)

_CN_ID = re.compile(
    r"[1-9](?<![\w.+-][1-9])\d{5}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![\w]|[.,]?\d)", _A)

_IBAN_HEAD = re.compile(r"[A-Z]{2}\d\d[ ]?\Z", _A)
_IBAN = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z]\d\d(?:[ ]?[A-Z0-9]){11,30}", _A)
_IBAN_DIGITS = re.compile(r"\d(?<=[A-Z]{2}\d)\d", _A)

# Where a digit-led pattern (IPv4, cards, Chinese ID, NANP phone) can start: its look-behind is
# the loosest of theirs and each look-ahead branch is what one of them needs after its first
# digit. One scan with it, then `match` at the few starts, is 5x faster than five finditer
# scans (15 -> 80 MB/s on the sample corpus), because text is full of short numbers.
_DIGIT_STARTS = re.compile(
    r"\d(?<![\w.]\d)(?=\d{0,2}(?:\.\d{1,3}){3}|\d{12,18}|\d{3}[ -]\d{3}|\d{5}(?:18|19|20)"
    r"|\d\d[-.][2-9]\d\d[-.]\d{4})", _A)


def digit_starts(text: str) -> list[int]:
    """Candidate start positions of every digit-led pattern, ascending."""
    return [m.start() for m in _DIGIT_STARTS.finditer(text)]


def _finditer_at(pattern: re.Pattern, text: str, starts: list[int] | None) -> Iterable[re.Match]:
    """`pattern.finditer(text)`, trying only `starts` (a superset of where it can match);
    non-overlapping like finditer. Look-behinds still see the text before a start."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = -1
    for s in starts:
        if s >= end and (m := pattern.match(text, s)) is not None:
            end = m.end()
            yield m


# --- detectors: text -> (start, end) spans ----------------------------------------------------

def find_emails(text: str, starts: list[int] | None = None) -> Iterable[tuple[int, int]]:
    """Spans of e-mail addresses; anchored on `@` so the scan costs one memchr-like pass."""
    for m in _EMAIL_DOMAIN.finditer(text):
        at = m.start()
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        if local is None:
            continue
        start = local.start()
        while start < at and text[start] in ".-+":
            start += 1  # a local part starts with a letter/digit/underscore
        if start == at or text[at - 1] == ".":
            continue
        end = m.end()
        if text.startswith(":", end) and end + 1 < len(text) and not text[end + 1].isspace():
            continue  # `git@github.com:org/repo.git` is an scp-style remote, not a mailbox
        yield start, end


def find_phones(text: str, starts: list[int] | None = None) -> Iterable[tuple[int, int]]:
    """Spans of phone numbers: international `+cc` (8-15 digits), Chinese mobile, NANP."""
    for m in _PHONE_INTL.finditer(text):
        s = m.group()
        n_digits = sum(c.isdigit() for c in s)
        if 8 <= n_digits <= 15 and s.count("(") == s.count(")") and s.count(".") != 1:
            yield m.span()  # one dot only = a signed decimal such as +3.14159265
    for pattern in (_PHONE_CN, _PHONE_NANP_PAREN):
        for m in pattern.finditer(text):
            yield m.span()
    for m in _finditer_at(_PHONE_NANP_SEP, text, starts):
        yield m.span()


def _ip_is_personal(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # 127.0.0.1, 0.0.0.0, ::1, 255.255.255.0 (reserved 240/4) and multicast name no host;
    # ::ffff:a.b.c.d sits in the reserved ::/8, so judge the IPv4 address it carries.
    addr = getattr(addr, "ipv4_mapped", None) or addr
    return not (addr.is_loopback or addr.is_unspecified or addr.is_reserved or addr.is_multicast)


def find_ips(text: str, starts: list[int] | None = None) -> Iterable[tuple[int, int]]:
    """Spans of IPv4/IPv6 addresses validated by `ipaddress`, minus version-like numbers."""
    for m in _finditer_at(_IPV4, text, starts):
        parts = m.group().split(".")
        if all(len(p) == 1 for p in parts):
            continue  # 1.2.3.4-style: section numbers and versions, not hosts
        if _VERSION_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            continue
        try:
            addr = ipaddress.IPv4Address(m.group())
        except ValueError:
            continue
        if _ip_is_personal(addr):
            yield m.span()
    yield from _find_ipv6(text)


def _find_ipv6(text: str) -> Iterable[tuple[int, int]]:
    pos = 0
    while (hint := _IPV6_HINT.search(text, pos)) is not None:
        start = hint.start()
        while start > 0 and text[start - 1] in _HEX_COLON and hint.start() - start < 39:
            start -= 1
        m = _IPV6.match(text, start)
        pos = hint.end() - 1
        if m is None or (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.")):
            continue
        candidate = m.group()
        # an embedded IPv4 tail (::ffff:198.51.100.7) stands for two groups
        if sum(1 for g in candidate.split(":") if g) + ("." in candidate) < 3:
            continue  # `a[1::2]`, `fe80::1`, `std::`: too few groups to name a host
        try:
            addr = ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        if _ip_is_personal(addr):
            yield m.span()
            pos = m.end()


def _card_prefix(groups: list[str]) -> int | None:
    """Number of leading groups whose digits form a valid card (longest first), else None."""
    for k in range(len(groups), 0, -1):
        digits = "".join(groups[:k])
        if len(digits) < 13:
            return None
        if len(digits) <= 19 and card_issuer_known(digits) and luhn_valid(digits):
            return k
    return None


def find_cards(text: str, starts: list[int] | None = None) -> Iterable[tuple[int, int]]:
    """Spans of payment card numbers (issuer prefix + Luhn), compact or grouped; digits right
    after an IBAN-like `DE89 ` head belong to a (possibly mistyped) IBAN, not a card."""
    for m in _finditer_at(_CARD_COMPACT, text, starts):
        d = m.group()
        if card_issuer_known(d) and luhn_valid(d):
            yield m.span()
    for m in _finditer_at(_CARD_GROUPED, text, starts):
        if _IBAN_HEAD.search(text, max(0, m.start() - 5), m.start()):
            continue
        sep = m.group(1)
        groups = m.group().split(sep)
        k = _card_prefix(groups)
        if k is not None:
            # a trailing group that broke Luhn ("… 1111 2023") is left out of the span
            yield m.start(), m.start() + len(sep.join(groups[:k]))


def find_cn_ids(text: str, starts: list[int] | None = None) -> Iterable[tuple[int, int]]:
    """Spans of Chinese resident ID numbers with a real birth date and check character."""
    for m in _finditer_at(_CN_ID, text, starts):
        if cn_id_valid(m.group()):
            yield m.span()


def find_ibans(text: str, starts: list[int] | None = None) -> Iterable[tuple[int, int]]:
    """Spans of IBANs, compact or in groups of four; trailing words (`… 00 EUR`) are cut off
    at the country's length."""
    # Located by their check digits (digits are ~4x rarer than capitals in prose and code),
    # then matched from the country code: 50 -> 80 MB/s on the sample corpus.
    heads = [m.start() - 2 for m in _IBAN_DIGITS.finditer(text)]
    for m in _finditer_at(_IBAN, text, heads):
        end = iban_end(text, m)
        if end is not None:
            yield m.start(), end


def iban_end(text: str, m: re.Match) -> int | None:
    """End of the valid IBAN that candidate `m` starts with, or None."""
    length = _IBAN_LENGTHS.get(m.group()[:2])
    if length is None:
        return None
    end, n = m.start(), 0
    while n < length and end < m.end():
        n += text[end] != " "
        end += 1
    if n < length or (end < len(text) and text[end].isalnum()):
        return None
    return end if iban_valid(text[m.start():end].replace(" ", "")) else None


_FINDERS = {
    "email": find_emails, "phone": find_phones, "ip": find_ips,
    "card": find_cards, "id": find_cn_ids, "iban": find_ibans,
}
# Cheap whole-batch pre-checks: a family whose anchor character is absent is not scanned.
_NEEDS = {"email": "@", "phone": None, "ip": None, "card": None, "id": None, "iban": None}
_DIGIT_LED = frozenset({"phone", "ip", "card", "id"})  # finders that take `digit_starts`


# --- batch API --------------------------------------------------------------------------------

def _check_settings(cfg: PiiSettings) -> list[str]:
    unknown = [e for e in cfg.entities if e not in _FINDERS]
    if unknown:
        raise ValueError(f"pii.entities: unknown {unknown}; known: {list(ENTITIES)}")
    missing = [e for e in cfg.entities if not cfg.mask_tokens.get(e)]
    if missing:
        raise ValueError(f"pii.mask_tokens.{missing[0]}: no token for an enabled entity")
    return [e for e in ENTITIES if e in cfg.entities]


def find_pii_spans(text: str, entities: Sequence[str]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, entity) spans, sorted, leftmost-longest on conflicts."""
    spans = []
    starts = digit_starts(text) if _DIGIT_LED.intersection(entities) else None
    for entity in ENTITIES:
        if entity not in entities:
            continue
        anchor = _NEEDS[entity]
        if anchor is not None and anchor not in text:
            continue
        spans.extend((s, e, entity) for s, e in _FINDERS[entity](text, starts))
    return resolve_overlaps(spans)


def resolve_overlaps(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep the leftmost span of overlapping ones, the longer on a tie, then the entity that
    comes first in ENTITIES (an 18-digit ID that also passes Luhn is an ID)."""
    rank = {e: i for i, e in enumerate(ENTITIES)}
    ordered = sorted(set(spans), key=lambda t: (t[0], t[0] - t[1], rank[t[2]]))
    kept, last_end = [], -1
    for s, e, entity in ordered:
        if s >= last_end:
            kept.append((s, e, entity))
            last_end = e
    return kept


def mask_spans(text: str, spans: Sequence[tuple[int, int, str]], tokens: dict[str, str]) -> str:
    """`text` with each (start, end, entity) span replaced by `tokens[entity]`."""
    pieces, pos = [], 0
    for s, e, entity in spans:
        pieces.append(text[pos:s])
        pieces.append(tokens[entity])
        pos = e
    pieces.append(text[pos:])
    return "".join(pieces)


def pii_batch(texts: list[str], cfg: PiiSettings) -> dict:
    """Detect and mask PII in a batch of texts.

    Returns `text_masked` (list[str], the input object itself where nothing was found),
    `pii_counts` (list of {entity: count} over the enabled entities, zeros included) and
    `pii_total` (int32 array, one per text). `None` texts count as empty.
    """
    entities = _check_settings(cfg)
    texts = [t if t is not None else "" for t in texts]
    joined = _SEP.join(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)

    spans = find_pii_spans(joined, entities)
    span_doc = np.searchsorted(starts, np.fromiter((s for s, _, _ in spans), np.int64), "right") - 1

    masked = list(texts)
    counts = [dict.fromkeys(entities, 0) for _ in texts]
    total = np.bincount(span_doc, minlength=len(texts)).astype(np.int32)
    # spans are sorted by start, so each document's spans are one contiguous run
    bounds = np.searchsorted(span_doc, np.arange(len(texts) + 1), "left")
    for doc in np.flatnonzero(total).tolist():
        offset = int(starts[doc])
        local = [(s - offset, e - offset, ent) for s, e, ent in spans[bounds[doc]:bounds[doc + 1]]]
        for _, _, entity in local:
            counts[doc][entity] += 1
        masked[doc] = mask_spans(texts[doc], local, cfg.mask_tokens)
    return {"text_masked": masked, "pii_counts": counts, "pii_total": total}


def pii_over_budget(pii_total: np.ndarray, n_chars: np.ndarray, cfg: PiiSettings) -> np.ndarray:
    """Boolean mask of documents over the PII budget (drop reason `pii_over_budget`).

    Over budget = more than `max_pii_total` entities, or more than `max_pii_per_1k_chars`
    entities per 1,000 characters of the original text; a `None` limit is not checked.
    """
    pii_total = np.asarray(pii_total, dtype=np.float64)
    over = np.zeros(pii_total.shape, dtype=bool)
    if cfg.max_pii_total is not None:
        over |= pii_total > cfg.max_pii_total
    if cfg.max_pii_per_1k_chars is not None:
        chars = np.maximum(np.asarray(n_chars, dtype=np.float64), 1.0)
        over |= pii_total * 1000.0 / chars > cfg.max_pii_per_1k_chars
    return over


def reserved_tokens(cfg: PiiSettings) -> list[str]:
    """The distinct mask tokens, in entity order: what the tokenizer must keep whole."""
    return list(dict.fromkeys(cfg.mask_tokens[e] for e in ENTITIES if e in cfg.mask_tokens))
