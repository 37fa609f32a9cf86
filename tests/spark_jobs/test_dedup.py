"""dedup on real local Spark (+ Delta for main): golden clusters, keep policy, recall/precision on
generated corpora with injected near-duplicates, determinism across partitionings and input order."""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

from bench.dedup_corpus import ANNOTATED_DDL, jaccard, make_corpus, shingle_set, true_pairs
from spark_jobs import dedup
from conf import replace
from spark_jobs.connected_components import connected_components
from spark_jobs.dedup_signatures import lsh_params
from tables.spark_tables import spark_schema

COLUMNS = [c.split()[0] for c in ANNOTATED_DDL.split(", ")]


def _df(spark, rows, partitions=2):
    data = [{c: r[c] for c in COLUMNS} for r in rows]
    return spark.createDataFrame(data, ANNOTATED_DDL).repartition(partitions)


def _doc(doc_id, text, url=None, quality=0.5, category="web", kept=True):
    return dict(doc_id=doc_id, source="t", url=url, text_masked=text, lang="en", category=category,
                quality_score=quality, n_words=len(text.split()), text_bytes=len(text.encode()), kept=kept)


LOREM = ("river mills town records flood bridge letters council water level spring harvest market "
         "square bells tower ferry crossing winter storms fishermen nets harbour lanterns evening").split()


def _text(seed: int, n: int = 120) -> str:
    import random

    rng = random.Random(seed)
    return " ".join(rng.choice(LOREM) + str(rng.randint(0, 50)) for _ in range(n))


def _near(text: str, every: int) -> str:
    words = text.split()
    return " ".join("EDITED" if i % every == 0 else w for i, w in enumerate(words))


def _rows(result):
    return sorted(tuple(r) for r in result.collect())


def test_transform_golden_corpus_expected_clusters_and_keep_policy(spark, cfg):
    base, other = _text(1), _text(2)
    docs = [
        _doc("a1", base, quality=0.2),
        _doc("a2", "  " + base.upper().replace(" ", "\n") + " ", quality=0.9),  # exact dup, better quality
        _doc("b1", other, quality=0.5),
        _doc("b2", _near(other, 40), quality=0.5),  # 3 of 120 words edited: Jaccard ~0.78
        _doc("b3", _near(other, 40) + " tail words", quality=0.5),  # longer: kept among equals
        _doc("c1", _text(3), url="http://www.example.com/x/?utm_source=a", quality=0.1),
        _doc("c2", _text(4), url="https://example.com/x", quality=0.3),  # same page by URL
        _doc("d1", _text(5)),  # unique
        _doc("e1", base, kept=False),  # dropped by annotate: takes no part
        _doc("f1", "", quality=0.99), _doc("f2", "!!", quality=0.98),  # no words: exact only
    ]
    out = dedup.transform(_df(spark, docs), cfg)
    clusters = {r["doc_id"]: r for r in out.clusters.collect()}
    assert set(clusters) == {"a1", "a2", "b1", "b2", "b3", "c1", "c2"}
    assert {d: (c["cluster_id"], c["representative"], c["kept"], c["method"]) for d, c in clusters.items()} == {
        "a1": ("a1", "a2", False, "exact"), "a2": ("a1", "a2", True, "exact"),
        "b1": ("b1", "b3", False, "minhash"), "b2": ("b1", "b3", False, "minhash"),
        "b3": ("b1", "b3", True, "minhash"),
        "c1": ("c1", "c2", False, "url"), "c2": ("c1", "c2", True, "url"),
    }
    assert clusters["a1"]["similarity"] == 1.0
    assert 0.6 < clusters["b1"]["similarity"] < 1.0
    curated = {r["doc_id"]: r for r in out.curated.collect()}
    assert set(curated) == {"a2", "b3", "c2", "d1", "f1", "f2"}
    assert curated["a2"]["text"] == docs[1]["text_masked"]
    assert curated["d1"]["boilerplate_removed"] == 0


def test_transform_keep_order_configurable_smallest_text_wins(spark, cfg):
    base = _text(7)
    docs = [_doc("x1", base + " extra words here", quality=0.9), _doc("x2", base, quality=0.1)]
    cfg = replace(cfg, ["dedup.keep_order=['text_bytes asc']", "dedup.verify=signature"])
    clusters = {r["doc_id"]: r["kept"] for r in dedup.transform(_df(spark, docs), cfg).clusters.collect()}
    assert clusters == {"x1": False, "x2": True}


def test_transform_category_threshold_stricter_pair_not_merged(spark, cfg):
    news, encyclopedic = _text(8), _text(9)
    exact = jaccard(shingle_set(news), shingle_set(_near(news, 40)))
    assert 0.7 < exact < 0.85  # 3 of 120 words edited: a duplicate at 0.7, not at 0.85
    docs = [_doc("n1", news, category="news"), _doc("n2", _near(news, 40), category="news"),
            _doc("k1", encyclopedic, category="encyclopedic"), _doc("k2", _near(encyclopedic, 40), category="encyclopedic")]
    ids = {r["doc_id"] for r in dedup.transform(_df(spark, docs), cfg).clusters.collect()}
    assert ids == {"n1", "n2"}


def test_remove_boilerplate_lines_in_many_docs_removed_and_counted(spark, cfg):
    footer = "Subscribe to our newsletter for the latest news and offers"
    docs = [_doc(f"p{i}", f"{_text(20 + i, 30)}\n{footer}\nshort\nshort") for i in range(3)]
    docs.append(_doc("q", _text(30, 30)))
    cfg = replace(cfg, ["dedup.line_dedup.min_docs=3", "dedup.fuzzy=false"])
    curated = {r["doc_id"]: r for r in dedup.transform(_df(spark, docs), cfg).curated.collect()}
    assert curated["p0"]["text"] == f"{_text(20, 30)}\nshort\nshort"  # short lines are never boilerplate
    assert curated["p0"]["boilerplate_removed"] == 1
    assert curated["q"]["text"] == _text(30, 30) and curated["q"]["boilerplate_removed"] == 0


def test_connected_components_chain_and_star_smallest_id_labels(spark):
    edges = spark.createDataFrame([("e", "d"), ("d", "c"), ("c", "b"), ("b", "a"), ("x", "z"), ("y", "z")], "u string, v string")
    comps = {r["node"]: r["component"] for r in connected_components(edges, 20).collect()}
    assert comps == {"a": "a", "b": "a", "c": "a", "d": "a", "e": "a", "x": "x", "y": "x", "z": "x"}


def _threshold_of(cfg):
    t = cfg.dedup.category_thresholds
    return lambda a, b: max(t.get(a, cfg.dedup.threshold), t.get(b, cfg.dedup.threshold))


def _quality(rows, clusters, cfg):
    """(recall over true pairs in one cluster, precision over near-dup removals justified by exact Jaccard)."""
    truth = true_pairs(rows, _threshold_of(cfg))
    cluster_of = {r["doc_id"]: r["cluster_id"] for r in clusters}
    found = sum(cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b) for a, b in truth)
    sets = {r["doc_id"]: shingle_set(r["text_masked"]) for r in rows}
    cat = {r["doc_id"]: r["category"] for r in rows}
    members: dict[str, list[str]] = {}
    for r in clusters:
        members.setdefault(r["cluster_id"], []).append(r["doc_id"])
    removed = [r for r in clusters if not r["kept"] and r["method"] == "minhash"]
    justified = sum(
        any(jaccard(sets[r["doc_id"]], sets[o]) >= _threshold_of(cfg)(cat[r["doc_id"]], cat[o])
            for o in members[r["cluster_id"]] if o != r["doc_id"])
        for r in removed)
    return found / max(len(truth), 1), justified / max(len(removed), 1), len(truth)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), max_edit=st.floats(0.03, 0.12))
def test_transform_injected_near_duplicates_recall_and_precision(spark, cfg, seed, max_edit):
    rows = make_corpus(n_families=100, seed=seed, max_variants=3, max_edit=max_edit, median_words=150,
                       url_share=0.0)
    clusters = [r.asDict() for r in dedup.transform(_df(spark, rows), cfg).clusters.collect()]
    recall, precision, n_true = _quality(rows, clusters, cfg)
    assert n_true >= 20
    assert recall >= 0.97
    assert precision >= 0.99


def test_transform_partitions_and_input_order_identical_results(spark, cfg):
    rows = make_corpus(n_families=40, seed=5, max_variants=3, max_edit=0.08, median_words=120)
    cfg = replace(cfg, ["dedup.line_dedup.min_docs=2"])
    results = []
    for parts, order in ((1, "asc"), (3, "asc"), (8, "desc")):
        df = _df(spark, rows, parts)
        df = df.orderBy(F.col("doc_id").desc()) if order == "desc" else df
        out = dedup.transform(df, cfg)
        results.append((_rows(out.clusters), _rows(out.curated)))
    assert results[0] == results[1] == results[2]
    assert len(results[0][0]) > 20


def test_main_twice_same_tables_and_report(spark, cfg, tmp_path, capsys):
    from tables.catalog import ANNOTATED_DOCS
    from tables.spark_tables import read_table
    from tables.merge import overwrite_partitions

    rows = make_corpus(n_families=12, seed=9, max_variants=2, max_edit=0.05, median_words=80)
    df = _df(spark, rows)
    # annotated_docs columns dedup does not read get a neutral value of their type.
    for f in spark_schema(ANNOTATED_DOCS).fields:
        if f.name not in df.columns:
            df = df.withColumn(f.name, F.lit(None).cast(f.dataType) if f.nullable else _neutral(f.dataType))
    overwrite_partitions(spark, cfg, "annotated_docs", df)
    args = ["--warehouse", cfg.spark.warehouse, "--report-out", str(tmp_path / "r.json"),
            "--set", "spark.master=local[2]", "--set", "dedup.report_thresholds=[0.6, 0.95]"]
    assert dedup.main(args) == 0
    first = (_rows(read_table(spark, cfg, "dedup_clusters")), _rows(read_table(spark, cfg, "curated_docs")))
    assert dedup.main(args) == 0
    second = (_rows(read_table(spark, cfg, "dedup_clusters")), _rows(read_table(spark, cfg, "curated_docs")))
    assert first == second and first[0]
    report = json.loads((tmp_path / "r.json").read_text())
    kept = [r["docs_kept"] for r in report]
    assert kept == sorted(kept)  # stricter thresholds keep more
    assert "dedup:" in capsys.readouterr().out
    from spark_jobs import inspect_docs

    assert inspect_docs.main(["--stage", "dedup", "--reason", "minhash", "-n", "2", "--warehouse", cfg.spark.warehouse]) == 0
    shown = capsys.readouterr().out
    assert "method=minhash" in shown and "| kept " in shown


def test_side_by_side_two_texts_two_aligned_columns():
    from spark_jobs.inspect_dedup import side_by_side

    assert side_by_side("aaa bbb ccc", "xxx", width=7) == ["  aaa bbb | xxx", "  ccc     | "]


def _neutral(dtype):
    from pyspark.sql import types as T

    if isinstance(dtype, T.ArrayType):
        return F.array().cast(dtype)
    if isinstance(dtype, T.MapType):
        return F.create_map().cast(dtype)
    if isinstance(dtype, T.StringType):
        return F.lit("")
    if isinstance(dtype, T.BooleanType):
        return F.lit(False)
    return F.lit(0).cast(dtype)


def test_check_config_bad_settings_name_the_key(cfg):
    with pytest.raises(ValueError, match="dedup.verify"):
        dedup.check_config(dataclasses.replace(cfg.dedup, verify="maybe"))
    with pytest.raises(ValueError, match="dedup.category_thresholds"):
        dedup.check_config(dataclasses.replace(cfg.dedup, verify=None))
    with pytest.raises(ValueError, match="dedup.bands"):
        dedup.check_config(dataclasses.replace(cfg.dedup, bands=4))
    with pytest.raises(ValueError, match="dedup.keep_order"):
        dedup.check_config(dataclasses.replace(cfg.dedup, keep_order=["quality_score sideways"]))


def test_lsh_params_default_recall_at_threshold_above_097(cfg):
    from udfs.lsh import collision_probability

    bands, rows = lsh_params(cfg.dedup)
    assert (bands, rows) == (23, 5)  # datasketch's optimiser at 0.7 with weights 0.02 / 0.98
    assert collision_probability(0.7, bands, rows) > 0.98
