"""PII for the sample corpus: generated values with valid checksums, and detection of what is there.

Generators take a `random.Random` and return the exact string that goes into the text:
emails, phones (E.164 written several ways, Chinese mobiles `1[3-9]` + 9 digits), IPv4, IPv6,
credit cards (valid Luhn digit), Chinese resident IDs (ISO 7064 MOD 11-2 check character) and
IBANs (valid mod-97 check digits). `find_natural_pii` records the emails and IP addresses a
text already holds (stdlib code and docs have some); `looks_like_pii` is a deliberately broad
net used to keep anything doubtful out of the clean golden subset.
"""
from __future__ import annotations

import ipaddress
import random
import re
import string
from collections.abc import Callable

PII_TYPES = ("email", "phone", "ipv4", "ipv6", "credit_card", "cn_id", "iban")

_FIRST = ["anna", "li.wei", "jmueller", "sophie", "carlos", "olga", "yuki", "m.rossi", "tom", "zhang.min"]
_LAST = ["smith", "novak", "garcia", "petrov", "tanaka", "dubois", "weber", "chen", "kim", "ortiz"]
_DOMAINS = ["example.com", "example.org", "mail.example.net", "post.example.de", "corp.example.co.uk",
            "example.fr", "example.es", "example.ru", "example.cn", "example.jp"]

# Calling code and national significant number length per language's usual country.
_COUNTRY = {"en": [("1", 10), ("44", 10)], "de": [("49", 11)], "fr": [("33", 9)], "es": [("34", 9)],
            "ru": [("7", 10)], "ja": [("81", 10)], "zh": [("86", 11)]}

# (prefix, total length) of card numbers: Visa, Mastercard, American Express.
_CARDS = [("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15)]

# Real county-level division codes (Beijing Dongcheng, Shanghai Huangpu, Guangzhou Tianhe, ...).
_CN_REGIONS = ["110101", "310101", "440106", "510104", "330106", "420102", "610113", "320102"]
_CN_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CN_ID_CHECK = "10X98765432"

# BBAN layout per country: "n" a digit, "a" an upper-case letter.
_IBAN_BBAN = {"DE": "n" * 18, "GB": "aaaa" + "n" * 14, "NL": "aaaa" + "n" * 10, "FR": "n" * 23, "ES": "n" * 20}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def email(rng: random.Random) -> str:
    """A plausible address at a reserved example domain, e.g. `sophie.weber7@example.org`."""
    local = rng.choice(_FIRST) + rng.choice([".", "_", ""]) + rng.choice(_LAST)
    if rng.random() < 0.4:
        local += str(rng.randrange(1, 100))
    return f"{local}@{rng.choice(_DOMAINS)}"


def phone(rng: random.Random, lang: str = "en") -> str:
    """An international number in one of four E.164-based layouts (`+49 301 2345678`, ...)."""
    cc, length = rng.choice(_COUNTRY.get(lang, _COUNTRY["en"]))
    national = str(rng.randrange(2, 10)) + _digits(rng, length - 1)
    style = rng.randrange(4)
    if style == 0:
        return f"+{cc}{national}"
    if style == 1:
        return f"+{cc} {national[:3]} {national[3:6]} {national[6:]}"
    if style == 2:
        return f"+{cc} ({national[:3]}) {national[3:6]}-{national[6:]}"
    return f"+{cc}-{national[:3]}-{national[3:]}"


def cn_mobile(rng: random.Random) -> str:
    """A Chinese mobile number `1[3-9]` + 9 digits, plain or grouped 3-4-4."""
    number = "1" + rng.choice("3456789") + _digits(rng, 9)
    style = rng.randrange(4)
    if style == 0:
        return number
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    return f"+86 {number[:3]} {number[3:7]} {number[7:]}"


def ipv4(rng: random.Random) -> str:
    """A dotted-quad address with a first octet of 1-223 (unicast)."""
    return ".".join(str(o) for o in [rng.randrange(1, 224)] + [rng.randrange(256) for _ in range(3)])


def ipv6(rng: random.Random) -> str:
    """An IPv6 address in its compressed form; half of them have a zero run written as `::`."""
    groups = [rng.randrange(1, 1 << 16) for _ in range(8)]
    groups[0] = 0x2001  # global unicast look
    if rng.random() < 0.5:
        start = rng.randrange(2, 6)
        for i in range(start, start + rng.randrange(2, 4)):
            groups[i] = 0
    return ipaddress.IPv6Address(b"".join(g.to_bytes(2, "big") for g in groups)).compressed


def luhn_check_digit(payload: str) -> str:
    """The digit that makes `payload + digit` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch) * (2 if i % 2 == 0 else 1)  # doubled: every second digit from the check digit
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def credit_card(rng: random.Random) -> str:
    """A Visa/Mastercard/Amex number with a valid Luhn digit, plain or grouped by spaces/dashes."""
    prefix, length = rng.choice(_CARDS)
    payload = prefix + _digits(rng, length - len(prefix) - 1)
    number = payload + luhn_check_digit(payload)
    sep = rng.choice(["", " ", "-"])
    groups = [number[:4], number[4:10], number[10:]] if length == 15 else [number[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(groups)


def cn_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID."""
    return _CN_ID_CHECK[sum(int(c) * w for c, w in zip(first17, _CN_ID_WEIGHTS)) % 11]


def cn_id(rng: random.Random) -> str:
    """An 18-character Chinese resident ID: region, birth date (1950-2005), sequence, check char."""
    birth = f"{rng.randrange(1950, 2006)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    first17 = rng.choice(_CN_REGIONS) + birth + _digits(rng, 3)
    return first17 + cn_id_check_char(first17)


def iban_check_digits(country: str, bban: str) -> str:
    """The two mod-97 check digits of an IBAN (ISO 13616): letters count as 10..35."""
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random) -> str:
    """A DE/GB/NL/FR/ES IBAN with valid check digits, plain or in groups of four."""
    country = rng.choice(sorted(_IBAN_BBAN))
    bban = "".join(rng.choice(string.ascii_uppercase if k == "a" else string.digits) for k in _IBAN_BBAN[country])
    value = country + iban_check_digits(country, bban) + bban
    if rng.random() < 0.5:
        return value
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


# Placeholder in a template -> (recorded type, generator taking (rng, lang)).
GENERATORS: dict[str, tuple[str, Callable[[random.Random, str], str]]] = {
    "email": ("email", lambda rng, lang: email(rng)),
    "phone": ("phone", phone),
    "cn_mobile": ("phone", lambda rng, lang: cn_mobile(rng)),
    "ipv4": ("ipv4", lambda rng, lang: ipv4(rng)),
    "ipv6": ("ipv6", lambda rng, lang: ipv6(rng)),
    "credit_card": ("credit_card", lambda rng, lang: credit_card(rng)),
    "cn_id": ("cn_id", lambda rng, lang: cn_id(rng)),
    "iban": ("iban", lambda rng, lang: iban(rng)),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_template(template: str, rng: random.Random, lang: str) -> tuple[str, list[dict]]:
    """Fill `{email}`-style placeholders; returns the sentence and its PII with offsets into it."""
    parts, found, pos, length = [], [], 0, 0
    for m in _PLACEHOLDER.finditer(template):
        kind, make = GENERATORS[m.group(1)]
        value = make(rng, lang)
        parts.append(template[pos:m.start()])
        length += m.start() - pos
        found.append({"type": kind, "value": value, "start": length})
        parts.append(value)
        length += len(value)
        pos = m.end()
    parts.append(template[pos:])
    return "".join(parts), found


_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6_CANDIDATE = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:]|\.\w)")


def find_natural_pii(text: str) -> list[dict]:
    """Emails, IPv4 and IPv6 addresses already in `text` (as `{"type","value","start"}` dicts).

    Only the forms a strict check confirms: IPv4 octets <= 255, IPv6 parsed by `ipaddress` with
    at least three non-empty groups (so Python slices like `a[::2]` and `::1` are left out).
    """
    found = [{"type": "email", "value": m.group(), "start": m.start()} for m in _EMAIL.finditer(text)]
    for m in _IPV4.finditer(text):
        if all(int(o) <= 255 for o in m.group().split(".")):
            found.append({"type": "ipv4", "value": m.group(), "start": m.start()})
    for m in _IPV6_CANDIDATE.finditer(text):
        value = m.group()
        if sum(1 for g in value.split(":") if g) < 3:
            continue
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            continue
        found.append({"type": "ipv6", "value": value, "start": m.start()})
    return sorted(found, key=lambda p: p["start"])


_PII_LIKE = re.compile(
    r"\w@\w"                                      # anything email-ish
    r"|\d(?:[\s().+/-]{0,2}\d){6,}"               # 7+ digits in a row, however separated
    r"|\d{1,3}(?:\.\d{1,3}){3}"                   # dotted quads, version numbers included
    r"|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}"  # IPv6-ish colon groups
    r"|\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,}"    # IBAN-ish
)


def looks_like_pii(text: str) -> bool:
    """True when `text` holds anything a PII detector could reasonably flag (broad on purpose)."""
    return _PII_LIKE.search(text) is not None
