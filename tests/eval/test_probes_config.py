"""Probe YAML validation: the shipped sets load, every mistake names its file and key."""
import pytest

from conf import ConfigError, load_config, replace
from trainer.eval import probes
from trainer.eval.run import check_config


def test_shipped_probe_sets_load_with_every_kind():
    sets = probes.load_probe_sets("conf/probes")
    assert {s.kind for s in sets} == {"target", "pair", "format"}
    capitals = next(s for s in sets if s.name == "capitals")
    assert {"lang": "zh", "prefix": "中国的首都是", "target": "北京", "id": "china_zh"} in capitals.items


@pytest.mark.parametrize("text, message", [
    ("name: x\nkind: guess\nitems: [{id: a, lang: en, prefix: p, target: t}]\n", r"bad\.yaml: 'kind' must be one of"),
    ("name: x\nkind: target\nitems: [{id: a, lang: en, prefix: p}]\n", r"bad\.yaml: items\[0\]\.target must be"),
    ("name: x\nkind: pair\nitems: [{id: a, lang: en, a: p, b: q, c: r}]\n", r"bad\.yaml: items\[0\]\.c: unknown key"),
    ("name: x\nkind: target\n", r"bad\.yaml: missing key 'items'"),
    ("name: x\nkind: target\nitems: [{id: a, lang: en, prefix: p, target: t}, {id: a, lang: en, prefix: p, target: t}]\n",
     r"bad\.yaml: items\[1\]\.id: 'a' is used twice"),
    ("name: [unclosed\n", r"bad\.yaml: not valid YAML"),
])
def test_probe_file_errors_name_file_and_key(tmp_path, text, message):
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        probes.load_probe_sets(str(tmp_path))


@pytest.mark.parametrize("override, message", [
    ("eval.every_chunk=[heldout, speed]", r"eval\.every_chunk: unknown suite 'speed'"),
    ("eval.variants=[letters, riddles]", r"eval\.variants: unknown variant 'riddles'"),
    ("eval.max_new_tokens=0", r"eval\.max_new_tokens must be >= 1"),
    ("eval.few_shot=-1", r"eval\.few_shot must be >= 0"),
])
def test_eval_config_errors_name_the_key(override, message):
    with pytest.raises(ConfigError, match=message):
        check_config(replace(load_config(), [override]))


def test_eval_config_wrong_type_names_the_key():
    with pytest.raises(ConfigError, match=r"eval\.few_shot"):
        load_config(overrides=["eval.few_shot=two"])
