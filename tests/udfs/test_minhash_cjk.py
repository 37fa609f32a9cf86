"""Chinese and Japanese near-duplicates through MinHash-LSH with character shingles.

The truth is the test's own: character 5-grams over the letters of each text (`str.isalnum`,
nothing from udfs.minhash) and exact Jaccard over every pair. The corpus is seeded: base
documents drawn from the sentences of `samples.texts` (zh, ja), near-duplicates made from them
by character edits at known rates (substitute, insert, delete).
"""
from __future__ import annotations

import itertools
import random
import re

import numpy as np
import pyarrow as pa
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from conf import load_config
from samples.texts import LANGUAGES
from udfs.lsh import band_hashes, optimal_bands
from udfs.minhash import shingle_hash32, shingle_sets, signatures, word_shingles

EDIT_RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3)


def _sentences(lang: str) -> list[str]:
    text = "".join(d["text"] for d in LANGUAGES[lang].DOCS)
    return [s for s in re.split(r"(?<=[。！？])", text.replace("\n", "")) if len(s) > 5]


def _edit(text: str, rate: float, pool: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        r = rng.random()
        if r < rate / 3:
            continue  # delete
        if r < 2 * rate / 3:
            out.append(rng.choice(pool))  # substitute
        elif r < rate:
            out.extend((ch, rng.choice(pool)))  # insert
        else:
            out.append(ch)
    return "".join(out)


def _corpus(seed: int = 16) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, langs = [], []
    for lang in ("zh", "ja"):
        sents = _sentences(lang)
        pool = "".join(sorted(set("".join(sents)) - set("。！？、，「」（）")))
        for _ in range(80):
            base = "".join(rng.sample(sents, rng.randint(6, 10)))
            texts.append(base)
            langs.append(lang)
            for rate in rng.sample(EDIT_RATES, 2):
                texts.append(_edit(base, rate, pool, rng))
                langs.append(lang)
    return texts, langs


def _truth_shingles(text: str, n: int) -> set[str]:
    chars = "".join(ch for ch in text.lower() if ch.isalnum())
    return {chars[i:i + n] for i in range(max(1, len(chars) - n + 1))}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _found_pairs(texts, langs, cfg, char_ngrams) -> set[tuple[int, int]]:
    """The pipeline's pairs: LSH band collisions, verified by exact Jaccard of udfs shingle sets."""
    bands, rows = optimal_bands(cfg.threshold, cfg.num_perm, cfg.false_positive_weight, cfg.false_negative_weight)
    sig, _ = signatures(pa.array(texts), cfg.num_perm, cfg.seed, cfg.ngram, langs, char_ngrams)
    bh = band_hashes(sig, bands, rows)
    candidates = set()
    for b in range(bands):
        buckets: dict[int, list[int]] = {}
        for i, h in enumerate(bh[:, b].tolist()):
            buckets.setdefault(h, []).append(i)
        for members in buckets.values():
            candidates.update(itertools.combinations(members, 2))
    sets = [set(s.tolist()) for s in shingle_sets(pa.array(texts), cfg.ngram, langs, char_ngrams)]
    return {(i, j) for i, j in candidates if _jaccard(sets[i], sets[j]) >= cfg.threshold}


def test_cjk_near_duplicates_recall_and_precision_with_char_shingles():
    cfg = load_config().dedup
    assert cfg.char_ngrams["zh"] == cfg.char_ngrams["ja"]  # the truth below uses one n
    n = cfg.char_ngrams["zh"]
    texts, langs = _corpus()
    truth_sets = [_truth_shingles(t, n) for t in texts]
    truth = {(i, j) for i, j in itertools.combinations(range(len(texts)), 2)
             if _jaccard(truth_sets[i], truth_sets[j]) >= cfg.threshold}
    assert len(truth) >= 100  # the low edit rates make true duplicates, the high ones do not
    found = _found_pairs(texts, langs, cfg, cfg.char_ngrams)
    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / len(found)
    assert recall >= 0.97 and precision >= 0.99, f"recall {recall:.3f} precision {precision:.3f}"
    # word shingles (the old behaviour) see almost none of them: a sentence is one "word"
    word_found = _found_pairs(texts, langs, cfg, {})
    word_recall = len(word_found & truth) / len(truth)
    print(f"truth {len(truth)} found {len(found)} recall {recall:.4f} precision {precision:.4f}; "
          f"word shingles recall {word_recall:.4f}")
    assert word_recall < 0.5


_CJK_TEXT = st.text(alphabet="今天气很好我们去公园ラーメンを食べたabc 1。、", max_size=120)


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(_CJK_TEXT, min_size=1, max_size=6), ngram=st.integers(1, 6))
def test_char_shingle_signatures_bit_identical_to_datasketch(texts, ngram):
    langs = ["zh" if i % 2 == 0 else "en" for i in range(len(texts))]
    sig, counts = signatures(pa.array(texts), 32, 3, 5, langs, {"zh": ngram})
    for text, lang, row, count in zip(texts, langs, sig, counts):
        n, per_char = (ngram, True) if lang == "zh" else (5, False)
        m = MinHash(num_perm=32, seed=3, hashfunc=shingle_hash32)
        m.update_batch(word_shingles(text, n, per_char))
        np.testing.assert_array_equal(row, m.hashvalues)
        assert count == len(word_shingles(text, n, per_char))


def test_word_shingles_per_char_golden():
    assert word_shingles("今天ABC好。", 2, per_char=True) == [("今", "天"), ("天", "abc"), ("abc", "好")]
    assert word_shingles("今天ABC好。", 2) == [("今天abc好",)]
