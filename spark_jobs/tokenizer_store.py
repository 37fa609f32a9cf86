"""Versioned tokenizer artifacts: `<dir>/<version>/tokenizer.json` + `metadata.json`.

The version is `bpe<vocab>-<first 12 hex of sha256(tokenizer.json)>`, so the same training
gives the same version (re-running train_tokenizer rewrites the same folder) and a
different tokenizer can never overwrite one that tables already refer to. `<dir>/LATEST`
names the newest version; `tokenizer.version` in the config pins another.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from conf.schema import PipelineConfig
from tables.artifacts import tokenizer_dir

LATEST = "LATEST"


class TokenizerNotFoundError(FileNotFoundError):
    """No trained tokenizer where the config points."""


def save_tokenizer(cfg: PipelineConfig, tokenizer_json: str, metadata: dict) -> str:
    """Write the artifact and point LATEST at it; returns its version."""
    vocab = json.loads(tokenizer_json)
    size = len(vocab["model"]["vocab"]) + len([t for t in vocab["added_tokens"]
                                                if t["content"] not in vocab["model"]["vocab"]])
    digest = hashlib.sha256(tokenizer_json.encode("utf-8")).hexdigest()[:12]
    version = f"bpe{size}-{digest}"
    folder = tokenizer_dir(cfg) / version
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / "tokenizer.json", tokenizer_json)
    _write_atomic(folder / "metadata.json", json.dumps({"version": version, **metadata}, indent=2,
                                                       ensure_ascii=False, sort_keys=True))
    _write_atomic(tokenizer_dir(cfg) / LATEST, version + "\n")
    return version


def resolve_version(cfg: PipelineConfig) -> str:
    """`tokenizer.version`, or the newest trained version."""
    if cfg.tokenizer.version:
        return cfg.tokenizer.version
    latest = tokenizer_dir(cfg) / LATEST
    if not latest.exists():
        raise TokenizerNotFoundError(f"no tokenizer trained yet in {tokenizer_dir(cfg)}: run train_tokenizer "
                                     "first (or set tokenizer.version / tokenizer.dir)")
    return latest.read_text(encoding="utf-8").strip()


def load_artifact(cfg: PipelineConfig, version: str | None = None) -> tuple[str, str, dict]:
    """(version, tokenizer.json text, metadata) of `version` (default: `resolve_version`)."""
    version = version or resolve_version(cfg)
    folder = tokenizer_dir(cfg) / version
    if not (folder / "tokenizer.json").exists():
        raise TokenizerNotFoundError(f"tokenizer.version={version!r} not found in {tokenizer_dir(cfg)}")
    return (version, (folder / "tokenizer.json").read_text(encoding="utf-8"),
            json.loads((folder / "metadata.json").read_text(encoding="utf-8")))


def _write_atomic(path: Path, text: str) -> None:
    # Write then rename: a reader (another job) never sees half a tokenizer.json.
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
