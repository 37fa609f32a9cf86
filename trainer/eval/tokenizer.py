"""The project's tokenizer for eval: the artifact the chunks were tokenised with (tables/artifacts.py)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from conf.errors import UserError
from conf.schema import PipelineConfig
from tables.artifacts import tokenizer_dir


@dataclass(frozen=True)
class EvalTokenizer:
    """`tokenizers.Tokenizer` plus the EOS id that ends every training document."""

    tokenizer: object
    eos_id: int
    version: str

    def encode(self, text: str) -> list[int]:
        """Token ids of `text` (no special tokens added, as tokenize_docs encodes)."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def load_tokenizer(cfg: PipelineConfig, version: str) -> EvalTokenizer:
    """`<tokenizer dir>/<version>/tokenizer.json` and the EOS id of its metadata.json."""
    from tokenizers import Tokenizer

    folder = tokenizer_dir(cfg) / version
    if not (folder / "tokenizer.json").is_file():
        raise UserError(f"tokenizer {version!r} has no {folder / 'tokenizer.json'}: evaluate with the warehouse "
                        "(or tokenizer.dir) the run was trained from")
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    return EvalTokenizer(Tokenizer.from_file(str(folder / "tokenizer.json")), int(meta["eos_id"]), version)
