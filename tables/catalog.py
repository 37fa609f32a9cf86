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

import pyarrow as pa

from conf.errors import UserError

if TYPE_CHECKING:
    from conf.schema import PipelineConfig


@dataclass(frozen=True)
class Column:
    """One column: name, engine-neutral type, nullability and the comment kept in the Delta schema.

    `dtype` is one of string | long | int | double | bool, or array<T> / map<K,V> over those;
    array elements and map values are never null (every table of flywheel is declared so).
    """

    name: str
    dtype: str
    nullable: bool = True
    comment: str = ""


def col(name: str, dtype: str, nullable: bool = True, comment: str = "") -> Column:
    """A column with its comment kept in the Delta schema."""
    return Column(name, dtype, nullable, comment)


# Delta properties for every table: plain features only, so delta-rs and older readers work.
PLAIN_DELTA = {
    "delta.enableDeletionVectors": "false",
    "delta.columnMapping.mode": "none",
    "delta.appendOnly": "false",
}

_ARROW_SCALARS = {"string": pa.string(), "long": pa.int64(), "int": pa.int32(), "double": pa.float64(),
                  "bool": pa.bool_()}


def arrow_type(dtype: str) -> pa.DataType:
    """The pyarrow type of an engine-neutral type string (`array<int>` → list<int32 not null>)."""
    if dtype in _ARROW_SCALARS:
        return _ARROW_SCALARS[dtype]
    if dtype.startswith("array<") and dtype.endswith(">"):
        return pa.list_(pa.field("element", arrow_type(dtype[6:-1]), nullable=False))
    if dtype.startswith("map<") and dtype.endswith(">"):
        key, value = (part.strip() for part in dtype[4:-1].split(",", 1))
        return pa.map_(arrow_type(key), pa.field("value", arrow_type(value), nullable=False))
    raise ValueError(f"unknown column type {dtype!r}")


@dataclass(frozen=True)
class TableDef:
    """A Delta table: columns, partitioning, properties. Engines derive their schemas from it."""

    name: str
    columns: tuple[Column, ...]
    partition_by: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=lambda: dict(PLAIN_DELTA))
    comment: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        """The pyarrow schema (what delta-rs reads and writes), comments as field metadata."""
        return pa.schema([pa.field(c.name, arrow_type(c.dtype), c.nullable,
                                   {"comment": c.comment} if c.comment else None) for c in self.columns])

    def arrow_fields(self, after: "TableDef | None" = None) -> list[pa.Field]:
        """The pyarrow fields, or only those that come after `after`'s columns (a derived table)."""
        skip = set(after.column_names) if after is not None else set()
        return [f for f in self.arrow_schema() if f.name not in skip]


_S, _L, _I, _D, _B = "string", "long", "int", "double", "bool"

RAW_DOCS = TableDef(
    "raw_docs",
    (
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
    ),
    comment="ingested documents, one row per doc_id",
)

QUARANTINE = TableDef(
    "quarantine",
    (
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
    ),
    comment="input that could not become a document, with where it came from and why",
)

# Every other per-document signal of annotate: one double column each (null = not measured).
# annotate_batch emits its columns in the order declared here (the job passes it this schema).
_ANNOTATE_SIGNALS = [
    ("lang_share", "udfs/langid.py"), ("lang_second_share", "udfs/langid.py"), ("control_char_frac", "udfs/annotate_batch.py"),
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
    (*RAW_DOCS.columns,
        col("text_masked", _S, False, "text with PII replaced by reserved tokens"),
        col("pii_counts", "map<string,int>", False, "entity family -> matches masked"),
        col("pii_total", _I, False),
        col("lang", _S, False, "lid.176 label of the document's prose view (udfs/prose_view.py); 'und' without text"),
        col("lang_score", _D, False, "lid.176 probability of that label on the prose view (langid_low_score reads it)"),
        col("lang_mixed", _B, False, "paragraphs of a second language hold >= annotate.langid.mixed_min_share"),
        col("category", _S, False, "code|math|markdown|legal|news|forum|encyclopedic|web; selects thresholds"),
        col("quality_score", _D, comment="P(high quality) from the fastText classifier; null without a model"),
        col("n_words", _I, False, "white-space tokens (characters for zh/ja) minus symbol-only tokens"),
        col("toxicity_score", _D, False, "word-list hits per token (conf/lexicons/toxicity)"),
        col("kept", _B, False),
        col("drop_reasons", "array<string>", False, "every rule that fired, not just the first"),
        *(col(name, _D, comment=f"annotate signal; see {doc}") for name, doc in _ANNOTATE_SIGNALS)),
    comment="raw_docs plus every signal of the annotate stage",
)

STAGE_STATS = TableDef(
    "stage_stats",
    (
        col("run_id", _S, False), col("stage", _S, False), col("category", _S), col("lang", _S),
        col("reason", _S, comment="null for the in/out rows"),
        col("docs_in", _L), col("docs_out", _L), col("bytes_in", _L), col("bytes_out", _L),
        col("tokens_est_in", _L), col("tokens_est_out", _L), col("docs_dropped", _L),
    ),
    comment="per-stage counts by category, language and drop reason",
)

DEDUP_CLUSTERS = TableDef(
    "dedup_clusters",
    (
        col("doc_id", _S, False), col("cluster_id", _S, False), col("representative", _S, False),
        col("kept", _B, False, "true for the one representative kept per cluster (dedup.keep_order)"),
        col("similarity", _D, comment="Jaccard to the representative estimated from MinHash signatures; "
                                        "1.0 for exact duplicates; null when either has no word"),
        col("method", _S, False, "exact | url | minhash: strongest kind of link that put the doc in the cluster"),
    ),
    comment="every document that fell in a duplicate cluster, and which one was kept",
)

CURATED_DOCS = TableDef(
    "curated_docs",
    (
        col("doc_id", _S, False), col("source", _S, False), col("url", _S),
        col("text", _S, False, "PII-masked text"), col("lang", _S, False), col("category", _S, False),
        col("quality_score", _D), col("n_words", _I, False, "words counted by annotate, before boilerplate removal"),
        col("boilerplate_removed", _I, False, "lines/paragraphs removed as corpus-wide boilerplate (dedup.line_dedup)"),
    ),
    comment="documents that passed annotate and dedup",
)

TOKENIZED_DOCS = TableDef(
    "tokenized_docs",
    (
        col("doc_id", _S, False), col("lang", _S, False), col("category", _S, False),
        col("tokens", "array<int>", False, "int32 ids, EOS appended"),
        col("n_tokens", _I, False, "len(tokens), EOS included"),
        col("text_bytes", _I, False, "UTF-8 bytes of the text that was encoded"),
        col("tokenizer_version", _S, False, "folder name of the tokenizer artifact"),
    ),
    partition_by=("tokenizer_version",),
    comment="token ids per curated document; one partition per tokenizer version",
)

BLOCKS = TableDef(
    "blocks",
    (
        col("chunk_id", _I, False), col("block_id", _L, False, "position of the block inside its chunk"),
        col("tokens", "array<int>", False, "seq_len + 1 int32 ids"),
        col("doc_ids", "array<string>", False, "doc span owners, in order"),
        col("doc_starts", "array<int>", False, "span start offsets in the block"),
        col("doc_lengths", "array<int>", False, "span lengths in tokens"),
        col("doc_offsets", "array<int>", False,
            "offset of each span's first token inside its document; 0 = the document starts here"),
        col("doc_categories", "array<string>", False),
    ),
    partition_by=("chunk_id",),
    comment="packed training blocks; one partition per chunk",
)

CHUNKS = TableDef(
    "chunks",
    (
        col("chunk_id", _I, False), col("tokens", _L, False), col("blocks", _L, False),
        col("target_shares", _S, False, "JSON"), col("achieved_shares", _S, False, "JSON"),
        col("status", _S, False, "building | ready | training | trained | rolled_back"),
        col("seed", _L, False), col("tokenizer_version", _S, False),
        col("checkpoint", _S, comment="run-relative folder of the chunk-<k> checkpoint once trained"),
        col("seq_len", _I, False, "blocks hold seq_len + 1 tokens"),
        col("shortfall", _S, False, "JSON: per group, target tokens the supply could not give under the caps"),
        col("repetition", _S, False, "JSON: per group, occurrences, upsampled and reused occurrences"),
        col("usage_version", _L, False, "usage table version the chunk was drawn from (re-runs reuse it)"),
        col("step", _L, comment="trainer step at which the chunk was finished (trained) or left (rolled_back)"),
        col("loss", _D, comment="mean training loss over the chunk's last log window"),
        # Added after the first release: nullable, so older tables gain them by ADD COLUMNS.
        col("phase", _S, comment="mix.phases phase the chunk was drawn in (warmup, stable, anneal …); null = no plan"),
        col("quality_floor", _S, comment="JSON: per group, the quality_score a document needed (null = no floor)"),
        col("layout", _S, comment="JSON: order mode, adjacent-document similarity, near-duplicate gaps"),
        col("adaptation", _S, comment="JSON: loss-feedback share changes per group with their reason (mix.adapt)"),
    ),
    comment="one row per chunk of blocks and its lifecycle",
)

USAGE = TableDef(
    "usage",
    (
        col("doc_id", _S, False), col("times_used", _L, False, "how many times the doc's tokens went into blocks"),
        col("tokens_used", _L, False, "tokens of the doc that went into blocks, over all uses"),
        col("last_chunk_id", _I, False, "newest chunk counted; a re-run of that chunk adds nothing"),
    ),
    comment="how often each document has been fed to the trainer",
)

EXCLUDED_DOCS = TableDef(
    "excluded_docs",
    (
        col("doc_id", _S, False), col("chunk_id", _I, False), col("block_id", _L, False),
        col("reason", _S, False, "why the trainer left the document out, e.g. loss_spike"),
        col("step", _L, False, "trainer step that detected it"), col("run_id", _S, False),
        col("excluded_at", _S, False, "UTC ISO-8601 time of the decision"),
    ),
    comment="documents the trainer refused (loss spikes); the next mix leaves them out",
)

TRAIN_METRICS = TableDef(
    "train_metrics",
    (
        col("run_id", _S, False), col("step", _L, False), col("chunk_id", _I, False),
        col("category", _S, False, "document category, or '_all' for the whole batch"),
        col("loss", _D, False, "mean next-token loss (nats) of the category's tokens in the log window"),
        col("tokens", _L, False, "tokens of that category the mean is over"),
    ),
    comment="channel loss per category at every log step; the next mix may adapt to it",
)

EVAL_DOCS = TableDef(
    "eval_docs",
    (
        col("doc_id", _S, False), col("lang", _S, False), col("category", _S, False),
        col("text", _S, False, "the curated (PII-masked) text"),
        col("text_bytes", _L, False, "UTF-8 bytes of text: the denominator of bits per byte"),
        col("split_seed", _L, False, "seed of the deterministic held-out sample"),
    ),
    comment="held-out curated documents per category and language; the mix never puts them in a chunk",
)

EVAL_RESULTS = TableDef(
    "eval_results",
    (
        col("run_id", _S, False), col("chunk_id", _I, comment="chunk whose checkpoint was evaluated"),
        col("step", _L, comment="trainer step of the checkpoint"),
        col("checkpoint", _S, False, "checkpoint folder (run-relative chunk-<k>, or an exported model path)"),
        col("suite", _S, False, "heldout | probes | mc | lm_eval"),
        col("task", _S, False, "category, probe set, benchmark or lm-eval task name"),
        col("variant", _S, False, "the re-posed form of a benchmark, or '' when there is none"),
        col("metric", _S, False, "e.g. perplexity, bits_per_byte, logprob, accuracy"),
        col("value", _D, False), col("n", _L, False, "items (documents, probes, questions) behind the value"),
        col("evaluated_at", _S, False, "UTC ISO-8601 time"),
    ),
    comment="one row per evaluated metric of a checkpoint; notebooks and dashboards read it",
)

TABLES: dict[str, TableDef] = {
    t.name: t
    for t in (RAW_DOCS, QUARANTINE, ANNOTATED_DOCS, STAGE_STATS, DEDUP_CLUSTERS, CURATED_DOCS,
              TOKENIZED_DOCS, BLOCKS, CHUNKS, USAGE, EXCLUDED_DOCS, TRAIN_METRICS, EVAL_DOCS, EVAL_RESULTS)
}


class TableNotFoundError(UserError, LookupError):
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


def table_uri(cfg: PipelineConfig, name: str) -> str:
    """`table_path` with a relative local warehouse resolved against the current directory.

    Resolved once, so the Spark driver, its executors and delta-rs agree on where the table lives.
    """
    import os

    path = table_path(cfg, name)
    return path if "://" in path else os.path.abspath(path)
