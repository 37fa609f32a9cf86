"""The trainer's side of the `chunks` table: training -> trained with step, loss and checkpoint path.

Status moves are validated by `tables.chunk_lifecycle` and written with delta-rs (~13 ms each),
so the mix job sees at once which chunks are frozen. Call the methods on rank 0 only: one row
update per chunk event, not one per rank.

>>> ledger = ChunkLedger(cfg, run_dir="runs/demo")                        # doctest: +SKIP
>>> ledger.start(3)                                                        # doctest: +SKIP
>>> ledger.finish(3, step=120, loss=2.91,                                  # doctest: +SKIP
...               checkpoint="runs/demo/checkpoints/chunk-3")
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from tables.chunk_lifecycle import read_chunks, set_status

if TYPE_CHECKING:
    from conf.schema import PipelineConfig


class ChunkLedger:
    """Moves chunk rows through ready|rolled_back -> training -> trained | rolled_back."""

    def __init__(self, cfg: PipelineConfig, run_dir: str | Path):
        self.cfg = cfg
        self.run_dir = Path(run_dir)

    def relative(self, checkpoint: str | Path) -> str:
        """`checkpoint` relative to the run folder (what the `chunks.checkpoint` column holds)."""
        return Path(os.path.relpath(Path(checkpoint).resolve(), self.run_dir.resolve())).as_posix()

    def start(self, chunk_id: int) -> None:
        """The run begins (or begins again) to train chunk `chunk_id`: status training.

        A chunk already `training` (the run crashed inside it and resumed from the previous
        chunk's checkpoint) is left as it is."""
        row = next((r for r in read_chunks(self.cfg) if r["chunk_id"] == chunk_id), None)
        if row is not None and row["status"] == "training":
            return
        set_status(self.cfg, chunk_id, "training")

    def finish(self, chunk_id: int, *, step: int, loss: float | None, checkpoint: str | Path) -> None:
        """Chunk `chunk_id` ended at `step` and its `chunk-<k>` checkpoint is written: status trained."""
        set_status(self.cfg, chunk_id, "trained", step=int(step),
                          loss=None if loss is None else float(loss), checkpoint=self.relative(checkpoint))

    def roll_back(self, chunk_id: int, *, step: int | None, checkpoint: str | Path | None = None) -> None:
        """Chunk `chunk_id` was abandoned at `step` (spike or manual rollback): status rolled_back.

        `step` None keeps the row's step; `checkpoint`: where its set-aside checkpoint now lies."""
        fields = {} if step is None else {"step": int(step)}
        if checkpoint is not None:
            fields["checkpoint"] = self.relative(checkpoint)
        set_status(self.cfg, chunk_id, "rolled_back", **fields)
