"""Exact-dedup text normalisation and the URL normaliser: golden examples."""

import pyarrow as pa
import pytest

from udfs.normalize import normalize_text, normalize_url, normalize_urls, text_hashes


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.com:80/a/./b/?utm_source=x&b=2&a=1#top", "https://example.com/a/b?a=1&b=2"),
        ("https://example.com/a/b?a=1&b=2", "https://example.com/a/b?a=1&b=2"),
        ("https://example.com", "https://example.com/"),
        ("http://example.com:8080/x/", "https://example.com:8080/x"),
        ("http://a.com//x//y/../z", "https://a.com/x/z"),
        ("http://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
        ("https://example.com/Path?fbclid=1&gclid=2", "https://example.com/Path"),
        ("https://user:pw@Example.com./a", "https://example.com/a"),
        ("https://bücher.de/x", "https://xn--bcher-kva.de/x"),
        ("http://example.com/?q=", "https://example.com/?q="),
    ],
)
def test_normalize_url_spellings_of_one_page_canonical_form(url, expected):
    assert normalize_url(url) == expected


@pytest.mark.parametrize("url", ["", None, "ftp://x.com/a", "example.com/x", "http://x.com:99999/", "http://[::1/", "mailto:a@b.c"])
def test_normalize_url_not_http_or_malformed_none(url):
    assert normalize_url(url) is None


def test_normalize_urls_batch_same_as_scalar():
    urls = ["http://www.a.com/x/", None, "nope"]
    assert normalize_urls(urls) == ["https://a.com/x", None, None]


def test_normalize_text_case_space_and_compat_forms_folded():
    assert normalize_text("  Héllo\u00a0 WORLD\n\t\ufb01  ") == "héllo world fi"


def test_text_hashes_equal_after_normalisation_distinct_otherwise():
    h = text_hashes(pa.array(["A  b\nC", "a b c", "a b c.", None]))
    assert h[0] == h[1] != h[2]
    assert h[3] is None
    assert len(h[0]) == 32
