"""One chunk of `blocks` at a pinned Delta version: its stream order, block ids, categories, rows.

The chunk is partition `chunk_id = k` of `blocks`. Its Parquet row groups are the read units:
the files (sorted by path, so the order depends only on the pinned version) are split into row
groups, and a seeded permutation of those units (seed, chunk id) gives the stream order. The
mix job already interleaves documents within its blocks, so a unit shuffle is all the loader
adds; it costs nothing at read time and keeps every read sequential inside a row group.

Opening a chunk reads only the small columns (block_id, doc_categories) of every unit:
O(blocks + spans), 8 bytes per block id kept (1/1000 of the token bytes at seq_len 2048).
Reading rows hands on record batches of `read_blocks` rows, but Arrow's Parquet reader decodes a
row group at a time (measured: ~3x a row group's bytes resident while it is read, buffered
stream or not). So reader memory follows the writer's row-group size (Spark: parquet.block.size,
128 MB by default; delta-rs: one group per file here), never the number of blocks in the chunk.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tables.delta_rs import arrow_dataset

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

READ_COLUMNS = ["block_id", "tokens", "doc_starts", "doc_lengths", "doc_categories"]


@dataclass(frozen=True)
class ChunkLayout:
    """A chunk's blocks in stream order at one `blocks` version."""

    chunk_id: int
    version: int
    units: list[ds.ParquetFileFragment]
    """One fragment per row group, in stream order."""
    unit_starts: np.ndarray
    """(n_units + 1,) stream row where each unit begins; the last entry is the block count."""
    block_ids: np.ndarray
    """(n_blocks,) int64 block id of every stream row."""
    categories: list[str]
    """Sorted distinct doc categories of the chunk: category id i means categories[i]."""
    digest: str
    """Hash of the files and row-group sizes: a different value means different data."""

    @property
    def n_blocks(self) -> int:
        return int(self.unit_starts[-1])


def unit_order(n_units: int, seed: int, chunk_id: int) -> np.ndarray:
    """Seeded permutation of a chunk's row groups (the same on every rank and every resume)."""
    return np.random.default_rng([seed, chunk_id]).permutation(n_units)


def open_chunk(cfg: PipelineConfig, chunk_id: int, version: int, seed: int, read_buffer_bytes: int) -> ChunkLayout:
    """Lay out chunk `chunk_id` of `blocks` at `version`; an empty layout if the partition holds no rows."""
    dataset = arrow_dataset(cfg, "blocks", version, file_pruning_predicate=[("chunk_id", "=", str(chunk_id))])
    files = sorted(dataset.get_fragments(), key=lambda f: f.path)
    groups = [g for f in files for g in f.split_by_row_group()]
    order = unit_order(len(groups), seed, chunk_id)
    units = [groups[i] for i in order]
    options = scan_options(read_buffer_bytes)
    ids, cats, sizes = [], set(), []
    for unit in units:
        table = unit.to_table(columns=["block_id", "doc_categories"], fragment_scan_options=options)
        ids.append(table.column("block_id").to_numpy())
        cats.update(pc.unique(pc.list_flatten(table.column("doc_categories"))).to_pylist())
        sizes.append(table.num_rows)
    unit_starts = np.zeros(len(units) + 1, dtype=np.int64)
    np.cumsum(sizes, out=unit_starts[1:])
    digest = hashlib.sha256(repr([(f.path, [g.num_rows for g in f.row_groups]) for f in files]).encode())
    return ChunkLayout(chunk_id=chunk_id, version=version, units=units, unit_starts=unit_starts,
                       block_ids=np.concatenate(ids) if ids else np.zeros(0, np.int64),
                       categories=sorted(cats), digest=digest.hexdigest()[:16])


def scan_options(read_buffer_bytes: int) -> ds.ParquetFragmentScanOptions:
    """Read column data through a buffer instead of pre-buffering whole column chunks."""
    return ds.ParquetFragmentScanOptions(use_buffered_stream=True, buffer_size=read_buffer_bytes,
                                         pre_buffer=False)


def read_rows(layout: ChunkLayout, rows: np.ndarray, read_blocks: int,
              read_buffer_bytes: int) -> Iterator[pa.RecordBatch]:
    """The record batches (READ_COLUMNS) of stream rows `rows` (sorted ascending), in that order.

    Units before the first wanted row are not opened; inside a unit, rows before it are decoded
    and dropped (at most one unit per range end).
    """
    if len(rows) == 0:
        return
    options = scan_options(read_buffer_bytes)
    first = int(np.searchsorted(layout.unit_starts, rows[0], side="right")) - 1
    last = int(np.searchsorted(layout.unit_starts, rows[-1], side="right")) - 1
    for u in range(first, last + 1):
        at = int(layout.unit_starts[u])
        lo, hi = np.searchsorted(rows, [at, layout.unit_starts[u + 1]])
        wanted = rows[lo:hi]
        if len(wanted) == 0:
            continue
        for batch in layout.units[u].to_batches(columns=READ_COLUMNS, batch_size=read_blocks,
                                                fragment_scan_options=options, use_threads=False):
            a, b = np.searchsorted(wanted, [at, at + batch.num_rows])
            if b > a:
                local = wanted[a:b] - at
                if local[-1] - local[0] + 1 == len(local):  # contiguous: a zero-copy slice
                    yield batch.slice(int(local[0]), len(local))
                else:
                    yield batch.take(pa.array(local))
            at += batch.num_rows
            if at >= wanted[-1] + 1:
                break
