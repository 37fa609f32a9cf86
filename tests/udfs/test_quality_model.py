"""udfs/quality_model.py without a JVM: normalisation, real fastText training and scoring,
versioned folders and the cached loader."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from udfs import quality_model as qm

GOOD = ["Return the sorted list of keys; ties keep their original order.",
        "Open the file for reading and return a stream object positioned at its start.",
        "Compute the arithmetic mean of the data, raising an error when it is empty."] * 20
BAD = ["BUY cheap pills online best price click here!!!",
       "free money casino bonus win now limited offer $$$",
       "hot singles lose weight fast miracle cure act now"] * 20


def test_normalise_texts_lowercases_folds_space_and_truncates():
    assert qm.normalise_texts(["Hello\n\tWORLD  ", None, "ABCDEF"], 4) == ["hell", "", "abcd"]
    assert qm.normalise_texts(["A  B\nC"], 100) == ["a b c"]


def test_training_lines_label_each_doc_and_skip_empty():
    lines = list(qm.training_lines(["Good Doc", "  ", "bad\ndoc"], [True, True, False], 100))
    assert lines == ["__label__hq good doc\n", "__label__lq bad doc\n"]


@pytest.fixture(scope="module")
def model_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("quality")
    train = root / "train.txt"
    train.write_text("".join(qm.training_lines(GOOD + BAD, [True] * len(GOOD) + [False] * len(BAD), 200)))
    for _ in range(2):
        n, folder = qm.next_version_dir(str(root))
        os.makedirs(folder)
        qm.train_fasttext(str(train), os.path.join(folder, qm.MODEL_FILE), epoch=10, lr=0.5,
                          word_ngrams=2, dim=8, min_count=1, bucket=10_000, seed=1)
        (root / f"v{n}" / qm.META_FILE).write_text(json.dumps({"version": n, "max_chars": 200}))
    return str(root)


def test_next_version_dir_counts_up(model_root):
    assert qm.next_version_dir(model_root)[0] == 3
    assert qm.latest_version_dir(model_root) == os.path.join(model_root, "v2")
    assert qm.latest_version_dir(os.path.join(model_root, "missing")) is None


def test_quality_scores_separate_classes_and_nan_for_empty(model_root):
    model = qm.load_quality_model(os.path.join(model_root, "v1"))
    scores = qm.quality_scores(model, ["Return the mean of the data.", "click here cheap pills!!!", "", None])
    assert scores.dtype == np.float32
    assert scores[0] > 0.5 > scores[1]
    assert np.isnan(scores[2:]).all()


def test_load_quality_model_root_picks_newest_and_is_cached(model_root):
    newest = qm.load_quality_model(model_root)
    assert newest.meta["version"] == 2 and newest.max_chars == 200
    assert qm.load_quality_model(model_root) is newest


def test_load_quality_model_without_meta_names_what_is_missing(tmp_path):
    (tmp_path / qm.MODEL_FILE).write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="meta.json"):
        qm.load_quality_model(str(tmp_path / qm.MODEL_FILE))


def test_train_fasttext_same_seed_same_predictions(model_root):
    v1 = qm.load_quality_model(os.path.join(model_root, "v1"))
    v2 = qm.load_quality_model(os.path.join(model_root, "v2"))
    probe = GOOD[:3] + BAD[:3] + ["an unrelated sentence about rivers"]
    np.testing.assert_array_equal(qm.quality_scores(v1, probe), qm.quality_scores(v2, probe))
