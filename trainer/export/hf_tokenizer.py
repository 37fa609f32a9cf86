"""Our `tokenizer.json` as a `transformers` fast tokenizer folder, special tokens named.

`tokenizer_config.json` + `special_tokens_map.json` are what `AutoTokenizer.from_pretrained`
reads besides `tokenizer.json`; the tokenizer file itself is copied byte for byte, so the ids
are exactly those the chunks were tokenised with.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conf.schema import PipelineConfig


def special_tokens(cfg: PipelineConfig, tokenizer) -> dict[str, str]:
    """{'bos_token': ..., 'eos_token': ..., 'pad_token': ...} for the tokens this tokenizer has."""
    tc = cfg.tokenizer
    names = {"bos_token": tc.bos_token, "eos_token": tc.eos_token, "pad_token": tc.pad_token}
    return {k: v for k, v in names.items() if v and tokenizer.token_to_id(v) is not None}


def special_ids(cfg: PipelineConfig, tokenizer) -> dict[str, int | None]:
    """{'bos': id, 'eos': id, 'pad': id} (None for a token the tokenizer lacks)."""
    found = special_tokens(cfg, tokenizer)
    return {k: tokenizer.token_to_id(found[f"{k}_token"]) if f"{k}_token" in found else None
            for k in ("bos", "eos", "pad")}


def write_tokenizer(cfg: PipelineConfig, tokenizer_json: Path, tokenizer, out: Path, seq_len: int) -> None:
    """tokenizer.json, tokenizer_config.json and special_tokens_map.json into `out`."""
    shutil.copyfile(tokenizer_json, out / "tokenizer.json")
    specials = special_tokens(cfg, tokenizer)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **specials,
        "model_max_length": seq_len,
        # Training text is encoded without added specials (tokenize_docs); decoding must not
        # rewrite spaces around punctuation either.
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps(specials, indent=2, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
