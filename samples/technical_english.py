"""A corpus of real technical English that nobody on the project wrote, built at test time.

Read from what every Debian/Ubuntu machine and every Python install carries:
- `/usr/share/doc/<package>/changelog*.gz`: package change logs (names, versions, e-mail
  addresses, bullet lines: the text lid.176 is least sure about);
- `/usr/share/common-licenses/*`: licence texts;
- the running Python's standard-library docstrings (`samples.docs.docstring_docs`).

Nothing is copied into the repository; the same machine gives the same documents (sorted
paths, first `max_chars` characters of each file). Every document is labelled "en": Debian
change logs and licences are written in English, with the rare non-English one counted as a
labelling error of at most a document or two.
"""
from __future__ import annotations

import gzip
from pathlib import Path

from samples.docs import SampleDoc, docstring_docs, stdlib_files, stdlib_root

DOC_ROOT = Path("/usr/share/doc")
LICENSE_ROOT = Path("/usr/share/common-licenses")


def changelog_docs(root: Path = DOC_ROOT, max_docs: int = 200, max_chars: int = 8000) -> list[SampleDoc]:
    """Up to `max_docs` package change logs (one per package, sorted by package name)."""
    docs: list[SampleDoc] = []
    for pkg in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        logs = sorted(pkg.glob("changelog*.gz"))
        if not logs:
            continue
        # the upstream change log when there is one, else the Debian one
        path = next((p for p in logs if p.name == "changelog.gz"), logs[0])
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
                text = f.read(max_chars)
        except (OSError, EOFError):
            continue
        if len(text.strip()) < 300:
            continue
        docs.append(SampleDoc(text=text, source="debian-changelogs", url=None,
                              meta={"package": pkg.name, "file": path.name}, lang="en", category="web"))
        if len(docs) >= max_docs:
            break
    return docs


def license_docs(root: Path = LICENSE_ROOT, max_chars: int = 8000) -> list[SampleDoc]:
    """Each licence text once (symbolic links such as GPL -> GPL-3 are skipped)."""
    if not root.is_dir():
        return []
    docs = []
    for path in sorted(root.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")[:max_chars]
        docs.append(SampleDoc(text=text, source="debian-licenses", url=None, meta={"file": path.name},
                              lang="en", category="legal"))
    return docs


def technical_english(max_changelogs: int = 200, max_docstrings: int = 200,
                      max_chars: int = 8000) -> list[SampleDoc]:
    """Change logs, licences and stdlib docstrings (every `len(docstrings) // max_docstrings`-th)."""
    root = stdlib_root()
    docstrings = docstring_docs(root, stdlib_files(root))
    step = max(1, len(docstrings) // max_docstrings)
    picked = [SampleDoc(text=d.text[:max_chars], source=d.source, url=d.url, meta=d.meta, lang="en",
                        category=d.category) for d in docstrings[::step][:max_docstrings]]
    return changelog_docs(max_docs=max_changelogs, max_chars=max_chars) + license_docs(max_chars=max_chars) + picked
