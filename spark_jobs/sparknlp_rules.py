"""Spark NLP rule engine: PII, sentence counts and lexicon hits, all offline (no `.pretrained()`).

Selected with `annotate.pii_engine: sparknlp`; the default engine is udfs/pii.py in Python.

    DocumentAssembler -> SentenceDetector          -> n_sentences
                      -> RegexMatcher (PII rules)  -> candidates -> Python checks -> text_masked, pii_counts, pii_total
                      -> Tokenizer -> EntityRuler  -> lexicon_hits (e.g. toxicity word lists)

RegexMatcher reads the document, not the sentences: a sentence splitter may cut a phone number
or IBAN at a space or a dot, and PII does not care about sentences. The candidates' checksums,
issuer prefixes and false-positive guards run in one `mapInArrow` pass through
`udfs.pii_candidates`, which re-runs the Python detector on a window around each candidate, so
both engines mask the same spans.

Needs the Spark NLP JAR on the session's classpath: `spark.spark_nlp: true` (Maven
`spark.spark_nlp_package`, resolved into the Ivy cache at session start) or `spark.jars`.
Not usable as a job of its own; `spark_jobs/annotate.py` calls these functions.
"""
from __future__ import annotations

import json
import os
import tempfile

import pyarrow as pa

from conf.schema import PiiConfig, PipelineConfig
from udfs.pii_candidates import CANDIDATE_RULES, pii_from_candidates

SPARK_NLP_CLASS = "com.johnsnowlabs.nlp.DocumentAssembler"
# RegexMatcher splits each rule with String.split(delimiter): a string no pattern contains.
RULE_DELIMITER = "~~>"
_CANDIDATES = "_pii_candidates"


class SparkNlpMissingError(RuntimeError):
    """The Spark NLP classes are not on the session's classpath."""


def sparknlp_available(spark) -> bool:
    """Whether this session's JVM can load Spark NLP (Spark's own loader sees --packages JARs)."""
    return bool(spark._jvm.org.apache.spark.util.Utils.classIsLoadable(SPARK_NLP_CLASS))


def require_sparknlp(spark, cfg: PipelineConfig) -> None:
    """Raise SparkNlpMissingError naming the settings that put Spark NLP on the classpath."""
    if not sparknlp_available(spark):
        raise SparkNlpMissingError(
            "annotate.pii_engine=sparknlp needs the Spark NLP JAR: set spark.spark_nlp=true "
            f"(Maven {cfg.spark.spark_nlp_package}) or list the JAR in spark.jars")


def regex_rules() -> list[str]:
    """RegexMatcher rules `<pattern>~~><entity>`, one per candidate pattern of udfs.pii_candidates."""
    rules = []
    for entity, pattern in CANDIDATE_RULES:
        if RULE_DELIMITER in pattern:
            raise ValueError(f"PII pattern for {entity} contains the rule delimiter {RULE_DELIMITER!r}")
        rules.append(f"{pattern}{RULE_DELIMITER}{entity}")
    return rules


def _document(text_col: str):
    from sparknlp.base import DocumentAssembler

    # cleanupMode "disabled" keeps the text byte-for-byte, so chunk offsets index the original.
    return DocumentAssembler().setInputCol(text_col).setOutputCol("_document").setCleanupMode("disabled")


def pii_candidates_sparknlp(df, text_col: str = "text"):
    """`df` plus `_pii_candidates`: array<struct<begin int, end int, entity string>> from
    RegexMatcher (UTF-16 offsets, inclusive end), unvalidated."""
    from pyspark.ml import Pipeline
    from pyspark.sql import functions as F
    from sparknlp.annotator import RegexMatcher

    matcher = (RegexMatcher().setRules(regex_rules()).setDelimiter(RULE_DELIMITER)
               .setStrategy("MATCH_ALL").setInputCols(["_document"]).setOutputCol("_pii_chunks"))
    # RegexMatcher is an estimator only in name: fit() reads the rules, not the data.
    model = Pipeline(stages=[_document(text_col), matcher]).fit(df.limit(0))
    out = model.transform(df)
    candidates = F.transform("_pii_chunks", lambda c: F.struct(
        c["begin"].alias("begin"), c["end"].alias("end"), c["metadata"]["identifier"].alias("entity")))
    return out.withColumn(_CANDIDATES, candidates).drop("_document", "_pii_chunks")


def _pii_output_fields():
    from pyspark.sql import types as T

    return [T.StructField("text_masked", T.StringType(), False),
            T.StructField("pii_counts", T.MapType(T.StringType(), T.IntegerType(), False), False),
            T.StructField("pii_total", T.IntegerType(), False)]


def validate_batches(batches, text_col: str, pii_cfg: PiiConfig):
    """mapInArrow body: validate each row's candidates, append the three PII columns."""
    for batch in batches:
        texts = batch.column(text_col).to_pylist()
        cands = [[(c["begin"], c["end"], c["entity"]) for c in (row or [])]
                 for row in batch.column(_CANDIDATES).to_pylist()]
        out = pii_from_candidates(texts, cands, pii_cfg)
        keep = [name for name in batch.schema.names if name != _CANDIDATES]
        yield pa.RecordBatch.from_arrays(
            [batch.column(n) for n in keep] + [
                pa.array(out["text_masked"], pa.string()),
                pa.array([list(c.items()) for c in out["pii_counts"]], pa.map_(pa.string(), pa.int32())),
                pa.array(out["pii_total"], pa.int32())],
            names=keep + ["text_masked", "pii_counts", "pii_total"])


def validate_pii_candidates(df, cfg: PipelineConfig, text_col: str = "text"):
    """Replace `_pii_candidates` by `text_masked`, `pii_counts`, `pii_total` (one mapInArrow pass)."""
    from pyspark.sql import types as T

    schema = T.StructType([f for f in df.schema.fields if f.name != _CANDIDATES] + _pii_output_fields())
    pii_cfg = cfg.pii
    return df.mapInArrow(lambda batches: validate_batches(batches, text_col, pii_cfg), schema)


def annotate_pii_sparknlp(df, cfg: PipelineConfig, text_col: str = "text"):
    """`df` plus `text_masked`, `pii_counts`, `pii_total`, as udfs.pii.pii_batch computes them."""
    require_sparknlp(df.sparkSession, cfg)
    clashing = [c for c in ("text_masked", "pii_counts", "pii_total") if c in df.columns]
    return validate_pii_candidates(pii_candidates_sparknlp(df.drop(*clashing), text_col), cfg, text_col)


def sentence_counts_sparknlp(df, text_col: str = "text"):
    """`df` plus `n_sentences` (int) from Spark NLP's rule-based SentenceDetector, for C4's
    sentence rules; 0 for empty text."""
    from pyspark.ml import Pipeline
    from pyspark.sql import functions as F
    from sparknlp.annotator import SentenceDetector

    detector = SentenceDetector().setInputCols(["_document"]).setOutputCol("_sentences")
    model = Pipeline(stages=[_document(text_col), detector]).fit(df.limit(0))
    return (model.transform(df)
                 .withColumn("n_sentences", F.coalesce(F.size("_sentences"), F.lit(0)).cast("int"))
                 .drop("_document", "_sentences"))


def lexicon_hits_sparknlp(df, lexicons: dict[str, list[str]], text_col: str = "text",
                          case_sensitive: bool = False):
    """`df` plus `lexicon_hits` map<string,int>: label -> number of token matches of that
    label's words (e.g. {"toxicity_en": [...], "toxicity_zh": [...]}), via EntityRuler.

    The patterns go to a JSONL file that EntityRuler reads when the pipeline is fitted (on the
    driver); `useStorage=false` keeps them in the model instead of a RocksDB folder."""
    from pyspark.ml import Pipeline
    from pyspark.sql import functions as F
    from sparknlp.annotator import EntityRulerApproach, Tokenizer
    from sparknlp.common import ReadAs

    with tempfile.TemporaryDirectory(prefix="flywheel-lexicon-") as tmp:
        path = os.path.join(tmp, "patterns.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for label, words in sorted(lexicons.items()):
                f.write(json.dumps({"id": label, "label": label, "patterns": sorted(set(words))},
                                   ensure_ascii=False) + "\n")
        ruler = (EntityRulerApproach().setInputCols(["_document", "_tokens"]).setOutputCol("_lexicon")
                 .setPatternsResource(path, ReadAs.TEXT, {"format": "JSONL"})
                 .setUseStorage(False).setCaseSensitive(case_sensitive))
        tokenizer = Tokenizer().setInputCols(["_document"]).setOutputCol("_tokens")
        model = Pipeline(stages=[_document(text_col), tokenizer, ruler]).fit(df.limit(0))
    labels = F.transform("_lexicon", lambda c: c["metadata"]["entity"])
    hits = F.map_from_entries(F.transform(
        F.array_distinct(labels),
        lambda label: F.struct(label, F.size(F.filter(labels, lambda x: x == label)).cast("int"))))
    return (model.transform(df).withColumn("lexicon_hits", hits)
                 .drop("_document", "_tokens", "_lexicon"))
