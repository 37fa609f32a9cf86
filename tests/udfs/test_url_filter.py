"""Domain blocklist: a listed domain blocks itself and its subdomains, nothing else."""

import pytest

from udfs.url_filter import blocked_domain, blocked_domains, load_blocklist, parse_blocklist

LIST = parse_blocklist(["# spam farms", "casino-spam.example", "*.ads.example.net", "www.Tracker.EXAMPLE.org  # host",
                        "", "   "])


def test_parse_blocklist_strips_comments_prefixes_and_case():
    assert LIST == {"casino-spam.example", "ads.example.net", "tracker.example.org"}


@pytest.mark.parametrize("url, expected", [
    ("https://casino-spam.example/win", "casino-spam.example"),
    ("https://deep.sub.casino-spam.example/", "casino-spam.example"),
    ("https://ads.example.net:8443/x", "ads.example.net"),
    ("https://tracker.example.org/p?a=1", "tracker.example.org"),
    ("https://example.net/", None),                  # parent of a listed domain is not blocked
    ("https://notcasino-spam.example/", None),       # a suffix match must stop at a dot
    ("https://casino-spam.example.com/", None),
])
def test_blocked_domain_matches_domain_and_subdomains_only(url, expected):
    assert blocked_domain(url, LIST) == expected


def test_blocked_domain_empty_list_blocks_nothing():
    assert blocked_domain("https://casino-spam.example/", frozenset()) is None


def test_blocked_domains_batch_keeps_none():
    assert blocked_domains(["https://ads.example.net/", None, "https://ok.example/"], LIST) == [
        "ads.example.net", None, None]


def test_load_blocklist_reads_file(tmp_path):
    path = tmp_path / "block.txt"
    path.write_text("bad.example\n# comment\nworse.example\n", encoding="utf-8")
    assert load_blocklist(str(path)) == {"bad.example", "worse.example"}
