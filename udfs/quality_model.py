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

import concurrent.futures
import functools
import json
import multiprocessing
import os
from dataclasses import dataclass
from typing import Iterable, Sequence

import fasttext
import numpy as np

LABEL_HIGH = "__label__hq"
LABEL_LOW = "__label__lq"
MODEL_FILE = "model.bin"
META_FILE = "meta.json"


def normalise_texts(texts: Iterable[str | None], max_chars: int) -> list[str]:
    """The classifier's view of each text: first `max_chars` characters, lower-cased, white
    space folded to single spaces (so a 50 MB document costs as much as a 4 kB one)."""
    # str.split() splits on the same white space as re's \s, 3x faster than re.sub here
    return [" ".join((t or "")[:max_chars].lower().split()) for t in texts]


def training_lines(texts: Iterable[str], labels: Iterable[bool], max_chars: int) -> Iterable[str]:
    """fastText training lines `__label__hq <text>` / `__label__lq <text>`, one per document;
    documents empty after normalisation are skipped (they carry no signal)."""
    for text, label in zip(normalise_texts(texts, max_chars), labels):
        if text:
            yield f"{LABEL_HIGH if label else LABEL_LOW} {text}\n"


def train_fasttext(train_file: str, model_file: str, *, epoch: int, lr: float, word_ngrams: int,
                   dim: int, min_count: int, bucket: int, seed: int):
    """Train a supervised fastText model on `train_file`, save it to `model_file`, return it.

    Reproducible: one thread (fastText's Hogwild updates make multi-threaded runs differ) and a
    fresh process per training. The fasttext-numpy2-wheel build carries state from one
    `train_supervised` call to the next inside a process: the first training with a seed is the
    same in every process, the second one in the same process is not (measured: 6 trainings in
    one process gave 6 different matrices, 3 fresh processes the same one)."""
    params = dict(input=train_file, epoch=epoch, lr=lr, wordNgrams=word_ngrams, dim=dim,
                  minCount=min_count, bucket=bucket, seed=seed, thread=1, verbose=0)
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        pool.submit(_train_and_save, params, model_file).result()
    return fasttext.load_model(model_file)


def _train_and_save(params: dict, model_file: str) -> None:
    fasttext.train_supervised(**params).save_model(model_file)


@dataclass(frozen=True)
class QualityModel:
    """A loaded classifier and what it was trained with."""

    fasttext: object
    max_chars: int
    meta: dict


@functools.lru_cache(maxsize=4)
def load_quality_model(path: str) -> QualityModel:
    """Load a model version folder (`…/quality/v3`), its `model.bin`, or the folder of versions
    (`…/quality`, newest version). Cached, so each Python worker reads the file once however
    many batches it scores."""
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    if not os.path.exists(os.path.join(folder, MODEL_FILE)) and latest_version_dir(folder):
        folder = latest_version_dir(folder)
    meta_path = os.path.join(folder, META_FILE)
    if not os.path.exists(meta_path):
        raise FileNotFoundError(f"{meta_path} is missing: a quality model is the v<N> folder that "
                                "train_quality writes (model.bin + meta.json), not model.bin alone")
    with open(meta_path, encoding="utf-8") as f:
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
