"""The model's vocab size: the padded vocab of the tokenizer the chunks were tokenised with.

Reads `<tokenizer dir>/<version>/metadata.json` (written by train_tokenizer), the version being
the `tokenizer_version` of the chunks to train. The folder rule repeats
`spark_jobs/tokenizer_store.tokenizer_dir` because the trainer never imports spark_jobs.
"""
from __future__ import annotations

import json
from pathlib import Path

from conf.errors import UserError
from conf.schema import PipelineConfig

METADATA_FILE = "metadata.json"


class TokenizerMetadataError(UserError, FileNotFoundError):
    """The chunks name a tokenizer version whose artifact is not where the config points."""


def tokenizer_dir(cfg: PipelineConfig) -> Path:
    """`tokenizer.dir`, else `<spark.warehouse>/_tokenizers` (local or shared-filesystem folder)."""
    if cfg.tokenizer.dir:
        return Path(cfg.tokenizer.dir).expanduser().resolve()
    warehouse = cfg.spark.warehouse.removeprefix("file:")
    if "://" in warehouse:
        raise TokenizerMetadataError(
            f"spark.warehouse={cfg.spark.warehouse!r} is not a local folder: set tokenizer.dir to the "
            "folder holding the tokenizer artifacts")
    return (Path(warehouse) / "_tokenizers").resolve()


def padded_vocab_size(cfg: PipelineConfig, version: str) -> int:
    """Vocab size (special + BPE + domain + reserved, a multiple of tokenizer.vocab_multiple)."""
    path = tokenizer_dir(cfg) / version / METADATA_FILE
    if not path.is_file():
        raise TokenizerMetadataError(
            f"tokenizer {version!r} has no {path}: run `flywheel train_tokenizer` or set tokenizer.dir")
    size = int(json.loads(path.read_text(encoding="utf-8"))["vocab_size"])
    if size % cfg.tokenizer.vocab_multiple:
        raise TokenizerMetadataError(f"tokenizer {version!r} has vocab {size}, not a multiple of "
                                     f"tokenizer.vocab_multiple={cfg.tokenizer.vocab_multiple}")
    return size
