"""PII from candidate spans found by a JVM regex engine (Spark NLP's RegexMatcher).

The Spark NLP engine (spark_jobs/sparknlp_rules.py) finds candidates with `CANDIDATE_RULES`,
written in the syntax Java and Python regexes share (bounded look-behind, possessive
quantifiers, back-references; `\\d` and `\\w` are ASCII in Java by default, as with re.ASCII
here). Checksums, issuer prefixes, `ipaddress` and the false-positive guards then run here, by
re-running the Python detector of that entity on a window around each candidate, so both
engines accept exactly the same spans and differ only in who scans the text.

Offsets from the JVM count UTF-16 code units with an inclusive end; Python counts code points.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from udfs import pii

# (entity, pattern). The same patterns as udfs.pii, except e-mail and IPv6, which the Python
# engine anchors on `@`/`::` for speed and which are whole-address patterns here.
CANDIDATE_RULES: list[tuple[str, str]] = [
    ("email", r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}"
              r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])"),
    ("phone", pii._PHONE_INTL.pattern),
    ("phone", pii._PHONE_CN.pattern),
    ("phone", pii._PHONE_NANP_PAREN.pattern),
    ("phone", pii._PHONE_NANP_SEP.pattern),
    ("ip", pii._IPV4.pattern),
    ("ip", r"(?<![\w:.])(?=[0-9A-Fa-f:]{0,39}:[0-9A-Fa-f]{0,4}:)"
           r"[0-9A-Fa-f:]{2,39}?(?:\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d)"),
    ("card", pii._CARD_COMPACT.pattern),
    ("card", pii._CARD_GROUPED.pattern),
    ("id", pii._CN_ID.pattern),
    ("iban", pii._IBAN.pattern),
]

# Context the Python checks read around a candidate: 16 characters before an IPv4 address
# (a "version " prefix), 5 before a card (an IBAN head), 2 after any number (look-aheads).
WINDOW_MARGIN = 20


def utf16_to_codepoint(text: str) -> np.ndarray | None:
    """Map UTF-16 offsets to code-point offsets (length len16 + 1), or None when the text has
    no character beyond the BMP and the two agree."""
    wide = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
    if not wide:
        return None
    units = np.ones(len(text), dtype=np.int64)
    units[wide] = 2
    mapping = np.repeat(np.arange(len(text)), units)  # UTF-16 unit -> code point
    return np.append(mapping, len(text))


def validate_candidates(text: str, candidates: Sequence[tuple[int, int, str]],
                        entities: Sequence[str]) -> list[tuple[int, int, str]]:
    """Accepted (start, end, entity) code-point spans for one text, from (begin, end_inclusive,
    entity) UTF-16 candidates; overlaps resolved as in `udfs.pii.find_pii_spans`."""
    to_cp = utf16_to_codepoint(text) if candidates else None
    spans = []
    for begin, end_incl, entity in candidates:
        if entity not in entities:
            continue
        b, e = (begin, end_incl + 1) if to_cp is None else (int(to_cp[begin]), int(to_cp[end_incl + 1]))
        lo = max(0, b - WINDOW_MARGIN)
        window = text[lo:e + WINDOW_MARGIN]
        for s, t, ent in pii.find_pii_spans(window, [entity]):
            if s + lo < e and t + lo > b:  # overlaps the candidate
                spans.append((s + lo, t + lo, ent))
    return pii.resolve_overlaps(spans)


def pii_from_candidates(texts: list[str | None], candidates: list[Sequence[tuple[int, int, str]]],
                        cfg: pii.PiiSettings) -> dict:
    """Same output as `udfs.pii.pii_batch`, from per-text JVM candidate lists."""
    entities = pii._check_settings(cfg)
    masked, counts = [], []
    total = np.zeros(len(texts), dtype=np.int32)
    for i, (text, cands) in enumerate(zip(texts, candidates)):
        text = text or ""
        spans = validate_candidates(text, cands or (), entities)
        c = dict.fromkeys(entities, 0)
        for _, _, entity in spans:
            c[entity] += 1
        masked.append(pii.mask_spans(text, spans, cfg.mask_tokens) if spans else text)
        counts.append(c)
        total[i] = len(spans)
    return {"text_masked": masked, "pii_counts": counts, "pii_total": total}
