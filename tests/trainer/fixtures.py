"""Real Delta `blocks` and `chunks` tables for trainer tests, written with delta-rs (no Spark).

Blocks are packed the way the mix job packs them (udfs/packing.plan_pieces): documents (EOS
included) laid end to end and cut every `seq_len + 1` tokens, each block keeping its doc spans
(owner, start, length, offset inside the document, category). The tail that does not fill a
whole block is left out, as mix leaves out the trimmed tail of a chunk.

Synthetic documents are learnable: each category has a fixed random successor map over the
vocabulary, and a document walks it from a random first token (x[t+1] = succ[category][x[t]]),
so a model that learns the bigram table drives the loss from ln(vocab) towards 0.

Typical use in a test (`cfg` from tests/conftest.py gives an empty warehouse):

    cfg = replace(cfg, ["mix.seq_len=64"])
    chunks = write_synthetic_chunks(cfg, n_chunks=2, blocks_per_chunk=16, vocab_size=256, seed=7)
    chunks[0].blocks            # the pa.Table written for chunk 0 (rows in block_id order)
    chunks[0].docs              # the documents it was packed from, to compute expectations

`Doc` lists can also be made from given token arrays (`docs_from_arrays`), and one block can be
swapped for garbage tokens (`replace_block`) to place a loss spike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tables.catalog import BLOCKS, CHUNKS
from tables.delta_rs import append, read_arrow
from udfs.packing import plan_pieces

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

EOS_ID = 0
"""Token id that ends every synthetic document; successor maps never produce it."""
DEFAULT_CATEGORIES = ("code", "web")


@dataclass(frozen=True)
class Doc:
    """One document occurrence: its id, int32 tokens (EOS included) and category."""

    doc_id: str
    tokens: np.ndarray
    category: str


@dataclass(frozen=True)
class FixtureChunk:
    """A chunk as written: its id, the blocks rows, the documents and the `blocks` version after the write."""

    chunk_id: int
    blocks: pa.Table
    docs: list[Doc]
    """Documents with at least one token in the chunk, in stream order (the last may be cut short)."""
    version: int


def docs_from_arrays(arrays: Sequence[Sequence[int]], categories: Sequence[str] | None = None,
                     prefix: str = "doc") -> list[Doc]:
    """Documents `<prefix>-<i>` holding the given token arrays as they are (append an EOS yourself)."""
    categories = list(categories) if categories is not None else [DEFAULT_CATEGORIES[0]] * len(arrays)
    if len(categories) != len(arrays):
        raise ValueError(f"{len(arrays)} token arrays but {len(categories)} categories")
    return [Doc(f"{prefix}-{i}", np.asarray(a, dtype=np.int32), c) for i, (a, c) in enumerate(zip(arrays, categories))]


def successor_maps(vocab_size: int, categories: Sequence[str], seed: int) -> dict[str, np.ndarray]:
    """Per category a (vocab_size,) map token -> next token over 1..vocab_size-1 (never EOS)."""
    rng = np.random.default_rng(seed)
    maps = {}
    for category in sorted(categories):
        succ = np.zeros(vocab_size, dtype=np.int32)
        succ[1:] = rng.permutation(np.arange(1, vocab_size, dtype=np.int32))
        succ[0] = 1  # EOS is never walked from; the entry only keeps the map total
        maps[category] = succ
    return maps


def synthetic_docs(n_docs: int, *, vocab_size: int, seed: int, categories: Sequence[str] = DEFAULT_CATEGORIES,
                   min_tokens: int = 8, max_tokens: int = 96, prefix: str | None = None,
                   map_seed: int = 0) -> list[Doc]:
    """`n_docs` learnable documents of min_tokens..max_tokens tokens (EOS included), categories drawn evenly.

    `map_seed` fixes the successor maps (keep it equal across chunks so later chunks teach the
    same table); `seed` draws lengths, categories and first tokens.
    """
    if vocab_size < 3 or min_tokens < 2 or max_tokens < min_tokens:
        raise ValueError("need vocab_size >= 3 and 2 <= min_tokens <= max_tokens")
    maps = successor_maps(vocab_size, categories, map_seed)
    table = np.stack([maps[c] for c in sorted(categories)])  # (n_categories, vocab_size)
    rng = np.random.default_rng(seed)
    cat_idx = rng.integers(len(categories), size=n_docs)
    lengths = rng.integers(min_tokens, max_tokens + 1, size=n_docs)
    # Walk every document at once, one step per column: (n_docs, max_tokens) ids, cut to length below.
    walk = np.empty((n_docs, max_tokens), dtype=np.int32)
    walk[:, 0] = rng.integers(1, vocab_size, size=n_docs)
    for t in range(1, max_tokens):
        walk[:, t] = table[cat_idx, walk[:, t - 1]]
    walk[np.arange(n_docs), lengths - 1] = EOS_ID
    names = sorted(categories)
    prefix = prefix if prefix is not None else f"syn{seed}"
    return [Doc(f"{prefix}-{i}", walk[i, :lengths[i]].copy(), names[cat_idx[i]]) for i in range(n_docs)]


def pack_blocks(docs: Sequence[Doc], seq_len: int, chunk_id: int, n_blocks: int | None = None) -> pa.Table:
    """The `blocks` rows (block_id order) of `docs` laid end to end and cut every seq_len + 1 tokens.

    Makes `n_blocks` blocks (default: as many as are full); tokens past them are left out. A
    ValueError when the documents hold fewer tokens than that.
    """
    block_len = seq_len + 1
    lengths = np.array([len(d.tokens) for d in docs], dtype=np.int64)
    full = int(lengths.sum()) // block_len
    n_blocks = full if n_blocks is None else n_blocks
    if n_blocks == 0 or n_blocks > full:
        raise ValueError(f"{int(lengths.sum())} tokens fill {full} blocks of {block_len}, "
                         f"{max(n_blocks, 1)} wanted")
    # Trim the stream to whole blocks: drop whole documents past the end, cut the last one.
    keep = int(np.searchsorted(np.cumsum(lengths), n_blocks * block_len, side="left")) + 1
    lengths = lengths[:keep].copy()
    lengths[-1] -= int(lengths.sum()) - n_blocks * block_len
    stream = np.concatenate([d.tokens for d in docs[:keep]])[: n_blocks * block_len]
    pieces = plan_pieces(lengths, block_len)
    doc_ids = pa.array([d.doc_id for d in docs[:keep]], pa.string())
    cats = pa.array([d.category for d in docs[:keep]], pa.string())
    schema = BLOCKS.arrow_schema()
    span_offsets = pa.array(np.searchsorted(pieces.block, np.arange(n_blocks + 1)), pa.int32())
    token_offsets = pa.array(np.arange(n_blocks + 1) * block_len, pa.int32())
    doc = pa.array(pieces.doc)

    def lists(offsets: pa.Array, values: pa.Array, name: str) -> pa.Array:
        return pa.ListArray.from_arrays(offsets, values, type=schema.field(name).type)

    return pa.Table.from_arrays([
        pa.array(np.full(n_blocks, chunk_id), pa.int32()),
        pa.array(np.arange(n_blocks), pa.int64()),
        lists(token_offsets, pa.array(stream, pa.int32()), "tokens"),
        lists(span_offsets, doc_ids.take(doc), "doc_ids"),
        lists(span_offsets, pa.array(pieces.start, pa.int32()), "doc_starts"),
        lists(span_offsets, pa.array(pieces.length, pa.int32()), "doc_lengths"),
        lists(span_offsets, pa.array(pieces.doc_offset, pa.int32()), "doc_offsets"),
        lists(span_offsets, cats.take(doc), "doc_categories"),
    ], schema=schema)


def replace_block(blocks: pa.Table, block_id: int, tokens: Sequence[int], doc_id: str = "garbage",
                  category: str = DEFAULT_CATEGORIES[0]) -> pa.Table:
    """`blocks` with block `block_id` replaced by one document `doc_id` holding `tokens` (seq_len + 1 ids)."""
    rows = blocks.to_pylist()
    index = [r["block_id"] for r in rows].index(block_id)
    if len(tokens) != len(rows[index]["tokens"]):
        raise ValueError(f"block {block_id} holds {len(rows[index]['tokens'])} tokens, got {len(tokens)}")
    rows[index] = {**rows[index], "tokens": [int(t) for t in tokens], "doc_ids": [doc_id], "doc_starts": [0],
                   "doc_lengths": [len(tokens)], "doc_offsets": [0], "doc_categories": [category]}
    return pa.Table.from_pylist(rows, schema=blocks.schema)


def garbage_tokens(seq_len: int, vocab_size: int, seed: int) -> np.ndarray:
    """seq_len + 1 uniform random ids in 1..vocab_size-1: unlearnable, a loss spike in a trained model."""
    return np.random.default_rng(seed).integers(1, vocab_size, seq_len + 1).astype(np.int32)


def chunk_row(chunk_id: int, blocks: pa.Table, seq_len: int, status: str, seed: int) -> dict:
    """The `chunks` row describing `blocks` (shares as the categories came, no shortfall)."""
    cats = pc.list_flatten(blocks.column("doc_categories")).to_pylist()
    lengths = pc.list_flatten(blocks.column("doc_lengths")).to_numpy()
    shares = {c: 0 for c in sorted(set(cats))}
    for c, n in zip(cats, lengths):
        shares[c] += int(n)
    total = blocks.num_rows * (seq_len + 1)
    return {"chunk_id": chunk_id, "tokens": total, "blocks": blocks.num_rows, "target_shares": json.dumps({}),
            "achieved_shares": json.dumps({c: round(n / total, 6) for c, n in shares.items()}, sort_keys=True),
            "status": status, "seed": seed, "tokenizer_version": "fixture", "checkpoint": None, "seq_len": seq_len,
            "shortfall": json.dumps({}), "repetition": json.dumps({}), "usage_version": 0, "step": None, "loss": None}


def write_chunk(cfg: PipelineConfig, blocks: pa.Table, *, status: str = "ready", seed: int = 0,
                rows_per_file: int | None = None) -> int:
    """Append `blocks` (one chunk) to `blocks` and its row to `chunks`; returns the `blocks` version.

    `rows_per_file` splits the chunk into several Parquet files (one append each), as a Spark
    job writes one file per task; None writes one file.
    """
    chunk_ids = set(blocks.column("chunk_id").to_pylist())
    if len(chunk_ids) != 1:
        raise ValueError(f"write_chunk takes the blocks of one chunk, got chunk ids {sorted(chunk_ids)}")
    seq_len = len(blocks.column("tokens")[0]) - 1
    step = rows_per_file or blocks.num_rows
    version = 0
    for start in range(0, blocks.num_rows, step):
        version = append(cfg, "blocks", blocks.slice(start, step))
    row = chunk_row(chunk_ids.pop(), blocks, seq_len, status, seed)
    append(cfg, "chunks", pa.Table.from_pylist([row], schema=CHUNKS.arrow_schema()))
    return version


def write_synthetic_chunks(cfg: PipelineConfig, n_chunks: int, *, blocks_per_chunk: int, vocab_size: int,
                           seed: int, seq_len: int | None = None, categories: Sequence[str] = DEFAULT_CATEGORIES,
                           first_chunk_id: int = 0, status: str = "ready", min_tokens: int = 8,
                           max_tokens: int = 96, rows_per_file: int | None = None) -> list[FixtureChunk]:
    """Write `n_chunks` chunks of exactly `blocks_per_chunk` blocks of learnable documents.

    `seq_len` defaults to `cfg.mix.seq_len`; chunk k draws its documents with seed `seed + k` and
    shares one successor map per category with every other chunk.
    """
    seq_len = seq_len if seq_len is not None else cfg.mix.seq_len
    out = []
    for k in range(first_chunk_id, first_chunk_id + n_chunks):
        need = blocks_per_chunk * (seq_len + 1)
        n_docs = need // min_tokens + 1  # enough even if every document is as short as allowed
        docs = synthetic_docs(n_docs, vocab_size=vocab_size, seed=seed + k, categories=categories,
                              min_tokens=min_tokens, max_tokens=max_tokens, prefix=f"c{k}s{seed}")
        blocks = pack_blocks(docs, seq_len, k, n_blocks=blocks_per_chunk)
        version = write_chunk(cfg, blocks, status=status, seed=seed, rows_per_file=rows_per_file)
        used = set(pc.list_flatten(blocks.column("doc_ids")).to_pylist())
        out.append(FixtureChunk(k, blocks, [d for d in docs if d.doc_id in used], version))
    return out


def read_blocks(cfg: PipelineConfig, chunk_id: int) -> pa.Table:
    """The `blocks` rows of chunk `chunk_id` as stored now, in block_id order (for assertions)."""
    table = read_arrow(cfg, "blocks", filters=[("chunk_id", "=", chunk_id)])
    return table.sort_by("block_id")
