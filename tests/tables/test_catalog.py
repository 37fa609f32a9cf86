"""The Delta catalog: idempotent create, declared schemas, tables readable without a JVM."""
import pytest
from deltalake import DeltaTable as RsTable

from tables.catalog import TABLES, TableNotFoundError, table_path
from tables.delta_rs import read_arrow
from tables.spark_tables import create_if_not_exists, read_table

pytestmark = pytest.mark.spark


def test_create_every_table_idempotent_and_readable_by_delta_rs(spark, cfg):
    for name in TABLES:
        create_if_not_exists(spark, cfg, name)
        create_if_not_exists(spark, cfg, name)  # second call is a no-op
    for name, tdef in TABLES.items():
        assert read_table(spark, cfg, name).schema.fieldNames() == tdef.column_names
        rs = RsTable(table_path(cfg, name))
        assert rs.version() == 0, f"{name}: create_if_not_exists wrote a second version"
        assert read_arrow(cfg, name).column_names == tdef.column_names
        assert list(rs.metadata().partition_columns) == list(tdef.partition_by)
        config = rs.metadata().configuration
        assert config.get("delta.enableDeletionVectors") == "false", name
        assert "deletionVectors" not in (rs.protocol().reader_features or []), name


def test_read_missing_table_clear_error(spark, cfg):
    with pytest.raises(TableNotFoundError, match="table 'curated_docs' does not exist.*run the stage"):
        read_table(spark, cfg, "curated_docs")


def test_unknown_table_name_lists_known_ones(cfg):
    with pytest.raises(KeyError, match="unknown table 'raw_doc'.*raw_docs"):
        table_path(cfg, "raw_doc")
