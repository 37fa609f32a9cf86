"""STAND-IN for trainer/data (the loader helper's) until it lands: the least the loop needs.

Reads each trainable chunk's blocks at the `blocks` version of the moment, in block_id order,
rank r taking blocks r, r + W, ...; every rank yields the same number of batches per chunk
(full batches only). Positions restart at every doc span; labels are the shifted tokens.
"""
from __future__ import annotations

import time

import numpy as np
import pyarrow.compute as pc
import torch

from conf.schema import PipelineConfig
from tables.chunk_lifecycle import next_ready
from tables.delta_rs import open_table
from trainer.lifecycle.exclusions import excluded_blocks


class StubLoader:
    def __init__(self, cfg: PipelineConfig, *, dp_rank: int, dp_world_size: int, run_id: str):
        self.cfg, self.rank, self.world, self.run_id = cfg, dp_rank, dp_world_size, run_id
        self.batch_size = cfg.train.local_batch_size
        self.done_chunk: int | None = None  # last chunk fully consumed
        self.chunk_id: int | None = None
        self.batch_index = 0
        self.last_block_ids: list[tuple[int, int]] = []
        self.categories: list[str] = []
        self.version: int | None = None
        self.chunk_began = self.chunk_ended = False

    def state_dict(self) -> dict:
        return {"done_chunk": self.done_chunk, "chunk_id": self.chunk_id, "batch_index": self.batch_index,
                "dp_world_size": self.world}

    def load_state_dict(self, state: dict) -> None:
        self.done_chunk, self.chunk_id, self.batch_index = state["done_chunk"], state["chunk_id"], state["batch_index"]
        self._batches = None

    _batches = None

    def __iter__(self):
        return self

    def __next__(self):
        if self.chunk_id is None or self._batches is None:
            self._open()
        if self.batch_index >= len(self._batches):
            self.done_chunk, self.chunk_id, self.batch_index = self.chunk_id, None, 0
            return next(self)
        inputs, labels, ids = self._batches[self.batch_index]
        self.chunk_began = self.batch_index == 0
        self.batch_index += 1
        self.chunk_ended = self.batch_index == len(self._batches)
        self.last_block_ids = ids
        return {k: v.clone() for k, v in inputs.items()}, labels.clone()

    def _open(self) -> None:
        if self.chunk_id is None:
            self.chunk_id = self._wait_ready()
            self.batch_index = 0
        table = open_table(self.cfg, "blocks")
        self.version = table.version()
        rows = table.to_pyarrow_table(filters=[("chunk_id", "=", self.chunk_id)]).sort_by("block_id")
        skip = excluded_blocks(self.cfg, chunk_id=self.chunk_id, run_id=self.run_id)
        rows = rows.filter(pc.invert(pc.is_in(rows["block_id"], value_set=__import__("pyarrow").array(sorted(skip), "int64"))))
        self.categories = sorted(set(pc.list_flatten(rows["doc_categories"]).to_pylist()))
        mine = rows.take(list(range(self.rank, rows.num_rows, self.world)))
        n_batches = rows.num_rows // (self.world * self.batch_size)
        self._batches = [self._batch(mine.slice(i * self.batch_size, self.batch_size)) for i in range(n_batches)]

    def _wait_ready(self) -> int:
        waited = 0.0
        while True:
            chunk = next_ready(self.cfg, after=self.done_chunk)
            if chunk is not None:
                return chunk
            limit = self.cfg.train.data.max_wait_seconds
            if limit is not None and waited >= limit:
                raise StopIteration
            print(f"loader: no ready chunk after {self.done_chunk}; waiting", flush=True)
            time.sleep(self.cfg.train.data.poll_seconds)
            waited += self.cfg.train.data.poll_seconds

    def _batch(self, rows):
        tokens = np.stack([np.asarray(t, dtype=np.int64) for t in rows["tokens"].to_pylist()])
        positions = np.zeros_like(tokens)
        cats = np.full_like(tokens, -1)
        for b, r in enumerate(rows.to_pylist()):
            for s, n, c in zip(r["doc_starts"], r["doc_lengths"], r["doc_categories"]):
                positions[b, s:s + n] = np.arange(n)
                cats[b, s:s + n] = self.categories.index(c)
        inputs = {"input": torch.from_numpy(tokens[:, :-1].copy()), "positions": torch.from_numpy(positions[:, :-1].copy()),
                  "category_ids": torch.from_numpy(cats[:, 1:].copy())}
        ids = [(int(c), int(b)) for c, b in zip(rows["chunk_id"].to_pylist(), rows["block_id"].to_pylist())]
        return inputs, torch.from_numpy(tokens[:, 1:].copy()), ids
