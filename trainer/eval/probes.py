"""Probability probes from YAML (`eval.probes_dir`/*.yaml), validated with errors that name the key.

A probe file holds one set:

    name: capitals
    kind: target            # target | pair | format
    items:
      - {id: france, lang: en, prefix: "The capital of France is", target: " Paris"}   # target, format
      - {id: word_order, lang: en, a: "The cat sat on the mat.", b: "Mat the on sat cat the."}   # pair

`target` and `format` items score ln P(target | prefix) (metric `logprob`, nats); `pair` items
score 1.0 when ppl(a) < ppl(b), as expected, else 0.0 (metric `correct`, with `ppl_ratio` =
ppl(a) / ppl(b)). Each set also gets a mean row (`mean_logprob` or `accuracy`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from conf import ConfigError
from trainer.eval.scoring import continuation_logprob, token_nll
from trainer.eval.tokenizer import EvalTokenizer

KINDS = {"target": ("prefix", "target"), "format": ("prefix", "target"), "pair": ("a", "b")}


@dataclass(frozen=True)
class ProbeSet:
    name: str
    kind: str
    items: list[dict]
    """Each with `id`, `lang` and the two texts of its kind."""


def find_path(path: str) -> Path:
    """`path` as given, else relative to the project root (as conf/ resolves its files)."""
    p = Path(path).expanduser()
    if p.exists() or p.is_absolute():
        return p
    return Path(__file__).resolve().parents[2] / path


def parse_probe_set(data, where: str) -> ProbeSet:
    """A ProbeSet from one file's YAML; a ConfigError names `<file>: <key>` on any mistake."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must hold a mapping with name, kind and items")
    unknown = sorted(set(data) - {"name", "kind", "items"})
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (expected name, kind, items)")
    for key in ("name", "kind", "items"):
        if key not in data:
            raise ConfigError(f"{where}: missing key '{key}'")
    if not isinstance(data["name"], str) or not data["name"]:
        raise ConfigError(f"{where}: 'name' must be a non-empty string")
    if data["kind"] not in KINDS:
        raise ConfigError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {data['kind']!r}")
    if not isinstance(data["items"], list) or not data["items"]:
        raise ConfigError(f"{where}: 'items' must be a non-empty list")
    texts, ids = KINDS[data["kind"]], set()
    for i, item in enumerate(data["items"]):
        at = f"{where}: items[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{at} must be a mapping")
        extra = sorted(set(item) - {"id", "lang", *texts})
        if extra:
            raise ConfigError(f"{at}.{extra[0]}: unknown key for kind {data['kind']} (expected id, lang, "
                              f"{', '.join(texts)})")
        for key in ("id", "lang", *texts):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ConfigError(f"{at}.{key} must be a non-empty string")
        if item["id"] in ids:
            raise ConfigError(f"{at}.id: {item['id']!r} is used twice in {data['name']}")
        ids.add(item["id"])
    return ProbeSet(data["name"], data["kind"], list(data["items"]))


def load_probe_sets(probes_dir: str) -> list[ProbeSet]:
    """Every `*.yaml` of `probes_dir`, in file-name order; set names must be unique."""
    folder = find_path(probes_dir)
    if not folder.is_dir():
        raise ConfigError(f"eval.probes_dir: {probes_dir!r} is not a folder")
    sets, names = [], set()
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path.name}: not valid YAML: {str(exc).splitlines()[0]}") from None
        probe_set = parse_probe_set(data, path.name)
        if probe_set.name in names:
            raise ConfigError(f"{path.name}: name {probe_set.name!r} is used by another probe file")
        names.add(probe_set.name)
        sets.append(probe_set)
    return sets


def _ppl(model, tok: EvalTokenizer, text: str, seq_len: int, device: str) -> float:
    nll = token_nll(model, tok.encode(text), seq_len, device)  # as heldout.py: no leading EOS
    return math.exp(float(nll.mean()))


def score(model, tok: EvalTokenizer, sets: list[ProbeSet], seq_len: int, device: str) -> list[dict]:
    """Metric rows (task = `<set>/<id>` per item, `<set>` for the mean)."""
    rows = []
    for s in sets:
        values = []
        for item in s.items:
            task = f"{s.name}/{item['id']}"
            if s.kind == "pair":
                a, b = (_ppl(model, tok, item[k], seq_len, device) for k in ("a", "b"))
                values.append(1.0 if a < b else 0.0)
                rows.append({"task": task, "metric": "correct", "value": values[-1], "n": 1})
                rows.append({"task": task, "metric": "ppl_ratio", "value": a / b, "n": 1})
            else:
                lp = continuation_logprob(model, tok.encode(item["prefix"]), tok.encode(item["target"]),
                                          seq_len, device)
                values.append(lp)
                rows.append({"task": task, "metric": "logprob", "value": lp, "n": 1})
        metric = "accuracy" if s.kind == "pair" else "mean_logprob"
        rows.append({"task": s.name, "metric": metric, "value": sum(values) / len(values), "n": len(values)})
    return rows
