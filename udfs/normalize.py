"""Normalisation for exact and URL deduplication.

Two documents are exact duplicates when their *normalised* texts hash the same:
NFKC, lower case, every run of (Unicode) white space collapsed to one space, ends
trimmed. Punctuation is kept on purpose: stripping it would merge code files that
differ only in operators.

Two documents are URL duplicates when their normalised URLs are equal:
``normalize_url`` maps the spellings of one page onto one string (scheme, ``www.``,
default port, fragment, tracking parameters, parameter order, trailing slash).

Everything here is pure Python / Arrow: no Spark import.
"""

from __future__ import annotations

import hashlib
import posixpath
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pyarrow as pa
import pyarrow.compute as pc

# RE2 (Arrow's regex engine) treats \s as ASCII only; \p{Z} adds NBSP, thin spaces, etc.
_WHITESPACE_RUN = r"[\s\p{Z}]+"

# Query parameters that identify a visit, not a page (analytics, ad click ids, sessions).
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl",
     "igshid", "ref_src", "spm", "sessionid", "phpsessid", "jsessionid", "sid"}
)
_TRACKING_PREFIXES = ("utm_", "pk_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters that percent-encoding must never hide (RFC 3986 unreserved set) stay
# decoded; everything else is re-encoded canonically (upper-case hex).
_PATH_SAFE = ":@!$&'()*+,;=-._~"


def normalize_texts(texts: pa.Array) -> pa.Array:
    """Normalised text per document (NFKC, lower case, white space collapsed, trimmed).

    Vectorised over one Arrow batch (Arrow's C++ kernels, no per-row Python); nulls stay null.
    """
    texts = pc.utf8_normalize(texts, form="NFKC")
    texts = pc.utf8_lower(texts)
    texts = pc.replace_substring_regex(texts, pattern=_WHITESPACE_RUN, replacement=" ")
    return pc.utf8_trim_whitespace(texts)


def normalize_text(text: str) -> str:
    """Normalised form of one text; the same rule as ``normalize_texts``."""
    return normalize_texts(pa.array([text], type=pa.large_string()))[0].as_py()


def text_hashes(texts: pa.Array) -> list[str | None]:
    """Hex BLAKE2b-128 digest of each normalised text (None for a null text).

    128 bits keep collisions out of reach (1e12 documents: p < 1e-14); one hashlib call per
    document, never per word.
    """
    normalised = normalize_texts(texts)
    return [
        None if t is None else hashlib.blake2b(t.encode("utf-8"), digest_size=16).hexdigest()
        for t in normalised.to_pylist()
    ]


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


def _normalize_host(netloc_host: str) -> str | None:
    host = netloc_host.strip().rstrip(".").lower()
    if not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # keep the lower-cased Unicode host: still one spelling per host
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def _normalize_path(path: str) -> str:
    # Per segment, so an encoded "/" (%2F) stays inside its segment.
    path = "/".join(quote(unquote(seg), safe=_PATH_SAFE) for seg in path.split("/"))
    if not path:
        return "/"
    normed = posixpath.normpath(path)  # resolves "." and ".." segments, collapses "//"
    if normed.startswith("//"):
        normed = "/" + normed.lstrip("/")
    return normed if normed != "." else "/"


def normalize_url(url: str) -> str | None:
    """Canonical form of an http(s) URL for URL dedup, or None when it is not one.

    ``HTTP://WWW.Example.com:80/a/./b/?utm_source=x&b=2&a=1#top`` and
    ``https://example.com/a/b?a=1&b=2`` both give ``https://example.com/a/b?a=1&b=2``:
    scheme unified to https, host lower-cased without ``www.``, default port, fragment,
    tracking parameters and trailing slash dropped, parameters sorted, percent-escapes
    canonical. The path keeps its case (servers are case-sensitive there).
    """
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # bad port or IPv6 bracket: not a usable URL
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or parts.hostname is None:
        return None
    host = _normalize_host(parts.hostname)
    if host is None:
        return None
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = _normalize_path(parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    params = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    query = f"?{urlencode(params)}" if params else ""
    return f"https://{host}{path}{query}"


def normalize_urls(urls: list[str | None]) -> list[str | None]:
    """``normalize_url`` over a batch (one call per document; nulls and non-URLs give None)."""
    return [normalize_url(u) for u in urls]
