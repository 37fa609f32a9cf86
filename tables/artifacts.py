"""Where the warehouse keeps files that are not tables (tokenizer artifacts), for every engine.

The tokenizer job writes them and the trainer reads them; both ask this module, so the folder
rule exists once and the trainer needs no import of the jobs.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from conf.errors import UserError

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

TOKENIZERS = "_tokenizers"


class ArtifactLocationError(UserError, ValueError):
    """The warehouse is an object store and no local folder was configured for artifacts."""


def tokenizer_dir(cfg: PipelineConfig) -> Path:
    """Folder holding the tokenizer versions: `tokenizer.dir`, else `<warehouse>/_tokenizers`."""
    if cfg.tokenizer.dir:
        return Path(cfg.tokenizer.dir).expanduser().resolve()
    warehouse = cfg.spark.warehouse.removeprefix("file:")
    if "://" in warehouse:
        raise ArtifactLocationError(
            f"spark.warehouse={cfg.spark.warehouse!r} is not a local folder: set tokenizer.dir to a "
            "local or shared-filesystem folder for the tokenizer artifacts")
    return (Path(warehouse) / TOKENIZERS).resolve()
