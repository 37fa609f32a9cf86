"""Load and validate the pipeline configuration.

`conf/default.yaml` holds every value; user files passed with `--config` are deep-merged on
top, then `--set section.key=value` overrides (the value is parsed as YAML, so `--set
ingest.max_doc_bytes=1000` gives an int). The merged tree must match the dataclasses of
`config_schema` exactly: an unknown key, a missing key or a wrong type raises `ConfigError`
naming the dotted key.
"""
from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from conf.errors import UserError
from conf.mix_phases import check_phases
from conf.schema import PipelineConfig

DEFAULT_CONFIG = Path(__file__).resolve().parent / "default.yaml"


class ConfigError(UserError, ValueError):
    """A configuration value is unknown, missing or of the wrong type; the message names the key."""


def load_config(config_files: list[str] | None = None, overrides: list[str] | None = None) -> PipelineConfig:
    """Merge the defaults, `config_files` (in order) and `overrides` into a validated config.

    >>> cfg = load_config(overrides=["ingest.max_doc_bytes=1000"])
    >>> cfg.ingest.max_doc_bytes
    1000
    """
    tree = _read_yaml(DEFAULT_CONFIG)
    for path in config_files or []:
        _deep_merge(tree, _read_yaml(Path(path)), prefix="")
    for item in overrides or []:
        _apply_override(tree, item)
    return _checked(build(PipelineConfig, tree, ""))


def replace(cfg: PipelineConfig, overrides: list[str]) -> PipelineConfig:
    """Return `cfg` with `section.key=value` overrides applied and validated again."""
    tree = dataclasses.asdict(cfg)
    for item in overrides:
        _apply_override(tree, item)
    return _checked(build(PipelineConfig, tree, ""))


def _checked(cfg: PipelineConfig) -> PipelineConfig:
    """Checks across keys that types alone cannot express (the phases of the training plan)."""
    try:
        check_phases(cfg.mix)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return cfg


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return data


def _deep_merge(base: dict, extra: dict, prefix: str) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and value:
            _deep_merge(base[key], value, f"{prefix}{key}.")
        else:
            base[key] = value


def _apply_override(tree: dict, item: str) -> None:
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r} must look like section.key=value")
    parts = key.strip().split(".")
    node = tree
    for i, part in enumerate(parts[:-1]):
        child = node.get(part)
        if not isinstance(child, dict):
            raise ConfigError(f"unknown config key '{'.'.join(parts[: i + 1])}' in override {item!r}")
        node = child
    try:
        node[parts[-1]] = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise ConfigError(f"override for '{key}' is not a valid YAML value: {exc}") from None


def build(cls: type, data: Any, path: str) -> Any:
    """Build dataclass `cls` from `data`, checking keys and types; errors name `path.key`."""
    where = path or "<top level>"
    if not isinstance(data, dict):
        raise ConfigError(f"config key '{where}' must be a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean '{_join(path, close[0])}'?)" if close else ""
            raise ConfigError(f"unknown config key '{_join(path, key)}'{hint}")
    values = {}
    for name in names:
        if name not in data:
            raise ConfigError(f"missing config key '{_join(path, name)}'")
        values[name] = _check(hints[name], data[name], _join(path, name))
    return cls(**values)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


def _check(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _check(option, value, path)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if len(errors) == 1 else f"config key '{path}': {value!r} matches none of {tp}")
    if dataclasses.is_dataclass(tp):
        return build(tp, value, path)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"config key '{path}' must be a list, got {value!r}")
        (item,) = typing.get_args(tp)
        return [_check(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{path}' must be a mapping, got {value!r}")
        key_tp, val_tp = typing.get_args(tp)
        return {_check(key_tp, k, path): _check(val_tp, v, _join(path, str(k))) for k, v in value.items()}
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is typing.Any:
        return value
    if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
        raise ConfigError(f"config key '{path}' must be {tp.__name__}, got {value!r}")
    return value
