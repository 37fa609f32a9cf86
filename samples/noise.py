"""Generated noise for the sample corpus: word edits, boilerplate, spam, lorem ipsum.

Words are whitespace-separated tokens (`text.split()`) throughout, the same unit the truth's
`edit_rate` and `jaccard5` (word 5-gram shingles) are measured in.
"""
from __future__ import annotations

import random
import re
from types import ModuleType

from samples.texts import LOREM_WORDS

_WORD = re.compile(r"\S+")

# Edit rates of the generated near-duplicates. Median word 5-gram Jaccard to the original in
# the seed-0 corpus: 0.86, 0.64, 0.46, 0.26, 0.11, 0.02, so only 0.02 (and some 0.05) copies
# sit above a 0.7 LSH threshold and the rest test that dedup leaves them alone.
NEAR_DUP_RATES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def edit_words(text: str, rate: float, rng: random.Random, vocabulary: list[str]) -> tuple[str, int]:
    """Edit round(rate * n) distinct words of `text`; returns the new text and the edit count.

    Each picked word is substituted by a different vocabulary word, deleted, or followed by an
    inserted vocabulary word (one of the three at random), so the word-level edit distance to
    the original is the edit count (barring chance cancellations). Whitespace between the
    surviving words is kept, so paragraphs stay paragraphs.
    """
    pairs, prev = [], 0  # (whitespace before the word, word)
    for m in _WORD.finditer(text):
        pairs.append((text[prev:m.start()], m.group()))
        prev = m.end()
    tail = text[prev:]
    k = round(rate * len(pairs))
    picked = set(rng.sample(range(len(pairs)), k))
    out: list[tuple[str, str]] = []
    carry_sep: str | None = None  # separator of a deleted word that held a line break
    for i, (sep, word) in enumerate(pairs):
        if carry_sep is not None:
            sep, carry_sep = (carry_sep if carry_sep.count("\n") > sep.count("\n") else sep), None
        if i not in picked:
            out.append((sep, word))
            continue
        op = rng.randrange(3)
        if op == 0:  # substitute
            out.append((sep, _other_word(word, vocabulary, rng)))
        elif op == 1:  # delete; keep a line break it carried for the next word
            carry_sep = sep if "\n" in sep else None
        else:  # insert after
            out.append((sep, word))
            out.append((" ", rng.choice(vocabulary)))
    return "".join(s + w for s, w in out) + tail, k


def _other_word(word: str, vocabulary: list[str], rng: random.Random) -> str:
    for _ in range(8):
        candidate = rng.choice(vocabulary)
        if candidate != word:
            return candidate
    return word + rng.choice("aeiou")  # a one-word vocabulary: still a different word


def shingles5(text: str) -> set[tuple[str, ...]]:
    """Word 5-gram shingle set of `text`; a text shorter than 5 words is its one shingle."""
    words = text.split()
    if len(words) < 5:
        return {tuple(words)}
    return {tuple(words[i:i + 5]) for i in range(len(words) - 4)}


def jaccard5(a: str, b: str) -> float:
    """Jaccard similarity of the word 5-gram shingle sets of `a` and `b`."""
    sa, sb = shingles5(a), shingles5(b)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def add_boilerplate(text: str, lang: ModuleType) -> tuple[str, list[str]]:
    """Wrap a page in its language's nav line (top), cookie banner and footer (bottom)."""
    bp = lang.BOILERPLATE
    lines = [bp["nav"], bp["cookie"], bp["footer"]]
    return f"{bp['nav']}\n\n{text.rstrip()}\n\n{bp['cookie']}\n{bp['footer']}\n", lines


def _joiner(lang: ModuleType) -> str:
    return "，" if lang.LANG in ("zh", "ja") else " "


def keyword_spam(rng: random.Random, lang: ModuleType) -> str:
    """Keyword stuffing: paragraphs of the language's spam keywords, repeated in random order."""
    paras = []
    for _ in range(rng.randrange(3, 6)):
        words = [rng.choice(lang.SPAM_KEYWORDS) for _ in range(rng.randrange(15, 40))]
        paras.append(_joiner(lang).join(words) + "!")
    return "\n\n".join(paras) + "\n"


def repeated_line_spam(rng: random.Random, lang: ModuleType) -> str:
    """The language's spam line repeated 10-30 times, with a keyword line now and then."""
    lines = []
    for _ in range(rng.randrange(10, 31)):
        lines.append(lang.SPAM_LINE if rng.random() < 0.8 else rng.choice(lang.SPAM_KEYWORDS))
    return "\n".join(lines) + "\n"


def lorem_ipsum(rng: random.Random) -> str:
    """Placeholder text: 2-5 paragraphs of lorem ipsum sentences, the first starting canonically."""
    paras = []
    for p in range(rng.randrange(2, 6)):
        sentences = []
        for s in range(rng.randrange(3, 7)):
            words = [rng.choice(LOREM_WORDS) for _ in range(rng.randrange(6, 14))]
            if p == 0 and s == 0:
                words = ["lorem", "ipsum", "dolor", "sit", "amet"] + words
            sentences.append(" ".join(words).capitalize() + ".")
        paras.append(" ".join(sentences))
    return "\n\n".join(paras) + "\n"
