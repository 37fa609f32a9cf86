"""An older `chunks` table (before phase & co.) gains the new nullable columns on first use."""
import pytest

from tables.catalog import CHUNKS
from tables.delta_rs import read_arrow

NEW = ["phase", "quality_floor", "layout", "adaptation"]


@pytest.mark.spark
def test_create_if_not_exists_adds_missing_nullable_columns_old_rows_read_null(spark, cfg):
    from pyspark.sql import types as T

    from tables.catalog import table_uri
    from tables.spark_tables import add_missing_columns, create_if_not_exists, spark_schema

    old = T.StructType([f for f in spark_schema(CHUNKS).fields if f.name not in NEW])
    row = dict(chunk_id=0, tokens=1, blocks=1, target_shares="{}", achieved_shares="{}", status="ready", seed=1,
               tokenizer_version="v", checkpoint=None, seq_len=1, shortfall="{}", repetition="{}", usage_version=0,
               step=None, loss=None)
    spark.createDataFrame([row], old).write.format("delta").save(table_uri(cfg, "chunks"))
    create_if_not_exists(spark, cfg, "chunks")
    rows = read_arrow(cfg, "chunks").to_pylist()
    assert [{k: r[k] for k in NEW} for r in rows] == [dict.fromkeys(NEW)]
    assert read_arrow(cfg, "chunks").schema.names == CHUNKS.column_names
    assert add_missing_columns(spark, cfg, "chunks") == []  # nothing left to add: no new commit


@pytest.mark.spark
def test_older_table_missing_a_not_null_column_is_a_user_error_that_says_what_to_do(spark, cfg):
    from pyspark.sql import types as T

    from conf.errors import UserError
    from tables.catalog import DEDUP_CLUSTERS, table_uri
    from tables.spark_tables import create_if_not_exists, spark_schema

    old = T.StructType([f for f in spark_schema(DEDUP_CLUSTERS).fields if f.name != "method"])
    row = dict(doc_id="d", cluster_id="c", representative="d", kept=True, similarity=1.0)
    spark.createDataFrame([row], old).write.format("delta").save(table_uri(cfg, "dedup_clusters"))
    with pytest.raises(UserError, match=r"lacks the NOT NULL columns \['method'\]; delete that folder and re-run"):
        create_if_not_exists(spark, cfg, "dedup_clusters")
