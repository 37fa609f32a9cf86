"""Channel loss: mean next-token loss per document category over each log window, on all ranks.

Every step adds the batch's unreduced token losses, bucketed by the loader's per-token category
ids (index into that batch's category names; -1 where the label is -100), into float64 sums
and token counts per category name. At a log step the names are gathered (a category may occur
on one rank only), both vectors are all-reduced with SUM and divided once: gloo's AVG is
avoided and the means are token-weighted over the whole data-parallel batch. `_all` is the
whole window. `rows()` shapes the result for `train_metrics`; rank 0 writes it.

>>> channels = ChannelLoss()
>>> channels.add(torch.tensor([[1.0, 3.0, 2.0]]), torch.tensor([[0, 0, 1]]), ["code", "web"])
>>> channels.reduce()
{'_all': (2.0, 3), 'code': (2.0, 2), 'web': (2.0, 1)}
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa
import torch
import torch.distributed as dist

from tables.catalog import TRAIN_METRICS
from tables.delta_rs import append
from trainer.lifecycle.collectives import gather_objects, sum_tensor

if TYPE_CHECKING:
    from conf.schema import PipelineConfig

ALL = "_all"


class ChannelLoss:
    """Accumulates per-category loss sums and token counts between log steps."""

    def __init__(self, group: dist.ProcessGroup | None = None):
        self.group = group
        self._sums: dict[str, float] = {}
        self._tokens: dict[str, int] = {}

    def add(self, token_loss: torch.Tensor, category_ids: torch.Tensor, categories: Sequence[str]) -> None:
        """Add one (micro)batch: `token_loss` (B, L) unreduced loss, `category_ids` (B, L) into `categories`."""
        ids = category_ids.reshape(-1).to(torch.int64)
        scored = ids >= 0
        ids, loss = ids[scored], token_loss.detach().reshape(-1)[scored].to(torch.float64)
        if ids.numel() and int(ids.max()) >= len(categories):
            raise ValueError(f"category id {int(ids.max())} but only {len(categories)} category names")
        sums = torch.bincount(ids, weights=loss, minlength=len(categories)).tolist()
        counts = torch.bincount(ids, minlength=len(categories)).tolist()
        for name, s, n in zip(categories, sums, counts):
            if n:
                self._sums[name] = self._sums.get(name, 0.0) + s
                self._tokens[name] = self._tokens.get(name, 0) + n

    def reduce(self) -> dict[str, tuple[float, int]]:
        """Collective: {category: (mean loss, tokens)} over all ranks since the last call, `_all` first;
        then start a new window. Categories no rank saw are absent."""
        names = sorted(set().union(*gather_objects(sorted(self._sums), self.group)))
        local = torch.tensor([[self._sums.get(n, 0.0) for n in names], [self._tokens.get(n, 0) for n in names]],
                             dtype=torch.float64).reshape(2, len(names))
        sums, tokens = sum_tensor(local, self.group)
        self._sums, self._tokens = {}, {}
        out = {}
        if tokens.sum() > 0:
            out[ALL] = (sums.sum().item() / tokens.sum().item(), int(tokens.sum().item()))
        for name, s, n in zip(names, sums.tolist(), tokens.tolist()):
            out[name] = (s / n, int(n))
        return out

    @staticmethod
    def rows(means: dict[str, tuple[float, int]], *, run_id: str, step: int, chunk_id: int) -> pa.Table:
        """`train_metrics` rows of one `reduce()` result."""
        return pa.Table.from_pylist(
            [{"run_id": run_id, "step": int(step), "chunk_id": int(chunk_id), "category": name, "loss": loss,
              "tokens": tokens} for name, (loss, tokens) in means.items()], TRAIN_METRICS.arrow_schema())


def write_channel_losses(cfg: PipelineConfig, means: dict[str, tuple[float, int]], *, run_id: str, step: int,
                         chunk_id: int) -> int:
    """Append one log step's channel losses to `train_metrics` (rank 0 only); returns the rows written."""
    rows = ChannelLoss.rows(means, run_id=run_id, step=step, chunk_id=chunk_id)
    if rows.num_rows:
        append(cfg, "train_metrics", rows)
    return rows.num_rows
