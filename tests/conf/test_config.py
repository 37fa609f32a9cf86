"""Config loading: defaults are complete, overrides work, every error names its key."""
import re

import pytest

from conf import ConfigError, load_config


def test_load_config_defaults_complete_and_typed():
    cfg = load_config()
    assert cfg.spark.master == "local[*]"
    assert isinstance(cfg.ingest.max_doc_bytes, int)
    assert cfg.ingest.fields.text == "text"


def test_override_value_parsed_as_yaml():
    cfg = load_config(overrides=["ingest.max_doc_bytes=1234", "ingest.fields.id=null"])
    assert cfg.ingest.max_doc_bytes == 1234
    assert cfg.ingest.fields.id is None


@pytest.mark.parametrize("override, key", [
    ("ingest.max_doc_byte=1", "ingest.max_doc_byte"),
    ("ingest.fields.txt=body", "ingest.fields.txt"),
    ("ingest.max_doc_bytes=lots", "ingest.max_doc_bytes"),
    ("ingest.max_doc_bytes=true", "ingest.max_doc_bytes"),
    ("spark.jars=3", "spark.jars"),
    ("spark.jars=[1]", "spark.jars[0]"),
    ("nosuchsection.key=1", "nosuchsection"),
])
def test_bad_override_error_names_key(override, key):
    with pytest.raises(ConfigError, match=re.escape(f"'{key}'")):
        load_config(overrides=[override])


def test_unknown_key_suggests_close_match():
    with pytest.raises(ConfigError, match="did you mean 'ingest.max_doc_bytes'"):
        load_config(overrides=["ingest.max_doc_byts=1"])


def test_user_file_deep_merged_keeps_other_keys(tmp_path):
    user = tmp_path / "user.yaml"
    user.write_text("ingest:\n  fields: {text: body}\n")
    cfg = load_config([str(user)])
    assert cfg.ingest.fields.text == "body"
    assert cfg.ingest.fields.id == "id"


def test_section_replaced_by_scalar_error_names_key(tmp_path):
    user = tmp_path / "user.yaml"
    user.write_text("ingest:\n  fields: none\n")
    with pytest.raises(ConfigError, match="'ingest.fields' must be a mapping"):
        load_config([str(user)])


def test_user_file_unknown_section_named(tmp_path):
    user = tmp_path / "user.yaml"
    user.write_text("ingst:\n  format: jsonl\n")
    with pytest.raises(ConfigError, match="unknown config key 'ingst'.*did you mean 'ingest'"):
        load_config([str(user)])


def test_missing_config_file_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config([str(tmp_path / "nope.yaml")])


def test_override_without_equals_rejected():
    with pytest.raises(ConfigError, match="section.key=value"):
        load_config(overrides=["ingest.max_doc_bytes"])
