"""Synthetic corpora with injected duplicates of known kind and edit rate, for dedup tests and benches.

A corpus is made of *families*: one original document (pseudo-words drawn from a Zipf law over
a 30,000-word vocabulary, so common words recur as in real text) and 0..k variants of it:
near-duplicates (each word substituted, deleted or followed by an inserted word with
probability `edit_rate`, drawn per variant), exact copies that differ only in case and white
space, and copies under another spelling of the same URL. Documents of different families share
almost no 5-gram, so the true duplicate pairs are found by exact Jaccard inside families.
Rows are shaped like the `annotated_docs` columns the dedup job reads.
"""
from __future__ import annotations

import itertools

import numpy as np

CATEGORIES = ("news", "knowledge", "web")
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ber", "dan", "fel", "gor", "hil", "jun", "kes",
              "lam", "mor", "nit", "pal", "quo", "ris", "sen", "tur", "vex", "wal", "yen", "zor", "a", "e", "o"]


def vocabulary(size: int = 30_000, seed: int = 0) -> np.ndarray:
    """`size` distinct pseudo-words of 1-4 syllables (2-12 letters, ~6 on average)."""
    rng = np.random.default_rng(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        n = int(rng.integers(1, 5))
        words["".join(rng.choice(_SYLLABLES, size=n))] = None
    return np.array(list(words), dtype=object)


def _zipf_probs(size: int, s: float = 1.05) -> np.ndarray:
    p = 1.0 / np.arange(1, size + 1) ** s
    return p / p.sum()


def edit_words(words: np.ndarray, rate: float, vocab_size: int, rng: np.random.Generator) -> np.ndarray:
    """Word ids after substituting, deleting or inserting after each word with probability `rate`
    (a third each); vectorised over the document."""
    edited = rng.random(len(words)) < rate
    kind = rng.integers(0, 3, size=len(words))
    out = words.copy()
    sub = edited & (kind == 0)
    out[sub] = rng.integers(vocab_size, size=int(sub.sum()))
    keep = ~(edited & (kind == 1))
    after = np.flatnonzero(edited & (kind == 2)) + 1
    out = np.insert(out, after, rng.integers(vocab_size, size=len(after)))
    keep = np.insert(keep, after, True)
    return out[keep]


def make_corpus(n_families: int, seed: int, max_variants: int = 3, max_edit: float = 0.12,
                median_words: int = 300, exact_share: float = 0.1, url_share: float = 0.05,
                vocab: np.ndarray | None = None, id_prefix: str = "") -> list[dict]:
    """Documents of `n_families` families (see the module docstring); each dict has the annotated_docs
    columns dedup reads plus `family`, `variant` ("original" | "near" | "exact" | "url") and `edit_rate`."""
    rng = np.random.default_rng(seed)
    vocab = vocabulary() if vocab is None else vocab
    probs = _zipf_probs(len(vocab))
    cdf = np.cumsum(probs)
    rows = []
    for fam in range(n_families):
        n_words = max(5, int(rng.lognormal(np.log(median_words), 0.6)))
        ids = np.minimum(np.searchsorted(cdf, rng.random(n_words)), len(vocab) - 1)
        original = vocab[ids]
        category = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
        url = f"http://www.site{seed}-{fam}.example/page/{fam}"
        docs = [("original", 0.0, " ".join(original), url)]
        for _ in range(int(rng.integers(0, max_variants + 1))):
            draw = rng.random()
            if draw < exact_share:
                spaced = "  ".join(original).upper() if rng.random() < 0.5 else "\n".join(original)
                docs.append(("exact", 0.0, spaced, None))
            elif draw < exact_share + url_share:
                other = np.minimum(np.searchsorted(cdf, rng.random(n_words)), len(vocab) - 1)
                docs.append(("url", 0.0, " ".join(vocab[other]),
                             url.replace("http://www.", "https://") + "/?utm_source=feed"))
            else:
                rate = float(rng.uniform(0.0, max_edit))
                docs.append(("near", rate, " ".join(vocab[edit_words(ids, rate, len(vocab), rng)]), None))
        for k, (variant, rate, text, doc_url) in enumerate(docs):
            rows.append(dict(
                doc_id=f"{id_prefix}{seed:04d}-{fam:06d}-{k}", source="synthetic", url=doc_url, text_masked=text,
                lang="en", category=category, quality_score=float(np.round(rng.random(), 3)),
                n_words=len(text.split()), text_bytes=len(text.encode("utf-8")), kept=True,
                family=fam, variant=variant, edit_rate=rate))
    return rows


ANNOTATED_DDL = ("doc_id string, source string, url string, text_masked string, lang string, category string, "
                 "quality_score double, n_words int, text_bytes int, kept boolean")


def shingle_set(text: str, ngram: int = 5) -> set:
    """Exact word-shingle set, by the same word rule as udfs.minhash (pure Python; the truth)."""
    from udfs.minhash import word_shingles

    return set(word_shingles(text, ngram))


def jaccard(a: set, b: set) -> float:
    """Exact Jaccard of two sets (1.0 for two empty sets)."""
    return len(a & b) / len(a | b) if a or b else 1.0


def true_pairs(rows: list[dict], threshold_of, ngram: int = 5) -> dict[tuple[str, str], float]:
    """{(doc_a, doc_b): Jaccard} for pairs inside a family at or above their threshold.

    `threshold_of(category_a, category_b)` gives a pair's threshold. Pairs across families are
    not examined (they share ~no shingle by construction; `cross_family_max` checks that claim).
    """
    sets = {r["doc_id"]: shingle_set(r["text_masked"], ngram) for r in rows}
    fams: dict[int, list[dict]] = {}
    for r in rows:
        fams.setdefault(r["family"], []).append(r)
    out = {}
    for members in fams.values():
        for a, b in itertools.combinations(sorted(members, key=lambda r: r["doc_id"]), 2):
            j = jaccard(sets[a["doc_id"]], sets[b["doc_id"]])
            if j >= threshold_of(a["category"], b["category"]):
                out[(a["doc_id"], b["doc_id"])] = j
    return out
