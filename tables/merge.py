"""Idempotent writes: MERGE on keys, or overwrite of the partitions a job owns."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tables.catalog import table_uri
from tables.spark_tables import create_if_not_exists, delta_table, spark_schema

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from conf.schema import PipelineConfig


def _align(df: DataFrame, name: str) -> DataFrame:
    """Select the table's columns in order, cast to the declared types (extra columns are an error)."""
    from pyspark.sql import functions as F

    schema = spark_schema(name)
    extra = set(df.columns) - set(schema.fieldNames())
    missing = [f.name for f in schema.fields if f.name not in df.columns]
    if extra or missing:
        raise ValueError(f"rows for table {name!r}: missing columns {missing}, unexpected columns {sorted(extra)}")
    return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in schema.fields])


def _on(keys: list[str]) -> str:
    return " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)


def merge_insert_new(spark: SparkSession, cfg: PipelineConfig, name: str, df: DataFrame, keys: list[str]) -> dict:
    """Insert rows whose `keys` are not yet in table `name`; rows already there are left alone.

    `df` must hold each key once (MERGE would insert duplicates otherwise). Returns the MERGE's
    operation metrics (`numTargetRowsInserted`, …) from the Delta log.
    """
    create_if_not_exists(spark, cfg, name)
    target = delta_table(spark, cfg, name)
    before = _version(target)
    if target.detail().first().numFiles == 0:
        # Nothing to match against: a plain append writes the same rows without MERGE's
        # join, which shuffles every source row (whole texts) once more.
        _align(df, name).write.format("delta").mode("append").save(table_uri(cfg, name))
        metrics = last_metrics(target, before)
        return {**metrics, "numTargetRowsInserted": int(metrics.get("numOutputRows", 0))}
    (target.alias("t").merge(_align(df, name).alias("s"), _on(keys))
     .whenNotMatchedInsertAll().execute())
    return last_metrics(target, before)


def merge_upsert(spark: SparkSession, cfg: PipelineConfig, name: str, df: DataFrame, keys: list[str]) -> dict:
    """Insert new rows and replace existing ones with the same `keys`; returns the MERGE's metrics."""
    create_if_not_exists(spark, cfg, name)
    target = delta_table(spark, cfg, name)
    before = _version(target)
    (target.alias("t").merge(_align(df, name).alias("s"), _on(keys))
     .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())
    return last_metrics(target, before)


def _version(target) -> int:
    return target.history(1).first().version


def last_metrics(target, before: int) -> dict:
    """Operation metrics of the commit made after version `before`; {} when nothing was committed
    (Delta skips the commit of a MERGE that changes no row)."""
    row = target.history(1).first()
    if row.version == before:
        return {}
    return {k: int(v) if str(v).isdigit() else v for k, v in (row.operationMetrics or {}).items()}


def overwrite_partitions(spark: SparkSession, cfg: PipelineConfig, name: str, df: DataFrame,
                         partition_values: dict[str, object] | None = None) -> None:
    """Replace the rows of table `name` matching `partition_values` (all rows when None) with `df`."""
    create_if_not_exists(spark, cfg, name)
    writer = _align(df, name).write.format("delta").mode("overwrite")
    if partition_values:
        cond = " AND ".join(f"`{k}` = {_sql_literal(v)}" for k, v in partition_values.items())
        writer = writer.option("replaceWhere", cond)
    writer.save(table_uri(cfg, name))


def _sql_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)
