"""delta-rs side of the catalog: open, read and append without a JVM (what the trainer uses).

Spark writes most tables; the trainer and small bookkeeping (`chunks` status, `excluded_docs`,
`train_metrics`) go through `deltalake`, whose commits serialise with Spark's through the
Delta log. Tables are written with the declared Arrow schema, partitioning and the plain
Delta properties of `tables.catalog`, so either engine can read what the other wrote.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pyarrow as pa

from tables.catalog import TableNotFoundError, table_def, table_path, table_uri

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from conf.schema import PipelineConfig

# Spark's Hadoop scheme for S3 is s3a://; delta-rs (object_store) spells the same bucket s3://.
_SCHEMES = {"s3a://": "s3://", "s3n://": "s3://"}
# Object-store settings delta-rs takes from the environment when they are set there; credentials
# never come from the config (only the environment or the provider chain).
_ENV_OPTIONS = ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN", "AWS_ALLOW_HTTP", "AWS_S3_ALLOW_UNSAFE_RENAME")


def rs_uri(cfg: PipelineConfig, name: str) -> str:
    """Location of table `name` as delta-rs spells it (s3a:// → s3://, local paths absolute)."""
    uri = table_uri(cfg, name)
    for spark_scheme, rs_scheme in _SCHEMES.items():
        if uri.startswith(spark_scheme):
            return rs_scheme + uri[len(spark_scheme):]
    return uri


def storage_options(cfg: PipelineConfig) -> dict[str, str] | None:
    """delta-rs storage options for an object-store warehouse; None for a local one."""
    if "://" not in cfg.spark.warehouse or cfg.spark.warehouse.startswith("file://"):
        return None
    return {key: os.environ[key] for key in _ENV_OPTIONS if key in os.environ}


def exists(cfg: PipelineConfig, name: str) -> bool:
    """True when table `name` has a Delta log."""
    from deltalake import DeltaTable

    return DeltaTable.is_deltatable(rs_uri(cfg, name), storage_options=storage_options(cfg))


def open_table(cfg: PipelineConfig, name: str, version: int | None = None) -> DeltaTable:
    """The delta-rs handle of table `name`, optionally pinned to a Delta version."""
    from deltalake import DeltaTable

    if not exists(cfg, name):
        raise TableNotFoundError(
            f"table {name!r} does not exist at {table_path(cfg, name)}: run the stage that writes it first")
    return DeltaTable(rs_uri(cfg, name), version=version, storage_options=storage_options(cfg))


def _native_filesystem(cfg: PipelineConfig, name: str):
    """pyarrow's own filesystem rooted at a local table; None for an object store (delta-rs's handler)."""
    import pyarrow.fs as pafs

    uri = rs_uri(cfg, name)
    if "://" in uri and not uri.startswith("file://"):
        return None
    return pafs.SubTreeFileSystem(uri.removeprefix("file://"), pafs.LocalFileSystem())


def arrow_dataset(cfg: PipelineConfig, name: str, version: int | None = None, **kwargs):
    """Table `name` (optionally at `version`) as a `pyarrow.dataset.Dataset` of its live files.

    Local tables are read through pyarrow's native filesystem: with delta-rs's own storage handler
    a Parquet reader thread outlives the interpreter and aborts it at exit about half the time
    ("terminate called without an active exception", seen with deltalake 1.6.6 + pyarrow 26;
    delta-rs issue 2184, arrow issue 34314). `kwargs` go to `DeltaTable.to_pyarrow_dataset`.
    """
    table = open_table(cfg, name, version)
    filesystem = _native_filesystem(cfg, name)
    if filesystem is not None:
        kwargs["filesystem"] = filesystem
    return table.to_pyarrow_dataset(**kwargs)


def read_arrow(cfg: PipelineConfig, name: str, version: int | None = None, columns: list[str] | None = None,
               filters=None) -> pa.Table:
    """Rows of table `name` as a pyarrow Table.

    `filters`: a `pyarrow.compute` expression, or DNF tuples such as [("chunk_id", "=", 3)].
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    expression = filters if filters is None or isinstance(filters, pc.Expression) else pq.filters_to_expression(filters)
    return arrow_dataset(cfg, name, version).to_table(columns=columns, filter=expression)


def append(cfg: PipelineConfig, name: str, rows: pa.Table) -> int:
    """Append `rows` to table `name` (created with its declaration if missing); returns the new version.

    Columns are selected and cast to the declared schema, so a missing column is a ValueError
    naming it, and an extra one is refused rather than silently dropped.
    """
    from deltalake import write_deltalake

    tdef = table_def(name)
    schema = tdef.arrow_schema()
    missing = [n for n in tdef.column_names if n not in rows.column_names]
    extra = sorted(set(rows.column_names) - set(tdef.column_names))
    if missing or extra:
        raise ValueError(f"rows for table {name!r}: missing columns {missing}, unexpected columns {extra}")
    aligned = rows.select(tdef.column_names).cast(schema)
    creating = not exists(cfg, name)
    write_deltalake(rs_uri(cfg, name), aligned, mode="append", storage_options=storage_options(cfg),
                    partition_by=list(tdef.partition_by) or None,
                    configuration=dict(tdef.properties) if creating else None,
                    description=tdef.comment if creating else None)
    return open_table(cfg, name).version()
