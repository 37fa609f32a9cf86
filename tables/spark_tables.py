"""Spark side of the catalog: schemas as `StructType`, create, read, Delta handles.

The declarations in `tables.catalog` are engine-neutral; this module turns them into Spark
types and is the only part of `tables/` (with `tables.merge`) that imports pyspark.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import types as T

from conf.errors import UserError
from tables.catalog import TableDef, TableNotFoundError, table_def, table_path, table_uri

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from conf.schema import PipelineConfig

_SPARK_SCALARS = {"string": T.StringType(), "long": T.LongType(), "int": T.IntegerType(),
                  "double": T.DoubleType(), "bool": T.BooleanType()}


def spark_type(dtype: str) -> T.DataType:
    """The Spark type of an engine-neutral type string; elements and map values not null."""
    if dtype in _SPARK_SCALARS:
        return _SPARK_SCALARS[dtype]
    if dtype.startswith("array<") and dtype.endswith(">"):
        return T.ArrayType(spark_type(dtype[6:-1]), containsNull=False)
    if dtype.startswith("map<") and dtype.endswith(">"):
        key, value = (part.strip() for part in dtype[4:-1].split(",", 1))
        return T.MapType(spark_type(key), spark_type(value), valueContainsNull=False)
    raise ValueError(f"unknown column type {dtype!r}")


def spark_schema(table: TableDef | str) -> T.StructType:
    """The `StructType` of a declared table (by declaration or name), comments as field metadata."""
    tdef = table_def(table) if isinstance(table, str) else table
    return T.StructType([T.StructField(c.name, spark_type(c.dtype), c.nullable,
                                       {"comment": c.comment} if c.comment else {}) for c in tdef.columns])


def create_if_not_exists(spark: SparkSession, cfg: PipelineConfig, name: str) -> None:
    """Create table `name` with its declared schema, partitioning and properties; no-op if it exists."""
    from delta.tables import DeltaTable

    tdef = table_def(name)
    builder = DeltaTable.createIfNotExists(spark).location(table_uri(cfg, name)).addColumns(spark_schema(tdef))
    if tdef.partition_by:
        builder = builder.partitionedBy(*tdef.partition_by)
    for key, value in tdef.properties.items():
        builder = builder.property(key, value)
    if tdef.comment:
        builder = builder.comment(tdef.comment)
    builder.execute()
    add_missing_columns(spark, cfg, name)


def add_missing_columns(spark: SparkSession, cfg: PipelineConfig, name: str) -> list[str]:
    """ALTER TABLE … ADD COLUMNS for declared columns an older table lacks (e.g. chunks.phase);
    the names added. Only nullable columns can be added: old rows read them as null."""
    tdef = table_def(name)
    have = set(spark.read.format("delta").load(table_uri(cfg, name)).columns)
    missing = [f for f in spark_schema(tdef).fields if f.name not in have]
    if not missing:
        return []
    not_null = [f.name for f in missing if not f.nullable]
    if not_null:
        raise UserError(f"table {name!r} at {table_uri(cfg, name)} was written by an older flywheel and lacks "
                        f"the NOT NULL columns {not_null}; delete that folder and re-run the stage that writes it")
    cols = ", ".join(f"`{f.name}` {f.dataType.simpleString()}{_sql_comment(f.metadata.get('comment'))}"
                     for f in missing)
    spark.sql(f"ALTER TABLE delta.`{table_uri(cfg, name)}` ADD COLUMNS ({cols})")
    return [f.name for f in missing]


def exists(spark: SparkSession, cfg: PipelineConfig, name: str) -> bool:
    """True when table `name` has been created."""
    from delta.tables import DeltaTable

    return DeltaTable.isDeltaTable(spark, table_uri(cfg, name))


def read_table(spark: SparkSession, cfg: PipelineConfig, name: str, version: int | None = None) -> DataFrame:
    """Read table `name` (optionally as of a Delta version); a clear error if it was never written."""
    if not exists(spark, cfg, name):
        raise TableNotFoundError(
            f"table {name!r} does not exist at {table_path(cfg, name)}: run the stage that writes it first"
        )
    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", version)
    return reader.load(table_uri(cfg, name))


def delta_table(spark: SparkSession, cfg: PipelineConfig, name: str):
    """The `delta.tables.DeltaTable` handle of table `name` (for MERGE, history, detail)."""
    from delta.tables import DeltaTable

    return DeltaTable.forPath(spark, table_uri(cfg, name))


def current_version(spark: SparkSession, cfg: PipelineConfig, name: str) -> int:
    """Newest Delta version of table `name` (what a reader pins to resume on the same data)."""
    return int(delta_table(spark, cfg, name).history(1).first()["version"])


def _sql_comment(text: str | None) -> str:
    """` COMMENT '…'` for a column comment (backslash and quote escaped), or nothing."""
    if not text:
        return ""
    return " COMMENT '" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
