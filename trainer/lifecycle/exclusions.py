"""Bad data flows back to curation: the doc ids of skipped blocks go to `excluded_docs`.

A block the spike guard blames is looked up in `blocks` (its `doc_ids` column, at the loader's
pinned version) and every document in it gets one `excluded_docs` row (doc_id, chunk_id,
block_id, reason, step, run_id, excluded_at); the next mix leaves those documents out. The
same table tells a resumed or rolled-back run which blocks of a chunk to leave out, so the skip
list survives restarts without living in any checkpoint.

>>> write_exclusions(cfg, [(3, 17)], reason="loss_spike", step=240, run_id="demo")   # doctest: +SKIP
4
>>> excluded_blocks(cfg, chunk_id=3, run_id="demo")                                  # doctest: +SKIP
{17}
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from tables.catalog import EXCLUDED_DOCS
from tables.delta_rs import append, exists, read_arrow

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

SPIKE_REASON = "loss_spike"


def block_doc_ids(cfg: PipelineConfig, blocks: Iterable[tuple[int, int]],
                  version: int | None = None) -> dict[tuple[int, int], list[str]]:
    """Distinct doc ids of each (chunk_id, block_id), read from `blocks` (at `version` if given).

    Raises LookupError naming the blocks the table does not hold (never a silent partial write).
    """
    wanted = sorted(set((int(c), int(b)) for c, b in blocks))
    found: dict[tuple[int, int], list[str]] = {}
    for chunk_id in sorted({c for c, _ in wanted}):
        ids = [b for c, b in wanted if c == chunk_id]
        # The chunk_id term prunes to the chunk's partition; block_id filters rows inside it.
        rows = read_arrow(
            cfg, "blocks", version, columns=["block_id", "doc_ids"],
            filters=(pc.field("chunk_id") == chunk_id) & pc.field("block_id").isin(pa.array(ids, pa.int64())))
        for block_id, doc_ids in zip(rows["block_id"].to_pylist(), rows["doc_ids"].to_pylist()):
            found[(chunk_id, block_id)] = list(dict.fromkeys(doc_ids))  # a doc spans a block once or more
    missing = [key for key in wanted if key not in found]
    if missing:
        raise LookupError(f"blocks {missing} are not in table 'blocks'"
                          f"{'' if version is None else f' at version {version}'}: nothing was excluded")
    return found


def write_exclusions(cfg: PipelineConfig, blocks: Iterable[tuple[int, int]], *, reason: str, step: int,
                     run_id: str, version: int | None = None) -> int:
    """Append one `excluded_docs` row per document of each block; returns the rows written.

    Call on rank 0 only. `version`: the `blocks` version the loader pinned (None = newest).
    """
    docs = block_doc_ids(cfg, blocks, version)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = [{"doc_id": doc_id, "chunk_id": chunk_id, "block_id": block_id, "reason": reason, "step": int(step),
             "run_id": run_id, "excluded_at": now}
            for (chunk_id, block_id), doc_ids in sorted(docs.items()) for doc_id in doc_ids]
    if rows:
        append(cfg, "excluded_docs", pa.Table.from_pylist(rows, EXCLUDED_DOCS.arrow_schema()))
    return len(rows)


def excluded_blocks(cfg: PipelineConfig, *, chunk_id: int, run_id: str | None = None) -> set[int]:
    """Block ids of chunk `chunk_id` that `excluded_docs` holds (for `run_id` only, if given)."""
    if not exists(cfg, "excluded_docs"):
        return set()
    filters = pc.field("chunk_id") == chunk_id
    if run_id is not None:
        filters &= pc.field("run_id") == run_id
    rows = read_arrow(cfg, "excluded_docs", columns=["block_id"], filters=filters)
    return set(rows["block_id"].to_pylist())
