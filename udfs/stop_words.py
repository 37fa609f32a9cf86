"""Stop-word lists from spaCy's bundled `spacy/lang/<xx>/stop_words.py` (no model, no download).

Gopher's "at least 2 stop words" needs a list per language; hand-written ten-word lists
covered nine languages and exempted the rest silently. spaCy ships maintained lists for ~70
languages as plain Python files holding `STOP_WORDS`; each file is executed on its own
(found with `importlib.util.find_spec`, which does not import the spacy package: importing
spaCy costs seconds and a worker needs only the word sets).
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path


@functools.lru_cache(maxsize=1)
def _spacy_lang_dir() -> Path | None:
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "lang"


def spacy_stop_word_langs() -> list[str]:
    """Language codes with a bundled spaCy stop-word list (empty when spaCy is not installed)."""
    root = _spacy_lang_dir()
    return sorted(p.parent.name for p in root.glob("*/stop_words.py")) if root else []


@functools.lru_cache(maxsize=128)
def spacy_stop_words(lang: str) -> frozenset[str] | None:
    """spaCy's stop words of `lang`, lower-cased; None when spaCy has no list for it."""
    root = _spacy_lang_dir()
    path = root / lang / "stop_words.py" if root else None
    if path is None or not path.is_file():
        return None
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # a data file: one set literal
    return frozenset(w.lower() for w in namespace["STOP_WORDS"])
