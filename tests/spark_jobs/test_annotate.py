"""annotate job end to end on real local Spark + Delta: raw_docs -> annotated_docs + stage_stats."""
from __future__ import annotations

import pytest

from spark_jobs import annotate, inspect_docs
from tables.catalog import TABLES
from tables.spark_tables import read_table
from tables.merge import overwrite_partitions
from tests.udfs.golden_docs import BASE, CHINESE, GOLDEN, PYTHON_CODE
from udfs.annotate_batch import OUTPUT_FIELDS

pytestmark = pytest.mark.spark

_golden = {reason: text for reason, text, overrides in GOLDEN if not overrides}
DOCS = {
    "prose": (BASE, []),
    "code": (PYTHON_CODE, []),
    "chinese": (CHINESE, []),
    "lorem": (_golden["c4_lorem_ipsum"], ["c4_lorem_ipsum"]),
    "toxic": (_golden["toxicity_high_score"], ["toxicity_high_score"]),
    "stop": (_golden["gopher_few_stop_words"], ["gopher_few_stop_words"]),
    "blank": ("  \n ", None),  # raw_docs never holds it (ingest quarantines it), but annotate must cope
}


def _write_raw_docs(spark, cfg):
    rows = [
        (doc_id, "golden", None, None, text, "{}", "golden.jsonl", i + 1, i * 100, len(text.encode()), "jsonl")
        for i, (doc_id, (text, _)) in enumerate(sorted(DOCS.items()))
    ]
    df = spark.createDataFrame(rows, spark_schema(TABLES["raw_docs"]))
    overwrite_partitions(spark, cfg, "raw_docs", df.repartition(3))


def _rows(spark, cfg, name):
    df = read_table(spark, cfg, name)
    return sorted((r.asDict(recursive=True) for r in df.collect()), key=lambda r: repr(sorted(r.items())))


def test_annotate_job_writes_signals_stats_and_is_idempotent(spark, cfg, capsys):
    _write_raw_docs(spark, cfg)
    result = annotate.run(spark, cfg)
    annotate.print_summary(result)

    annotated = {r["doc_id"]: r for r in _rows(spark, cfg, "annotated_docs")}
    assert set(annotated) == set(DOCS)
    for doc_id, (_, reasons) in DOCS.items():
        row = annotated[doc_id]
        if reasons is not None:
            assert row["drop_reasons"] == reasons, doc_id
            assert row["kept"] == (reasons == [])
    assert "input_empty" in annotated["blank"]["drop_reasons"]
    assert annotated["code"]["category"] == "code" and annotated["chinese"]["lang"] == "zh"
    assert {f.name for f in OUTPUT_FIELDS} <= set(annotated["prose"])

    stats = [r for r in _rows(spark, cfg, "stage_stats") if r["stage"] == "annotate"]
    io = [r for r in stats if r["reason"] is None]
    assert sum(r["docs_in"] for r in io) == len(DOCS)
    assert sum(r["docs_out"] for r in io) == 3  # prose, code, chinese
    per_reason = {}
    for r in stats:
        if r["reason"] is not None:
            per_reason[r["reason"]] = per_reason.get(r["reason"], 0) + r["docs_dropped"]
    assert per_reason["c4_lorem_ipsum"] == 1 and per_reason["toxicity_high_score"] == 1
    out = capsys.readouterr().out
    assert "annotate: 7 docs in, 3 kept" in out and "c4_lorem_ipsum" in out

    # a second run over the same raw_docs leaves the same tables
    before = _rows(spark, cfg, "annotated_docs"), stats
    annotate.run(spark, cfg)
    after = _rows(spark, cfg, "annotated_docs"), [r for r in _rows(spark, cfg, "stage_stats") if r["stage"] == "annotate"]
    assert after == before

    # inspect shows the dropped document with the signal and threshold behind the decision
    capsys.readouterr()
    assert inspect_docs.main(["--stage", "annotate", "--reason", "c4_lorem_ipsum", "-n", "5",
                              "--warehouse", cfg.spark.warehouse] + sum((["--set", o] for o in _test_overrides()), [])) == 0
    shown = capsys.readouterr().out
    assert "doc_id=lorem" in shown and "c4_lorem_ipsum: c4_lorem_ipsum=1.0 > annotate.c4.max_lorem_ipsum=0" in shown
    rows = inspect_docs.sample_dropped(spark, cfg, "annotate", None, 10, lang="en")
    assert {r["doc_id"] for r in rows} == {"lorem", "toxic", "stop"}


def _test_overrides():
    from tests.conftest import TEST_OVERRIDES

    return TEST_OVERRIDES


def test_catalog_annotated_docs_matches_batch_output_fields():
    # no JVM: compares the declared Delta schema with the Arrow fields annotate_batch emits
    raw = [f.name for f in spark_schema(TABLES["raw_docs"]).fields]
    assert [f.name for f in spark_schema(TABLES["annotated_docs"]).fields] == raw + [f.name for f in OUTPUT_FIELDS]
