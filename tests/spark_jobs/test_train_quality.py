"""train_quality on a small real labelled set: stdlib docstrings (good) vs generated spam (bad).

Real local Spark + Delta (`raw_docs` written through the catalog), real fastText training.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
import json
import os
import random

import numpy as np
import pytest

from spark_jobs import train_quality
from udfs.quality_model import latest_version_dir, load_quality_model, quality_scores

pytestmark = pytest.mark.spark

STDLIB_MODULES = ["argparse", "collections", "json", "pathlib", "re", "functools", "itertools",
                  "logging", "subprocess", "threading", "email.message", "http.client", "urllib.parse",
                  "datetime", "decimal", "fractions", "statistics", "textwrap", "shutil", "tarfile",
                  "zipfile", "csv", "configparser", "difflib", "heapq", "bisect", "string", "typing",
                  "asyncio.tasks", "unittest.case", "inspect", "ast", "dis", "pickle", "socket", "ssl"]

SPAM_WORDS = ("buy cheap pills online best price casino bonus click here free money win now "
              "limited offer viagra cialis replica watches loans no credit check hot singles "
              "lose weight fast miracle cure act now guaranteed 100% risk free order today "
              "discount deal amazing crypto giveaway subscribe").split()


def stdlib_docstrings(min_words: int = 25) -> list[str]:
    """Docstrings of stdlib functions and classes: edited English prose about code."""
    docs = []
    for name in STDLIB_MODULES:
        module = importlib.import_module(name)
        for _, obj in sorted(vars(module).items()):
            doc = inspect.getdoc(obj) if (inspect.isfunction(obj) or inspect.isclass(obj)) else None
            if doc and len(doc.split()) >= min_words and doc not in docs:
                docs.append(doc)
    return docs


def spam_docs(n: int, seed: int = 7) -> list[str]:
    """Keyword-stuffed promotional text, the kind a crawl is full of."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        words = [rng.choice(SPAM_WORDS) for _ in range(rng.randrange(25, 120))]
        words = [w.upper() if rng.random() < 0.15 else w for w in words]
        docs.append(" ".join(words) + rng.choice(["!!!", " >>> www.cheap-deals.example", " $$$", "!"]))
    return docs


def raw_rows(texts: list[str], source: str) -> list[dict]:
    return [{
        "doc_id": hashlib.sha256(f"{source}/{i}".encode()).hexdigest(), "source": source,
        "source_id": str(i), "url": None, "text": t, "metadata": "{}", "source_file": f"{source}.jsonl",
        "source_line": i + 1, "source_offset": 0, "text_bytes": len(t.encode()), "format": "jsonl",
    } for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def labelled_cfg(spark, tmp_path_factory):
    """raw_docs written once for the module: docstrings, as many spam documents, 3 others."""
    from conf import load_config
    from tables.catalog import table_def, table_path
    from tables.spark_tables import create_if_not_exists
    from tests.conftest import TEST_OVERRIDES

    warehouse = tmp_path_factory.mktemp("train_quality") / "warehouse"
    cfg = load_config(overrides=TEST_OVERRIDES + [f"spark.warehouse={warehouse}"])
    good = stdlib_docstrings()
    bad = spam_docs(len(good))
    create_if_not_exists(spark, cfg, "raw_docs")
    rows = raw_rows(good, "stdlib_docs") + raw_rows(bad, "spam") + raw_rows(["unrelated text"] * 3, "other")
    (spark.createDataFrame(rows, spark_schema(table_def("raw_docs"))).coalesce(1)
          .write.format("delta").mode("append").save(table_path(cfg, "raw_docs")))
    tq = dataclasses.replace(cfg.train_quality, positive_sources=["stdlib_docs"], negative_sources=["spam"],
                             test_fraction=0.25, bucket=20_000, dim=16, epoch=10, min_count=1)
    return dataclasses.replace(cfg, train_quality=tq), len(good)


def test_transform_labels_sources_and_splits_deterministically(spark, labelled_cfg):
    from tables.spark_tables import read_table

    cfg, n_good = labelled_cfg
    df = train_quality.transform(read_table(spark, cfg, "raw_docs"), cfg).drop("text")
    rows = {r["doc_id"]: r for r in df.collect()}
    assert len(rows) == 2 * n_good  # the 3 "other" documents are not labelled
    assert all(r["label"] == (r["source"] == "stdlib_docs") for r in rows.values())
    again = {r["doc_id"]: r["is_test"] for r in df.repartition(3).select("doc_id", "is_test").collect()}
    assert again == {k: r["is_test"] for k, r in rows.items()}
    share = sum(r["is_test"] for r in rows.values()) / len(rows)
    assert 0.15 < share < 0.35  # test_fraction 0.25


def test_train_quality_held_out_accuracy_high_and_versions_saved(spark, labelled_cfg):
    cfg, n_good = labelled_cfg
    first = train_quality.run(spark, cfg)
    assert first["held_out_accuracy"] >= 0.9
    assert first["version"] == 1 and first["path"].endswith(os.path.join("models", "quality", "v1"))
    meta = json.load(open(os.path.join(first["path"], "meta.json")))
    assert meta["positive_sources"] == ["stdlib_docs"] and meta["negative_sources"] == ["spam"]
    assert meta["seed"] == cfg.train_quality.seed and meta["hyper_parameters"]["dim"] == 16
    assert sum(meta["counts"].values()) == 2 * n_good

    second = train_quality.run(spark, cfg)
    assert second["version"] == 2
    assert latest_version_dir(train_quality.model_root(cfg)) == second["path"]
    assert load_quality_model(train_quality.model_root(cfg)).meta["version"] == 2  # newest

    probe = stdlib_docstrings()[:5] + spam_docs(5, seed=99) + ["", None]
    s1 = quality_scores(load_quality_model(first["path"]), probe)
    s2 = quality_scores(load_quality_model(second["path"]), probe)
    np.testing.assert_array_equal(s1, s2)  # same seed, one thread: the same model
    assert (s1[:5] > 0.5).all() and (s1[5:10] < 0.5).all()
    assert np.isnan(s1[10:]).all()


def test_check_config_missing_sources_names_key(cfg):
    with pytest.raises(ValueError, match=r"train_quality\.positive_sources"):
        train_quality.check_config(cfg.train_quality)
    tq = dataclasses.replace(cfg.train_quality, positive_sources=["a"], negative_sources=["a"])
    with pytest.raises(ValueError, match=r"train_quality\.negative_sources"):
        train_quality.check_config(tq)
