"""The prose of a document: what is left for language ID once non-language text is taken out.

lid.176 is least sure of itself on technical prose: a Debian change log line such as
`* Fix CVE-2021-3156 in src/sudo.c (Closes: #983425) -- Jane Doe <jane@debian.org>` carries
a handful of English words among versions, paths, bug numbers and an address, and the score
of the whole document falls to ~0.5 although it is plainly English. `prose_view` removes, in
this order:

1. fenced code blocks (``` or ~~~), doctest lines (`>>>`, `...`) and code-like lines (more
   than `max_code_char_frac` of their visible characters are `{}()[];=<>$|&*` and quotes);
2. URLs, e-mail addresses, paths (`/usr/share/doc`, `src/sudo.c`, `C:\\x`), command-line
   options (`--all`, `-l`), identifiers (`snake_case`, `os.path.join`, `camelCase`, `f()`),
   `key=value` pairs, and every ASCII run holding a digit (versions `1.2.3-4ubuntu1`, dates,
   bug numbers, hex ids such as `a3f9c2e`);
3. lines that lost more than `max_removed_frac` of their visible characters in step 2 (a
   change-log header `sudo (1.9.5p2-3) unstable; urgency=medium`, a sign-off
   ` -- Jane Doe <jane@debian.org>  Mon, 01 Feb 2021 12:00:00 +0100`: names and dates, not
   sentences), lines left with no letter, and runs of bare punctuation.

Only ASCII runs are touched in step 2, so Chinese or Japanese text (one white-space "token"
per sentence) loses its `2024` but keeps its `年`. The function decides nothing; it gives the
text that `udfs.langid` scores. Cost: a few compiled regexes over the text, linear in its size.
"""
from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
_DOCTEST = re.compile(r"^[ \t]*(?:>>>|\.\.\.)(?: .*)?$", re.M)
_CODE_CHARS = re.compile(r"[{}()\[\];=<>$|&*\"'`\\]")
_A = r"A-Za-z0-9_.+\-"  # the characters of an ASCII identifier-ish run
_TOKENS = re.compile("|".join((
    r"(?:https?|ftp|git|svn|file)://[^\s<>\"')\]]+",      # URL
    r"\bwww\.[^\s<>\"')\]]+",                              # bare www. URL
    rf"<?[{_A}]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+>?",   # e-mail, <bracketed> or not
    r"(?<![\w/])(?:[A-Za-z]:\\|~?/)[^\s,;)\]]*",          # absolute path, ~/x, C:\x
    rf"[{_A}]+(?:/[{_A}]+)+/?",                            # relative path a/b/c.d
    r"(?<![\w-])--?[A-Za-z][\w-]*",                       # command-line option
    r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?:\(\))?",  # dotted name, file.ext
    r"[A-Za-z0-9]*_[A-Za-z0-9_]*",                         # snake_case (and _private)
    r"\b[a-z]+[A-Z][A-Za-z0-9]*",                          # camelCase
    r"[A-Za-z_]\w*\(\)",                                   # call f()
    r"\S+=\S*",                                            # key=value
    rf"[{_A}:~#]*[0-9][{_A}:~]*",                          # anything ASCII with a digit
)))
_BARE_PUNCT = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
_LETTER = re.compile(r"[^\W\d_]")
_SPACES = re.compile(r"[ \t]{2,}")


def _code_like(line: str, max_code_char_frac: float) -> bool:
    visible = _visible(line)
    return visible > 0 and len(_CODE_CHARS.findall(line)) > max_code_char_frac * visible


def _visible(line: str) -> int:
    return len(line) - line.count(" ") - line.count("\t")


def prose_view(text: str, max_code_char_frac: float = 0.1, max_removed_frac: float = 0.5) -> str:
    """`text` without code blocks, addresses, versions, paths and other non-language tokens.

    Paragraph breaks (blank lines) survive, so the result can still be cut into paragraphs.
    """
    text = _DOCTEST.sub("", _FENCE.sub("", text))
    out: list[str] = []
    for line in text.split("\n"):
        if _code_like(line, max_code_char_frac):
            continue  # a dropped line vanishes; blank lines (paragraph breaks) stay
        kept = _BARE_PUNCT.sub(" ", _TOKENS.sub(" ", line))
        if not line.strip():
            out.append("")
            continue
        if not _LETTER.search(kept) or _visible(kept) < (1 - max_removed_frac) * _visible(line):
            continue
        out.append(_SPACES.sub(" ", kept).strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()
