"""fastText quality classifier: text normalisation, training, loading and scoring.

Two labels, `__label__hq` (documents of the positive sources) and `__label__lq` (negative
sources), as DCLM's fastText filter does. Training and scoring read the same view of a
document, `normalise_texts`: its first `max_chars` characters, lower-cased, every run of white
space (newlines included: fastText reads one example per line) folded to one space.

A model folder `v<N>/` holds `model.bin` and `meta.json` (sources, counts, held-out accuracy,
hyper-parameters, seed, max_chars); `spark_jobs/train_quality.py` writes it and
`load_quality_model` reads it once per Python worker.
"""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import fasttext
import numpy as np

LABEL_HIGH = "__label__hq"
LABEL_LOW = "__label__lq"
MODEL_FILE = "model.bin"
META_FILE = "meta.json"
_SPACE = re.compile(r"\s+")


def normalise_texts(texts: Iterable[str | None], max_chars: int) -> list[str]:
    """The classifier's view of each text: first `max_chars` characters, lower-cased, white
    space folded to single spaces (so a 50 MB document costs as much as a 4 kB one)."""
    return [_SPACE.sub(" ", (t or "")[:max_chars].lower()).strip() for t in texts]


def training_lines(texts: Iterable[str], labels: Iterable[bool], max_chars: int) -> Iterable[str]:
    """fastText training lines `__label__hq <text>` / `__label__lq <text>`, one per document;
    documents empty after normalisation are skipped (they carry no signal)."""
    for text, label in zip(normalise_texts(texts, max_chars), labels):
        if text:
            yield f"{LABEL_HIGH if label else LABEL_LOW} {text}\n"


def train_fasttext(train_file: str, *, epoch: int, lr: float, word_ngrams: int, dim: int,
                   min_count: int, bucket: int, seed: int):
    """Train a supervised fastText model on `train_file`. One thread: fastText's Hogwild
    updates make multi-threaded runs differ, one thread with a fixed seed repeats exactly."""
    return fasttext.train_supervised(
        input=train_file, epoch=epoch, lr=lr, wordNgrams=word_ngrams, dim=dim,
        minCount=min_count, bucket=bucket, seed=seed, thread=1, verbose=0)


@dataclass(frozen=True)
class QualityModel:
    """A loaded classifier and what it was trained with."""

    fasttext: object
    max_chars: int
    meta: dict


@functools.lru_cache(maxsize=4)
def load_quality_model(path: str) -> QualityModel:
    """Load a model folder (`…/v3`) or its `model.bin`; cached, so each Python worker reads
    the file once however many batches it scores."""
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    with open(os.path.join(folder, META_FILE), encoding="utf-8") as f:
        meta = json.load(f)
    model = fasttext.load_model(os.path.join(folder, MODEL_FILE))
    return QualityModel(fasttext=model, max_chars=int(meta["max_chars"]), meta=meta)


def _p_high(model, texts: list[str]) -> np.ndarray:
    # k=2 returns both labels with their probabilities, most likely first: (n,) tuples of 2.
    labels, probs = model.predict(texts, k=2)
    out = np.empty(len(texts), dtype=np.float32)
    for i, (lab, p) in enumerate(zip(labels, probs)):
        out[i] = p[0] if lab[0] == LABEL_HIGH else 1.0 - p[0]
    return out


def quality_scores(model: QualityModel, texts: Sequence[str | None]) -> np.ndarray:
    """P(high quality) per text as float32; NaN for texts empty after normalisation (no
    evidence either way, so a `min_score` rule does not fire on them)."""
    norm = normalise_texts(texts, model.max_chars)
    scores = np.full(len(norm), np.nan, dtype=np.float32)
    idx = [i for i, t in enumerate(norm) if t]
    if idx:
        scores[idx] = _p_high(model.fasttext, [norm[i] for i in idx])
    return scores


def predict_high(model, texts: list[str]) -> np.ndarray:
    """Boolean 'high quality' decision (P > 0.5) for already normalised, non-empty texts."""
    return _p_high(model, texts) > 0.5


def next_version_dir(root: str) -> tuple[int, str]:
    """(N, `<root>/v<N>`) for the next model version: one more than the newest `v<k>` folder."""
    versions = [int(d[1:]) for d in (os.listdir(root) if os.path.isdir(root) else [])
                if d.startswith("v") and d[1:].isdigit()]
    n = max(versions, default=0) + 1
    return n, os.path.join(root, f"v{n}")


def latest_version_dir(root: str) -> str | None:
    """`<root>/v<N>` of the newest model version, or None when nothing was trained yet."""
    n, _ = next_version_dir(root)
    return os.path.join(root, f"v{n - 1}") if n > 1 else None
