"""Ingest: read source files into `raw_docs`; whatever cannot be read goes to `quarantine`.

Reads   JSONL (plain, .gz, .zst), Parquet, folders of text files (and WARC/WET where a
        reader is registered), from local or shared paths every executor can see.
Writes  `raw_docs` (MERGE on doc_id: re-running the same input adds nothing) and
        `quarantine` (MERGE on quarantine_id) with the file, line/offset and reason of
        every malformed line, invalid UTF-8, empty, oversize or duplicate record.
Run     flywheel ingest --input data/sample/docs --source sample
        spark-submit --packages io.delta:delta-spark_4.1_2.13:4.4.0 spark_jobs/ingest.py --input …

Files (and 128 MiB byte ranges of big plain JSONL files) are spread over Spark tasks; each
task parses its share in Python with strict UTF-8 and JSON decoding, so every bad record
is caught with its position instead of being patched over by a lenient reader.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

import pyarrow as pa

from spark_jobs.cli_args import add_common_args, config_from_args
from conf.schema import IngestConfig, PipelineConfig
from spark_jobs.ingest_tasks import Task, plan_tasks
from spark_jobs.readers import READERS
from spark_jobs.readers.base import Bad, Doc, ReaderOptions

STAGE = "ingest"
BATCH_ROWS = 2048

STAGING = pa.schema([
    ("kind", pa.string()),  # "doc" or "bad"
    ("doc_id", pa.string()), ("source", pa.string()), ("source_id", pa.string()), ("url", pa.string()),
    ("text", pa.string()), ("metadata", pa.string()), ("source_file", pa.string()),
    ("source_line", pa.int64()), ("source_offset", pa.int64()), ("text_bytes", pa.int32()),
    ("format", pa.string()), ("record_id", pa.string()), ("reason", pa.string()), ("error", pa.string()),
    ("raw_prefix", pa.string()), ("raw_bytes", pa.int64()),
])
STAGING_DDL = ", ".join(f"{f.name} {'int' if f.type == pa.int32() else 'bigint' if f.type == pa.int64() else 'string'}"
                        for f in STAGING)


def make_doc_id(source: str, source_id: str | None, text: str) -> str:
    """Stable id: hash of source + source id, or of the text when the source gives no id."""
    key = f"id\x1f{source}\x1f{source_id}" if source_id is not None else f"text\x1f{text}"
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def escape_prefix(raw: bytes, n: int) -> str:
    """First `n` bytes of a bad record as text, undecodable bytes shown as \\xNN."""
    return raw[:n].decode("utf-8", "backslashreplace")


def check_doc(doc: Doc, cfg: IngestConfig) -> tuple[str, str] | None:
    """(reason, error) when a parsed document must not enter raw_docs."""
    if not doc.text.strip():
        return ("empty_text", "text is empty or whitespace only")
    size = len(doc.text.encode("utf-8"))
    if size > cfg.max_doc_bytes:
        return ("oversize", f"text is {size} bytes > ingest.max_doc_bytes={cfg.max_doc_bytes}")
    return None


def staging_row(item: Doc | Bad, task: Task, cfg: IngestConfig) -> dict:
    """One staging row (document or quarantine candidate) for a reader's output."""
    row = dict.fromkeys(STAGING.names)
    row.update(source_file=task.path, format=task.format)
    if isinstance(item, Doc):
        problem = check_doc(item, cfg)
        if problem is None:
            source = item.source or task.source
            text_bytes = len(item.text.encode("utf-8"))
            row.update(kind="doc", doc_id=make_doc_id(source, item.source_id, item.text), source=source,
                       source_id=item.source_id, url=item.url, text=item.text,
                       metadata=json.dumps(item.metadata, sort_keys=True, ensure_ascii=False, default=str),
                       source_line=item.line, source_offset=item.offset, text_bytes=text_bytes)
            return row
        raw = item.text.encode("utf-8")
        item = Bad(problem[0], problem[1], item.line, item.offset, item.source_id, raw)
    row.update(kind="bad", source_line=item.line, source_offset=item.offset, record_id=item.record_id,
               reason=item.reason, error=item.error, raw_prefix=escape_prefix(item.raw, cfg.raw_prefix_bytes),
               raw_bytes=len(item.raw))
    return row


def read_task(task: Task, cfg: IngestConfig):
    """Yield staging rows for one task; an unexpected reader failure becomes one quarantine row."""
    opts = ReaderOptions(cfg)
    reader = READERS[task.format]
    kwargs = {"root": task.root} if task.format == "text" else {}
    try:
        for item in reader(task.path, opts, task.start, task.end, **kwargs):
            yield staging_row(item, task, cfg)
    except Exception as exc:  # noqa: BLE001 - a broken file must not kill the job
        # e.g. a truncated .gz: rows read so far are kept, the rest of the file is reported.
        yield staging_row(Bad("unreadable_file", f"{type(exc).__name__}: {exc}", None, task.start, None, b""),
                          task, cfg)


def read_partition(batches, cfg: IngestConfig):
    """mapInArrow body: task rows in, staging rows out in batches of BATCH_ROWS."""
    for batch in batches:
        for t in batch.to_pylist():
            rows = []
            for row in read_task(Task(**t), cfg):
                rows.append(row)
                if len(rows) >= BATCH_ROWS:
                    yield pa.RecordBatch.from_pylist(rows, schema=STAGING)
                    rows = []
            if rows:
                yield pa.RecordBatch.from_pylist(rows, schema=STAGING)


def transform(tasks_df, cfg: PipelineConfig):
    """Task rows -> staging rows (`kind` = doc | bad), parsed by the format readers."""
    ingest_cfg = cfg.ingest
    return tasks_df.mapInArrow(lambda batches: read_partition(batches, ingest_cfg), STAGING_DDL)


def split_staging(staging, cfg: PipelineConfig):
    """(docs, quarantine) DataFrames shaped like `raw_docs` and `quarantine`.

    A doc_id seen more than once in one input keeps its first occurrence (by file, then
    offset, so the choice does not depend on partitioning); the others are quarantined as
    `duplicate_doc_id`, so nothing disappears without a trace. Repeated ids are found on the
    key columns alone (32-byte ids, not whole texts, cross the shuffle); only when there are
    any is that set joined back (broadcast while it has at most `ingest.max_broadcast_ids`).
    """
    from pyspark.sql import functions as F

    from tables.catalog import QUARANTINE, RAW_DOCS

    docs = staging.where(F.col("kind") == "doc")
    first = (docs.groupBy("doc_id")
             .agg(F.count("*").alias("_n"), F.min(F.struct("source_file", "source_offset")).alias("_first"))
             .where(F.col("_n") > 1)
             .select("doc_id", F.col("_first.source_file").alias("_file"), F.col("_first.source_offset").alias("_off")))
    n_repeated = first.count()
    if n_repeated == 0:  # the usual case: no join at all
        keep, dups = docs.select(*RAW_DOCS.column_names), None
    else:
        # Repeated ids are few: broadcasting them keeps whole texts out of the shuffle.
        small = F.broadcast(first) if n_repeated <= cfg.ingest.max_broadcast_ids else first
        flagged = docs.join(small, "doc_id", "left").withColumn(
            "_dup", F.col("_file").isNotNull()
            & ((F.col("_file") != F.col("source_file")) | (F.col("_off") != F.col("source_offset"))))
        keep = flagged.where(~F.col("_dup")).select(*RAW_DOCS.column_names)
        dups = (flagged.where(F.col("_dup"))
                .withColumn("reason", F.lit("duplicate_doc_id"))
                .withColumn("error", F.concat(F.lit("same doc_id as an earlier record: "), F.col("doc_id")))
                .withColumn("record_id", F.coalesce("source_id", "doc_id"))
                .withColumn("raw_prefix", F.substring("text", 1, cfg.ingest.raw_prefix_bytes))
                .withColumn("raw_bytes", F.col("text_bytes").cast("long")))
    bad = staging.where(F.col("kind") == "bad")
    cols = ["source_file", "source_line", "source_offset", "record_id", "reason", "error", "raw_prefix", "raw_bytes"]
    rejected = bad.select(*cols) if dups is None else bad.select(*cols).unionByName(dups.select(*cols))
    quarantine = (rejected
                  .withColumn("stage", F.lit(STAGE))
                  .withColumn("quarantine_id", F.sha2(F.concat_ws("\x1f", F.lit(STAGE), "source_file",
                                                                   F.coalesce(F.col("source_offset").cast("string"), F.lit("")),
                                                                   "reason", F.coalesce("record_id", F.lit(""))), 256))
                  .dropDuplicates(["quarantine_id"])
                  .select(*QUARANTINE.column_names))
    return keep, quarantine


def unknown_files_df(spark, files: list[str]):
    """Quarantine rows for files no reader accepts (wrong extension under --format auto)."""
    from tables.catalog import QUARANTINE

    rows = [{"quarantine_id": hashlib.sha256(f"{STAGE}\x1f{p}\x1funknown_format".encode()).hexdigest(),
             "stage": STAGE, "source_file": p, "source_line": None, "source_offset": None, "record_id": None,
             "reason": "unknown_format", "error": "no reader for this file name; pass --format to force one",
             "raw_prefix": "", "raw_bytes": 0} for p in files]
    return spark.createDataFrame(rows, spark_schema(QUARANTINE))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel ingest", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", action="append", required=True, metavar="PATH",
                        help="file or folder to ingest (repeatable)")
    parser.add_argument("--format", choices=["auto", *sorted(READERS)], default=None,
                        help="input format (default: ingest.format, auto = by file extension)")
    parser.add_argument("--source", help="source name for records that do not name one (default: input base name)")
    add_common_args(parser)
    return parser.parse_args(argv)


def run(spark, cfg: PipelineConfig, inputs: list[str], fmt: str | None = None, source: str | None = None) -> dict:
    """Ingest `inputs` into raw_docs/quarantine; returns counts for the summary."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from tables.merge import merge_insert_new

    t0 = time.time()
    tasks, unknown = plan_tasks(inputs, fmt or cfg.ingest.format, cfg.ingest, source)
    if not tasks and not unknown:
        raise SystemExit(f"flywheel ingest: no files found under {inputs}")
    tasks_df = spark.createDataFrame([t.as_row() for t in tasks], "path string, format string, start bigint, "
                                     "end bigint, root string, source string").repartition(max(1, len(tasks)))
    staging = transform(tasks_df, cfg).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        docs, quarantine = split_staging(staging, cfg)
        if unknown:
            quarantine = quarantine.unionByName(unknown_files_df(spark, unknown))
        totals = staging.agg(F.sum((F.col("kind") == "doc").cast("long")).alias("docs"),
                             F.sum("text_bytes").alias("bytes")).first()
        docs_added = _inserted(merge_insert_new(spark, cfg, "raw_docs", docs, ["doc_id"]))
        quarantine_added = _inserted(merge_insert_new(spark, cfg, "quarantine", quarantine, ["quarantine_id"]))
    finally:
        staging.unpersist()
    return {"tasks": len(tasks), "docs_read": int(totals["docs"] or 0), "docs_added": docs_added,
            "quarantine_added": quarantine_added, "text_bytes": int(totals["bytes"] or 0),
            "seconds": round(time.time() - t0, 2)}


def _inserted(metrics: dict) -> int:
    return int(metrics.get("numTargetRowsInserted", 0))


def print_summary(summary: dict, cfg: PipelineConfig) -> None:
    from tables.catalog import table_path

    mb = summary["text_bytes"] / 1e6
    print(f"ingest: {summary['tasks']} tasks, {summary['docs_read']} documents read ({mb:.1f} MB of text) "
          f"in {summary['seconds']} s")
    print(f"  raw_docs   +{summary['docs_added']} rows  {table_path(cfg, 'raw_docs')}")
    print(f"  quarantine +{summary['quarantine_added']} rows  {table_path(cfg, 'quarantine')}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = config_from_args(args)
    from spark_jobs.session import get_spark

    spark = get_spark(cfg, STAGE)
    summary = run(spark, cfg, args.input, args.format, args.source)
    print_summary(summary, cfg)
    return 0


if __name__ == "__main__":
    # Under spark-submit this file runs as __main__; calling the installed module instead lets
    # Spark pickle the reader functions by reference rather than by value.
    from spark_jobs.ingest import main as _main

    sys.exit(_main())
