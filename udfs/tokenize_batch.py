"""Encode a batch of documents into int32 token ids with EOS appended (no Spark).

`encode_batch` is the whole per-document work of the tokenize stage: one call of the Rust
`encode_batch_fast` per Arrow batch, then numpy to lay the ids out as an Arrow
`list<int32>` with EOS spliced after every document, with no per-token Python.
"""
from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
from tokenizers import Tokenizer

_CACHE: dict[str, Tokenizer] = {}


def load_tokenizer(version: str, tokenizer_json: str, rayon_threads: int | None) -> Tokenizer:
    """The tokenizer `version`, parsed once per Python process (Spark reuses its workers).

    `rayon_threads` pins the Rust thread pool of `tokenizers` before its first use (it reads
    RAYON_NUM_THREADS once): Spark already runs one Python worker per core, so the default
    pool of one thread per core would oversubscribe the machine. None leaves it alone.
    """
    tok = _CACHE.get(version)
    if tok is None:
        if rayon_threads is not None:
            os.environ.setdefault("RAYON_NUM_THREADS", str(rayon_threads))
        tok = _CACHE[version] = Tokenizer.from_str(tokenizer_json)
    return tok


def encode_batch(texts: pa.Array | list[str | None], tokenizer: Tokenizer, eos_id: int) -> pa.ListArray:
    """Token ids of each text followed by `eos_id`, as `list<int32>` (null text → just EOS).

    Special tokens that appear in the text (the PII mask tokens) become their single ids.
    """
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        texts = texts.to_pylist()
    encodings = tokenizer.encode_batch_fast([t or "" for t in texts], add_special_tokens=False)
    # pyarrow converts the nested Python lists in C++; numpy then splices in the EOS ids.
    lists = pa.array([e.ids for e in encodings], type=pa.list_(pa.int32()))
    lengths = np.diff(lists.offsets.to_numpy())
    return append_eos(lists.values.to_numpy(zero_copy_only=False), lengths, eos_id)


def append_eos(flat: np.ndarray, lengths: np.ndarray, eos_id: int) -> pa.ListArray:
    """`list<int32>` whose i-th entry is `flat[doc i]` + [eos_id]; `lengths` (n,) splits `flat`."""
    n = len(lengths)
    out_offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths + 1, out=out_offsets[1:])
    values = np.empty(out_offsets[-1], dtype=np.int32)
    is_eos = np.zeros(len(values), dtype=bool)
    is_eos[out_offsets[1:] - 1] = True
    values[is_eos] = eos_id
    values[~is_eos] = flat
    return pa.ListArray.from_arrays(pa.array(out_offsets), pa.array(values))


def compression_stats(texts: list[str], tokenizer: Tokenizer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: (tokens without EOS, characters, UTF-8 bytes), each an int64 array (n,)."""
    encodings = tokenizer.encode_batch_fast(texts, add_special_tokens=False)
    tokens = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
    chars = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    n_bytes = np.fromiter((len(t.encode("utf-8")) for t in texts), dtype=np.int64, count=len(texts))
    return tokens, chars, n_bytes
