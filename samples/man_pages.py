"""Labelled multilingual real text: the translated manual pages a Debian machine carries.

`/usr/share/man/<locale>/man<n>/*.gz` holds pages translated by people outside the project
(the manpages-l10n and package translations); the locale folder is the label (`zh_CN` -> `zh`,
`pt_BR` -> `pt`). troff is turned into plain text by a small stripper (request lines keep
their arguments, font and spacing escapes go), enough for language ID; nothing is copied into
the repository, and the same machine gives the same documents (sorted paths).
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

from samples.docs import SampleDoc

MAN_ROOT = Path("/usr/share/man")
_REQUEST = re.compile(r"^[.'][ \t]*([A-Za-z]{1,3})?[ \t]*(.*)$")
_SKIP_REQUESTS = {"TH", "de", "ds", "nr", "so", "ig", "if", "ie", "el", "ta", "ft", "ps", "ne", "in", "ti"}
_ESCAPE = re.compile(r"\\(?:f(?:\[[^\]]*\]|\(..|.)|s[+-]?\d+|\(..|\[[^\]]*\]|\*(?:\(..|\[[^\]]*\]|.)|[&^|%e\-])")


def troff_to_text(source: str) -> str:
    """Plain text of a troff/man page: comments and setup requests dropped, escapes removed."""
    out = []
    for line in source.split("\n"):
        if line.startswith(('.\\"', "'\\\"", '\\"')):
            continue
        m = _REQUEST.match(line)
        if m:
            if (m.group(1) or "") in _SKIP_REQUESTS:
                continue
            line = m.group(2).replace('"', "")
            if not line:
                out.append("")
                continue
        out.append(_ESCAPE.sub("", line).replace("\\", ""))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def man_page_docs(root: Path = MAN_ROOT, per_lang: int = 15, max_chars: int = 6000,
                  min_chars: int = 300) -> list[SampleDoc]:
    """Up to `per_lang` translated pages per locale folder, labelled by the folder's language."""
    docs: list[SampleDoc] = []
    if not root.is_dir():
        return docs
    for locale in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("man")):
        lang = locale.name.split("_")[0].split(".")[0]
        n = 0
        for path in sorted(locale.glob("man*/*.gz")):
            try:
                with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
                    text = troff_to_text(f.read(4 * max_chars))[:max_chars]
            except (OSError, EOFError):
                continue
            if len(text) < min_chars:
                continue
            docs.append(SampleDoc(text=text, source="man-pages", url=None,
                                  meta={"locale": locale.name, "page": path.name}, lang=lang, category="web"))
            n += 1
            if n >= per_lang:
                break
    return docs
