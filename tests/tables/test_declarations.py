"""One declaration per table: the Spark and the Arrow schemas both derive from it and agree.

No JVM: pyspark's own Spark→Arrow type mapping (`to_arrow_schema`, pure Python) is the
independent expectation the Arrow schema we derive is compared with.
"""
import pyarrow as pa
import pytest
from pyspark.sql import types as T
from pyspark.sql.pandas.types import to_arrow_schema

from tables.catalog import TABLES, Column, TableDef, arrow_type
from tables.spark_tables import spark_schema, spark_type


def _strip(t: pa.DataType) -> pa.DataType:
    """The type with child field names dropped (pyspark names list children 'element', maps 'entries')."""
    if pa.types.is_list(t):
        return pa.list_(pa.field("x", _strip(t.value_type), t.value_field.nullable))
    if pa.types.is_map(t):
        return pa.map_(_strip(t.key_type), pa.field("v", _strip(t.item_type), t.item_field.nullable))
    return t


@pytest.mark.parametrize("name", sorted(TABLES))
def test_table_spark_and_arrow_schemas_agree(name):
    tdef = TABLES[name]
    ours = tdef.arrow_schema()
    theirs = to_arrow_schema(spark_schema(tdef))
    assert ours.names == theirs.names == tdef.column_names
    for a, b in zip(ours, theirs):
        assert _strip(a.type) == _strip(b.type), a.name
        assert a.nullable == b.nullable, a.name


def test_spark_schema_keeps_comments_and_nested_nullability():
    schema = spark_schema(TABLES["blocks"])
    tokens = schema["tokens"]
    assert tokens.dataType == T.ArrayType(T.IntegerType(), containsNull=False)
    assert tokens.nullable is False
    assert tokens.metadata["comment"] == "seq_len + 1 int32 ids"


def test_types_by_hand():
    assert arrow_type("map<string,int>") == pa.map_(pa.string(), pa.field("value", pa.int32(), nullable=False))
    assert spark_type("array<string>") == T.ArrayType(T.StringType(), False)
    with pytest.raises(ValueError, match="unknown column type 'float'"):
        arrow_type("float")


def test_arrow_fields_after_base_gives_only_added_columns():
    base = TableDef("a", (Column("x", "long"),))
    derived = TableDef("b", (*base.columns, Column("y", "string", False)))
    assert [f.name for f in derived.arrow_fields(after=base)] == ["y"]


def test_annotate_signals_are_declared_once_in_annotated_docs():
    raw, annotated = TABLES["raw_docs"], TABLES["annotated_docs"]
    assert annotated.column_names[: len(raw.column_names)] == raw.column_names
    doubles = [c.name for c in annotated.columns if c.dtype == "double" and c.comment.startswith("annotate signal")]
    from udfs import c4, category, cjk, fineweb, gopher

    computed = {"lang_share", "lang_second_share", "control_char_frac", "toxicity_hits", *gopher.QUALITY_SIGNALS[1:],
                *gopher.REPETITION_SIGNALS, *c4.SIGNALS, *fineweb.SIGNALS, *cjk.SIGNALS, *category.SIGNALS}
    assert len(doubles) == len(set(doubles))
    assert set(doubles) == computed
