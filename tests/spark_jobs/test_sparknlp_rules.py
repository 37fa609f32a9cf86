"""The Spark NLP rule engine (spark_jobs/sparknlp_rules.py) against the Python engine.

Without the Spark NLP JAR the candidate patterns still run through the real java.util.regex
(what RegexMatcher compiles them with) and the real mapInArrow validation step; the tests that
need Spark NLP itself are skipped unless the shared session has the JAR on its classpath
(`spark.spark_nlp: true` with Maven reachable, or `spark.jars`).
"""
from __future__ import annotations

import pytest

from spark_jobs import sparknlp_rules
from tests.udfs.test_pii_candidates import GOLDEN
from udfs.pii import pii_batch
from udfs.pii_candidates import CANDIDATE_RULES

pytestmark = pytest.mark.spark

CANDIDATE_SCHEMA = "text string, _pii_candidates array<struct<begin:int, end:int, entity:string>>"


def java_candidates(spark, text: str) -> list[tuple[int, int, str]]:
    """What RegexMatcher reports: java.util.regex matches, UTF-16 begin and inclusive end."""
    out = []
    for entity, pattern in CANDIDATE_RULES:
        matcher = spark._jvm.java.util.regex.Pattern.compile(pattern).matcher(text)
        while matcher.find():
            out.append((matcher.start(), matcher.end() - 1, entity))
    return out


@pytest.fixture(scope="module")
def need_sparknlp(spark):
    if not sparknlp_rules.sparknlp_available(spark):
        pytest.skip("Spark NLP JAR not on the test session's classpath (spark.spark_nlp=false, "
                    "or Maven could not resolve it)")


def test_regex_rules_split_by_java_into_pattern_and_entity(spark):
    splitter = spark._jvm.java.util.regex.Pattern.compile(sparknlp_rules.RULE_DELIMITER)
    for rule, (entity, pattern) in zip(sparknlp_rules.regex_rules(), CANDIDATE_RULES):
        assert list(splitter.split(rule)) == [pattern, entity]


def test_validate_pii_candidates_java_regex_agrees_with_python_engine(spark, cfg):
    rows = [(t, [dict(begin=b, end=e, entity=ent) for b, e, ent in java_candidates(spark, t)])
            for t in GOLDEN]
    df = spark.createDataFrame(rows, CANDIDATE_SCHEMA).repartition(2)
    got = {r["text"]: r for r in sparknlp_rules.validate_pii_candidates(df, cfg).collect()}
    expected = pii_batch(GOLDEN, cfg.pii)
    for i, text in enumerate(GOLDEN):
        assert got[text]["text_masked"] == expected["text_masked"][i], text
        assert dict(got[text]["pii_counts"]) == expected["pii_counts"][i], text
        assert got[text]["pii_total"] == int(expected["pii_total"][i]), text


def test_annotate_pii_sparknlp_agrees_with_python_engine(spark, cfg, need_sparknlp):
    df = spark.createDataFrame([(i, t) for i, t in enumerate(GOLDEN)], "id int, text string")
    got = {r["id"]: r for r in sparknlp_rules.annotate_pii_sparknlp(df, cfg).collect()}
    expected = pii_batch(GOLDEN, cfg.pii)
    assert [got[i]["text_masked"] for i in range(len(GOLDEN))] == expected["text_masked"]
    assert [got[i]["pii_total"] for i in range(len(GOLDEN))] == expected["pii_total"].tolist()


def test_sentence_counts_sparknlp_counts_sentences(spark, need_sparknlp):
    df = spark.createDataFrame([("One. Two here! And three?",), ("",), ("no full stop",)], "text string")
    assert [r["n_sentences"] for r in sparknlp_rules.sentence_counts_sparknlp(df).collect()] == [3, 0, 1]


def test_lexicon_hits_sparknlp_counts_words_per_label(spark, need_sparknlp):
    df = spark.createDataFrame([("You idiot, you absolute idiot and moron.",), ("A kind word.",)], "text string")
    rows = sparknlp_rules.lexicon_hits_sparknlp(df, {"toxicity_en": ["idiot", "moron"]}).collect()
    assert [dict(r["lexicon_hits"]) for r in rows] == [{"toxicity_en": 3}, {}]


def test_require_sparknlp_without_jar_names_setting(spark, cfg):
    if sparknlp_rules.sparknlp_available(spark):
        pytest.skip("the session has Spark NLP")
    with pytest.raises(sparknlp_rules.SparkNlpMissingError, match="spark.spark_nlp"):
        sparknlp_rules.require_sparknlp(spark, cfg)
