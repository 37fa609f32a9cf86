"""The trainer's data loader: ready chunks of `blocks`, read with delta-rs, as model-ready batches.

Algorithm, per chunk (one data-parallel rank; W ranks, B = train.local_batch_size, L = seq_len):
  1. pick: rank 0 asks `chunks` for the next trainable chunk after the current one and pins the
     newest `blocks` version; every rank receives (chunk, version, excluded blocks) through one
     broadcast, so all ranks read the same data. No chunk ready: wait `poll_seconds` and ask
     again (one log line per wait), until `max_wait_seconds`.
  2. lay out: the chunk's row groups in a seeded order, with each row's block id (chunk.py).
  3. shard: W contiguous equal ranges of whole batches, excluded blocks left out (sharding.py).
  4. read + prepare in a background thread: record batches of this rank's rows -> tokens and doc
     spans -> inputs, shifted labels, positions, category ids (batches.py), B rows per batch,
     at most `prefetch_batches` batches ahead (prefetch.py).
  5. yield ({"input", "positions", "category_ids"}: Long[B, L], labels: Long[B, L]).

Cost: per chunk, one read of the block_id and doc_categories columns (O(blocks + spans)) and
one broadcast; per batch, reading B(L + 1) int32 tokens and ~10 vectorised numpy passes over
B * L int64 (no per-token Python). Memory: the row group being decoded (chunk.py), the prepared
record batches the queued batches still point into, at most (prefetch_batches + 2) * read_blocks
* L * 32 bytes, and 8 bytes per block of the open chunk for its block ids; not the chunk's tokens.

Resume: `state_dict()` holds chunk id, pinned version, batches yielded, seed, dp rank and world,
batch size, seq_len, the chunk's fingerprint and its excluded blocks (state.py); after
`load_state_dict()` the same iterator continues from there, so a resumed run sees the batches an
uninterrupted one would have seen.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import torch

from conf import ConfigError
from tables.chunk_lifecycle import next_trainable
from tables.delta_rs import open_table
from trainer.data.batches import Prepared, from_arrow, prepare
from trainer.data.chunk import ChunkLayout, open_chunk, read_rows
from trainer.data.prefetch import Prefetcher
from trainer.data.sharding import Shard, shard_rows
from trainer.data.state import (
    FORMAT_VERSION, DataParallelMismatchError, LoaderState, StateFormatError, TableVersionError, check_chunk,
    check_run, rank_key)

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

log = logging.getLogger("flywheel.trainer.data")

Batch = tuple[dict[str, torch.Tensor], torch.Tensor]
# (chunk_id, version, excluded block ids) as rank 0 decided it, or None: no chunk ready.
Choice = tuple[int, int, list[int]] | None


def agree_from_rank0(decide: Callable[[], Any]) -> Any:
    """Run `decide` on global rank 0 and return its result on every rank (identity without a process group)."""
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return decide()
    box = [decide() if dist.get_rank() == 0 else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def check_config(cfg: PipelineConfig) -> None:
    """Raise ConfigError naming the first loader setting out of range."""
    d = cfg.train.data
    for key, value in (("train.local_batch_size", cfg.train.local_batch_size), ("mix.seq_len", cfg.mix.seq_len),
                       ("train.data.prefetch_batches", d.prefetch_batches), ("train.data.read_blocks", d.read_blocks),
                       ("train.data.read_buffer_bytes", d.read_buffer_bytes)):
        if value < 1:
            raise ConfigError(f"{key} must be at least 1, got {value}")
    if d.poll_seconds <= 0:
        raise ConfigError(f"train.data.poll_seconds must be positive, got {d.poll_seconds}")
    if d.max_wait_seconds is not None and d.max_wait_seconds < 0:
        raise ConfigError(f"train.data.max_wait_seconds must be null or >= 0, got {d.max_wait_seconds}")


class BlockLoader:
    """Batches of this rank's share of each ready chunk, in order; see the module docstring.

    After each yielded batch: `chunk_id`, `version` (pinned `blocks` version), `categories`
    (names of the batch's category ids), `last_block_ids` ([(chunk_id, block_id)] of its rows),
    `chunk_began` / `chunk_ended` (it is the first / last batch of its chunk on every rank).
    """

    def __init__(self, cfg: PipelineConfig, *, dp_rank: int = 0, dp_world_size: int = 1,
                 exclusions: Callable[[int], Iterable[int]] | None = None,
                 agree: Callable[[Callable[[], Any]], Any] = agree_from_rank0):
        """`exclusions(chunk_id)`: block ids to leave out when a chunk is opened (e.g. the run's
        `excluded_docs` rows); it runs on rank 0 only. `agree`: runs a decision on one rank and
        returns it on all (tests of one process stand in several ranks with the default)."""
        if not 0 <= dp_rank < dp_world_size:
            raise ValueError(f"dp rank {dp_rank} is outside a dp world of {dp_world_size}")
        check_config(cfg)
        self.cfg = cfg
        self.data = cfg.train.data
        self.batch_size = cfg.train.local_batch_size
        self.seed = cfg.train.seed
        self.seq_len = cfg.mix.seq_len
        self.dp_rank, self.dp_world_size = dp_rank, dp_world_size
        self._exclusions = exclusions
        self._agree = agree
        self._layout: ChunkLayout | None = None
        self._shard: Shard | None = None
        self._excluded = np.zeros(0, dtype=np.int64)
        self._position = 0
        self._prefetch: Prefetcher | None = None  # closed (None) by load_state_dict: iteration restarts there
        self.chunk_id: int | None = None
        self.version: int | None = None
        self.categories: list[str] = []
        self.last_block_ids: list[tuple[int, int]] = []
        self.chunk_began = self.chunk_ended = False

    # ---- iteration ---------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Batch]:
        return self._batches()

    def _batches(self) -> Iterator[Batch]:
        self._close_prefetch()  # a new iterator starts from the consumed position, not the prefetched one
        try:
            while True:
                if self._shard is None or self._position >= self._shard.steps:
                    if not self._advance():
                        return
                if self._prefetch is None:
                    self._prefetch = Prefetcher(self._produce(self._layout, self._shard, self._position),
                                                self.data.prefetch_batches)
                try:
                    item = next(self._prefetch)
                except StopIteration:
                    raise RuntimeError(f"chunk {self._layout.chunk_id}: the reader ended before batch "
                                       f"{self._position + 1} of {self._shard.steps}") from None
                yield self._consume(item)
        finally:  # the consumer stopped early (break, error, garbage collection): stop the thread too
            self._close_prefetch()

    def _consume(self, item: tuple) -> Batch:
        """Record what the batch is (chunk, blocks, first/last of its chunk) and hand it on."""
        inputs, labels, block_ids = item
        self.chunk_began = self._position == 0
        self._position += 1
        self.chunk_ended = self._position == self._shard.steps
        self.chunk_id, self.version = self._layout.chunk_id, self._layout.version
        self.categories = list(self._layout.categories)
        self.last_block_ids = [(self._layout.chunk_id, int(b)) for b in block_ids]
        return inputs, labels

    def _produce(self, layout: ChunkLayout, shard: Shard, position: int) -> Iterator[tuple]:
        """(inputs, labels, block_ids) of this rank's batches from `position` to the chunk's end."""
        block_len, size = self.seq_len + 1, self.batch_size
        categories = pa.array(layout.categories, pa.string())
        carry: list[tuple[Prepared, np.ndarray]] = []  # rows of a batch split over two record batches
        for record in read_rows(layout, shard.rows[position * size:], self.data.read_blocks,
                                self.data.read_buffer_bytes):
            tokens, spans = from_arrow(record, block_len, categories)
            part, ids = prepare(tokens, spans), record.column("block_id").to_numpy()
            start = 0
            if carry:
                start = min(size - sum(len(i) for _, i in carry), len(ids))
                carry.append((_rows(part, 0, start), ids[:start]))
                if sum(len(i) for _, i in carry) < size:
                    continue
                yield _as_batch(_concat([p for p, _ in carry]), np.concatenate([i for _, i in carry]))
                carry = []
            while start + size <= len(ids):
                yield _as_batch(_rows(part, start, start + size), ids[start:start + size])
                start += size
            if start < len(ids):
                carry = [(_rows(part, start, len(ids)), ids[start:])]
        if carry:
            raise RuntimeError(f"chunk {layout.chunk_id}: a partial batch was left over; the shard is not whole "
                               "batches (a bug in trainer/data/sharding.py)")

    # ---- chunks ------------------------------------------------------------------------------
    def _advance(self) -> bool:
        """Open the next trainable chunk (waiting for one); False when the wait ran out."""
        self._close_prefetch()
        after = self._layout.chunk_id if self._layout is not None else None
        waited, limit, poll = 0.0, self.data.max_wait_seconds, self.data.poll_seconds
        logged = False
        while True:
            choice: Choice = self._agree(lambda: self._decide(after))
            if choice is not None:
                chunk_id, version, excluded = choice
                if self._open(chunk_id, version, np.asarray(excluded, dtype=np.int64)):
                    return True
                after, waited, logged = chunk_id, 0.0, False
                continue
            if limit is not None and waited >= limit:
                log.warning("loader: no chunk became ready after chunk %s within %ss "
                            "(train.data.max_wait_seconds); stopping", after, limit)
                return False
            if not logged:
                log.warning("loader: no ready chunk after chunk %s yet (the mix job may still be building it); "
                            "looking again every %ss%s", after, poll,
                            "" if limit is None else f" for up to {limit}s")
                logged = True
            time.sleep(poll)
            waited += poll

    def _decide(self, after: int | None) -> Choice:
        """Rank 0's pick: the next trainable chunk, the newest `blocks` version and its exclusions."""
        chunk_id = next_trainable(self.cfg, after=after)
        if chunk_id is None:
            return None
        excluded = sorted(int(b) for b in self._exclusions(chunk_id)) if self._exclusions else []
        return chunk_id, open_table(self.cfg, "blocks").version(), excluded

    def _open(self, chunk_id: int, version: int, excluded: np.ndarray) -> bool:
        """Lay out and shard chunk `chunk_id` at `version` from its start; False (logged) when it has no whole
        global batch."""
        layout = open_chunk(self.cfg, chunk_id, version, self.seed, self.data.read_buffer_bytes)
        shard = shard_rows(layout.block_ids, excluded, self.dp_rank, self.dp_world_size, self.batch_size)
        if shard.steps == 0:
            log.warning("loader: chunk %d at blocks version %d has %d blocks (%d excluded), fewer than one "
                        "global batch of %d x %d ranks; skipping it", chunk_id, version, layout.n_blocks,
                        shard.excluded, self.batch_size, self.dp_world_size)
            return False
        self._layout, self._shard, self._excluded, self._position = layout, shard, np.sort(excluded), 0
        log.info("loader: chunk %d at blocks version %d: %d blocks, %d excluded, %d steps of %d blocks x %d ranks, "
                 "%d left over", chunk_id, version, layout.n_blocks, shard.excluded, shard.steps, self.batch_size,
                 self.dp_world_size, shard.left_over)
        return True

    # ---- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, dict]:
        """`{"dp_rank_<r>": LoaderState}` of the batches yielded so far (not of those prefetched)."""
        layout = self._layout
        state = LoaderState(
            format_version=FORMAT_VERSION, chunk_id=layout.chunk_id if layout else None,
            table_version=layout.version if layout else None, position=self._position, seed=self.seed,
            dp_rank=self.dp_rank, dp_world_size=self.dp_world_size, batch_size=self.batch_size,
            seq_len=self.seq_len, n_blocks=layout.n_blocks if layout else 0, digest=layout.digest if layout else "",
            excluded=[int(b) for b in self._excluded])
        return {rank_key(self.dp_rank): state.to_dict()}

    def load_state_dict(self, state_dict: dict[str, dict]) -> None:
        """Resume from `state_dict()` output; raises a LoaderStateError subclass naming any mismatch."""
        key = rank_key(self.dp_rank)
        if not isinstance(state_dict, dict) or key not in state_dict:
            held = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise DataParallelMismatchError(
                f"loader state holds {held}, not {key!r} (dp rank {self.dp_rank} of {self.dp_world_size}): resume "
                "with the run's number of data-parallel ranks")
        saved = LoaderState.from_dict(state_dict[key])
        check_run(saved, seed=self.seed, dp_rank=self.dp_rank, dp_world_size=self.dp_world_size,
                  batch_size=self.batch_size, seq_len=self.seq_len)
        self._close_prefetch()
        if saved.chunk_id is None:
            self._layout, self._shard, self._excluded, self._position = None, None, np.zeros(0, np.int64), 0
            return
        from deltalake.exceptions import DeltaError

        try:
            layout = open_chunk(self.cfg, saved.chunk_id, saved.table_version, self.seed, self.data.read_buffer_bytes)
        except DeltaError as error:  # delta-rs: the log holds no such version
            raise TableVersionError(
                f"blocks version {saved.table_version} (chunk {saved.chunk_id}) cannot be read: {error}; restore "
                "the table's history or restart from an earlier checkpoint") from error
        check_chunk(saved, layout.n_blocks, layout.digest)
        excluded = np.asarray(saved.excluded, dtype=np.int64)
        shard = shard_rows(layout.block_ids, excluded, self.dp_rank, self.dp_world_size, self.batch_size)
        if saved.position > shard.steps:
            raise StateFormatError(f"loader state is at batch {saved.position} of chunk {saved.chunk_id}, which has "
                                   f"{shard.steps}: the checkpoint is damaged")
        self._layout, self._shard, self._excluded, self._position = layout, shard, excluded, saved.position

    def close(self) -> None:
        """Stop the prefetch thread (also done on load_state_dict and at each chunk change)."""
        self._close_prefetch()

    def _close_prefetch(self) -> None:
        if self._prefetch is not None:
            self._prefetch.close()
            self._prefetch = None


def _rows(part: Prepared, start: int, stop: int) -> Prepared:
    return Prepared(part.inputs[start:stop], part.labels[start:stop], part.positions[start:stop],
                    part.category_ids[start:stop])


def _concat(parts: list[Prepared]) -> Prepared:
    return Prepared(*(np.concatenate([getattr(p, f) for p in parts])
                      for f in ("inputs", "labels", "positions", "category_ids")))


def _as_batch(part: Prepared, block_ids: np.ndarray) -> tuple:
    # from_numpy shares the (B, L) slices with the record batch's arrays: no copy per batch.
    inputs = {"input": torch.from_numpy(part.inputs), "positions": torch.from_numpy(part.positions),
              "category_ids": torch.from_numpy(part.category_ids)}
    return inputs, torch.from_numpy(part.labels), block_ids
