"""The prose view: hand-written technical lines in, the words a reader would call language out."""
from __future__ import annotations

from udfs.prose_view import prose_view


def test_prose_view_changelog_keeps_sentences_drops_header_signoff_and_tokens():
    text = ("sudo (1.9.5p2-3) unstable; urgency=medium\n\n"
            "  * Fix a crash when the configuration file is empty (Closes: #983425)\n"
            "  * Fix CVE-2021-3156 in src/sudo.c (Closes: #983425)\n"
            "  * Document how the new option works, as https://example.org/x says.\n\n"
            " -- Jane Doe <jane@debian.org>  Mon, 01 Feb 2021 12:00:00 +0100\n")
    # the header, the CVE line (mostly tokens) and the sign-off go; prose lines lose their tokens
    assert prose_view(text) == ("Fix a crash when the configuration file is empty (Closes:\n"
                                "Document how the new option works, as says.")


def test_prose_view_removes_fenced_and_doctest_and_code_lines():
    text = ("Parse the file and return a list.\n\n```\nx = {1: 2}\n```\n"
            ">>> parse('a.txt')\n['a']\n    if (x) { return y; }\nThe list is sorted.\n")
    assert prose_view(text) == "Parse the file and return a list.\n\nThe list is sorted."


def test_prose_view_cjk_keeps_characters_around_removed_ascii():
    text = "今天是2024年的第一天，天气很好，我们一起去公园散步，看到了很多花。"
    assert prose_view(text) == "今天是 年的第一天，天气很好，我们一起去公园散步，看到了很多花。"


def test_prose_view_plain_prose_unchanged():
    text = "The old stone bridge was reopened this spring.\n\nFamilies walk across it every day."
    assert prose_view(text) == text


def test_prose_view_identifiers_and_paths_removed():
    text = "You can set max_size in /etc/app.conf when the default limit is too small for your largest files."
    assert prose_view(text) == "You can set in when the default limit is too small for your largest files."


def test_prose_view_line_mostly_tokens_dropped():
    assert prose_view("Set max_size in /etc/app.conf or getElementById.") == ""
