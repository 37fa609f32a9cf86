"""Materialise a DataFrame once and cut its query plan (lineage).

Iterative and multi-read Spark work (connected components, a Python pass read by several
joins) would otherwise recompute everything upstream at every read, and the plan would grow
with each round until the driver spends its time analysing it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def cut(df: DataFrame, checkpoint_dir: str | None = None) -> DataFrame:
    """`df` materialised now, with a plan that starts at the stored rows.

    Reliable checkpoints (files under `checkpoint_dir`, they survive a lost executor) when a
    folder is given; otherwise local checkpoints (executor storage, faster, lost with it).
    """
    if checkpoint_dir:
        df.sparkSession.sparkContext.setCheckpointDir(checkpoint_dir)
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)
