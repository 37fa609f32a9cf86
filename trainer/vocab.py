"""The model's vocab size: the padded vocab of the tokenizer the chunks were tokenised with.

Reads `<tokenizer dir>/<version>/metadata.json` (written by train_tokenizer), the version being
the `tokenizer_version` of the chunks to train; the folder comes from `tables.artifacts`, where
the tokenizer job finds it too.
"""
from __future__ import annotations

import json

from conf.errors import UserError
from conf.schema import PipelineConfig
from tables.artifacts import tokenizer_dir
from tables.chunk_lifecycle import read_chunks

METADATA_FILE = "metadata.json"


class TokenizerMetadataError(UserError, FileNotFoundError):
    """The chunks name a tokenizer version whose artifact is not where the config points."""


def chunks_tokenizer_version(cfg: PipelineConfig) -> str:
    """The one tokenizer version of the chunks to train (a run trains chunks of one tokenizer)."""
    versions = sorted({r["tokenizer_version"] for r in read_chunks(cfg)})
    if len(versions) != 1:
        raise UserError(f"the chunks table holds tokenizer versions {versions or 'none'}: one run trains "
                        "chunks of one tokenizer (start a new train.run_dir for another)")
    return versions[0]


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
