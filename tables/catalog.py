"""Every Delta table of flywheel, declared once: schema, partitioning, properties.

Tables are path-based (`<spark.warehouse>/<name>`), so they need no metastore, move with
the warehouse folder and are readable by delta-rs (`deltalake`) without a JVM. Tables the
trainer reads are pinned to reader/writer features delta-rs understands: no deletion
vectors, no column mapping (DESIGN.md).

>>> sorted(TABLES)[:3]
['annotated_docs', 'blocks', 'chunks']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyspark.sql import types as T

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from spark_jobs.config_schema import PipelineConfig


def col(name: str, dtype: T.DataType, nullable: bool = True, comment: str = "") -> T.StructField:
    """A column with its comment kept in the Delta schema."""
    return T.StructField(name, dtype, nullable, {"comment": comment} if comment else {})


# Delta properties for every table: plain features only, so delta-rs and older readers work.
PLAIN_DELTA = {
    "delta.enableDeletionVectors": "false",
    "delta.columnMapping.mode": "none",
    "delta.appendOnly": "false",
}


@dataclass(frozen=True)
class TableDef:
    name: str
    schema: T.StructType
    partition_by: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=lambda: dict(PLAIN_DELTA))
    comment: str = ""


_S, _L, _I, _D, _B = T.StringType(), T.LongType(), T.IntegerType(), T.DoubleType(), T.BooleanType()

RAW_DOCS = TableDef(
    "raw_docs",
    T.StructType([
        col("doc_id", _S, False, "hex sha256 of source + source_id, or of the text when there is no id"),
        col("source", _S, False, "dataset/source name"),
        col("source_id", _S, comment="the source's own id, if it had one"),
        col("url", _S),
        col("text", _S, False, "UTF-8 text, never empty"),
        col("metadata", _S, False, "JSON object of the other input fields (WARC: record id, fetch date, ...)"),
        col("source_file", _S, False, "file the document was read from"),
        col("source_line", _L, comment="1-based line (JSONL) or row (Parquet) number; null inside split byte ranges"),
        col("source_offset", _L, False, "byte offset of the record in the (uncompressed) file"),
        col("text_bytes", _I, False, "UTF-8 length of text"),
        col("format", _S, False, "jsonl | parquet | text | warc | wet"),
    ]),
    comment="ingested documents, one row per doc_id",
)

QUARANTINE = TableDef(
    "quarantine",
    T.StructType([
        col("quarantine_id", _S, False, "hex sha256 of stage, source_file, offset and reason"),
        col("stage", _S, False, "job that rejected the record"),
        col("source_file", _S, False),
        col("source_line", _L),
        col("source_offset", _L),
        col("record_id", _S, comment="source id / WARC record id when known"),
        col("reason", _S, False, "<family>_<condition>, e.g. malformed_json, invalid_utf8, oversize"),
        col("error", _S, False, "human-readable detail"),
        col("raw_prefix", _S, False, "first bytes of the record, undecodable bytes escaped"),
        col("raw_bytes", _L, False, "size of the whole record in bytes"),
    ]),
    comment="input that could not become a document, with where it came from and why",
)

# Every other per-document signal of annotate: one double column each (null = not measured),
# in the order udfs/annotate_batch.py emits them (FLOAT_SIGNALS; a test keeps both in step).
_ANNOTATE_SIGNALS = [
    ("lang_share", "udfs/langid.py"), ("control_char_frac", "udfs/annotate_batch.py"),
    *((n, "udfs/gopher.py") for n in (
        "mean_word_length", "hash_per_word", "ellipsis_per_word", "bullet_line_frac", "ellipsis_line_frac",
        "alpha_word_frac", "stop_word_count", "dup_line_frac", "dup_para_frac", "dup_line_char_frac",
        "dup_para_char_frac", "top_2gram_char_frac", "top_3gram_char_frac", "top_4gram_char_frac",
        "dup_5gram_char_frac", "dup_6gram_char_frac", "dup_7gram_char_frac", "dup_8gram_char_frac",
        "dup_9gram_char_frac", "dup_10gram_char_frac")),
    *((n, "udfs/c4.py") for n in (
        "c4_sentences", "c4_removed_line_frac", "c4_lorem_ipsum", "c4_curly_brackets", "max_word_chars")),
    *((n, "udfs/fineweb.py") for n in ("punct_line_frac", "short_line_frac", "newline_per_word")),
    ("cjk_chars", "udfs/cjk.py"), ("cjk_stop_chars", "udfs/cjk.py"), ("toxicity_hits", "udfs/toxicity.py"),
    *((n, "udfs/category.py") for n in (
        "cat_code_line_frac", "cat_math_per_kchar", "cat_markdown_line_frac", "cat_legal_keywords",
        "cat_news_keywords", "cat_forum_keywords", "cat_encyclopedic_keywords")),
]

ANNOTATED_DOCS = TableDef(
    "annotated_docs",
    T.StructType(RAW_DOCS.schema.fields + [
        col("text_masked", _S, False, "text with PII replaced by reserved tokens"),
        col("pii_counts", T.MapType(_S, _I, False), False, "entity family -> matches masked"),
        col("pii_total", _I, False),
        col("lang", _S, False, "lid.176 label of the length-weighted paragraph vote; 'und' without text"),
        col("lang_score", _D, False, "length-weighted mean probability of the paragraphs with that label"),
        col("category", _S, False, "code|math|markdown|legal|news|forum|encyclopedic|web; selects thresholds"),
        col("quality_score", _D, comment="P(high quality) from the fastText classifier; null without a model"),
        col("n_words", _I, False, "white-space tokens (characters for zh/ja) minus symbol-only tokens"),
        col("toxicity_score", _D, False, "word-list hits per token (conf/lexicons/toxicity)"),
        col("kept", _B, False),
        col("drop_reasons", T.ArrayType(_S, False), False, "every rule that fired, not just the first"),
    ] + [col(name, _D, comment=f"annotate signal; see {doc}") for name, doc in _ANNOTATE_SIGNALS]),
    comment="raw_docs plus every signal of the annotate stage",
)

STAGE_STATS = TableDef(
    "stage_stats",
    T.StructType([
        col("run_id", _S, False), col("stage", _S, False), col("category", _S), col("lang", _S),
        col("reason", _S, comment="null for the in/out rows"),
        col("docs_in", _L), col("docs_out", _L), col("bytes_in", _L), col("bytes_out", _L),
        col("tokens_est_in", _L), col("tokens_est_out", _L), col("docs_dropped", _L),
    ]),
    comment="per-stage counts by category, language and drop reason",
)

DEDUP_CLUSTERS = TableDef(
    "dedup_clusters",
    T.StructType([
        col("doc_id", _S, False), col("cluster_id", _S, False), col("representative", _S, False),
        col("kept", _B, False, "true for the one representative kept per cluster (dedup.keep_order)"),
        col("similarity", _D, comment="Jaccard to the representative estimated from MinHash signatures; "
                                        "1.0 for exact duplicates; null when either has no word"),
        col("method", _S, False, "exact | url | minhash: strongest kind of link that put the doc in the cluster"),
    ]),
    comment="every document that fell in a duplicate cluster, and which one was kept",
)

CURATED_DOCS = TableDef(
    "curated_docs",
    T.StructType([
        col("doc_id", _S, False), col("source", _S, False), col("url", _S),
        col("text", _S, False, "PII-masked text"), col("lang", _S, False), col("category", _S, False),
        col("quality_score", _D), col("n_words", _I, False, "words counted by annotate, before boilerplate removal"),
        col("boilerplate_removed", _I, False, "lines/paragraphs removed as corpus-wide boilerplate (dedup.line_dedup)"),
    ]),
    comment="documents that passed annotate and dedup",
)

TOKENIZED_DOCS = TableDef(
    "tokenized_docs",
    T.StructType([
        col("doc_id", _S, False), col("lang", _S, False), col("category", _S, False),
        col("tokens", T.ArrayType(_I, False), False, "int32 ids, EOS appended"),
        col("n_tokens", _I, False, "len(tokens), EOS included"),
        col("text_bytes", _I, False, "UTF-8 bytes of the text that was encoded"),
        col("tokenizer_version", _S, False, "folder name of the tokenizer artifact"),
    ]),
    partition_by=("tokenizer_version",),
    comment="token ids per curated document; one partition per tokenizer version",
)

BLOCKS = TableDef(
    "blocks",
    T.StructType([
        col("chunk_id", _I, False), col("block_id", _L, False, "position of the block inside its chunk"),
        col("tokens", T.ArrayType(_I, False), False, "seq_len + 1 int32 ids"),
        col("doc_ids", T.ArrayType(_S, False), False, "doc span owners, in order"),
        col("doc_starts", T.ArrayType(_I, False), False, "span start offsets in the block"),
        col("doc_lengths", T.ArrayType(_I, False), False, "span lengths in tokens"),
        col("doc_offsets", T.ArrayType(_I, False), False,
            "offset of each span's first token inside its document; 0 = the document starts here"),
        col("doc_categories", T.ArrayType(_S, False), False),
    ]),
    partition_by=("chunk_id",),
    comment="packed training blocks; one partition per chunk",
)

CHUNKS = TableDef(
    "chunks",
    T.StructType([
        col("chunk_id", _I, False), col("tokens", _L, False), col("blocks", _L, False),
        col("target_shares", _S, False, "JSON"), col("achieved_shares", _S, False, "JSON"),
        col("status", _S, False, "building | ready | training | trained"), col("seed", _L, False),
        col("tokenizer_version", _S, False), col("checkpoint", _S),
        col("seq_len", _I, False, "blocks hold seq_len + 1 tokens"),
        col("shortfall", _S, False, "JSON: per group, target tokens the supply could not give under the caps"),
        col("repetition", _S, False, "JSON: per group, occurrences, upsampled and reused occurrences"),
        col("usage_version", _L, False, "usage table version the chunk was drawn from (re-runs reuse it)"),
    ]),
    comment="one row per chunk of blocks and its lifecycle",
)

USAGE = TableDef(
    "usage",
    T.StructType([
        col("doc_id", _S, False), col("times_used", _L, False, "how many times the doc's tokens went into blocks"),
        col("tokens_used", _L, False, "tokens of the doc that went into blocks, over all uses"),
        col("last_chunk_id", _I, False, "newest chunk counted; a re-run of that chunk adds nothing"),
    ]),
    comment="how often each document has been fed to the trainer",
)

TABLES: dict[str, TableDef] = {
    t.name: t
    for t in (RAW_DOCS, QUARANTINE, ANNOTATED_DOCS, STAGE_STATS, DEDUP_CLUSTERS, CURATED_DOCS,
              TOKENIZED_DOCS, BLOCKS, CHUNKS, USAGE)
}


class TableNotFoundError(LookupError):
    """A stage asked for a table that no earlier stage has written."""


def table_def(name: str) -> TableDef:
    """The declaration of table `name`; raises KeyError listing the known names."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known tables: {sorted(TABLES)}") from None


def table_path(cfg: PipelineConfig, name: str) -> str:
    """Location of table `name` under the warehouse (local folder or s3a:// / hdfs:// URL)."""
    table_def(name)
    return f"{cfg.spark.warehouse.rstrip('/')}/{name}"


def create_if_not_exists(spark: SparkSession, cfg: PipelineConfig, name: str) -> None:
    """Create table `name` with its declared schema, partitioning and properties; no-op if it exists."""
    from delta.tables import DeltaTable

    tdef = table_def(name)
    builder = DeltaTable.createIfNotExists(spark).location(_abs(table_path(cfg, name))).addColumns(tdef.schema)
    if tdef.partition_by:
        builder = builder.partitionedBy(*tdef.partition_by)
    for key, value in tdef.properties.items():
        builder = builder.property(key, value)
    if tdef.comment:
        builder = builder.comment(tdef.comment)
    builder.execute()


def exists(spark: SparkSession, cfg: PipelineConfig, name: str) -> bool:
    """True when table `name` has been created."""
    from delta.tables import DeltaTable

    return DeltaTable.isDeltaTable(spark, _abs(table_path(cfg, name)))


def read_table(spark: SparkSession, cfg: PipelineConfig, name: str, version: int | None = None) -> DataFrame:
    """Read table `name` (optionally as of a Delta version); a clear error if it was never written."""
    if not exists(spark, cfg, name):
        raise TableNotFoundError(
            f"table {name!r} does not exist at {table_path(cfg, name)}: run the stage that writes it first"
        )
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(_abs(table_path(cfg, name)))


def delta_table(spark: SparkSession, cfg: PipelineConfig, name: str):
    """The `delta.tables.DeltaTable` handle of table `name` (for MERGE, history, detail)."""
    from delta.tables import DeltaTable

    return DeltaTable.forPath(spark, _abs(table_path(cfg, name)))


def current_version(spark: SparkSession, cfg: PipelineConfig, name: str) -> int:
    """Newest Delta version of table `name` (what a reader pins to resume on the same data)."""
    return int(delta_table(spark, cfg, name).history(1).first()["version"])


def _abs(path: str) -> str:
    # Relative local warehouse paths are resolved against the current directory once, so the
    # driver and executors agree on where the table lives.
    import os

    return path if "://" in path else os.path.abspath(path)
