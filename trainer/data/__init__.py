"""The trainer's data: ready chunks of `blocks` (delta-rs, pinned version) as model-ready batches.

    loader = BlockLoader(cfg, dp_rank=r, dp_world_size=W)
    for inputs, labels in loader:        # inputs: input / positions / category_ids, Long[B, L]
        ...                              # loader.chunk_id, .categories, .last_block_ids, .chunk_ended
    loader.state_dict()                  # {"dp_rank_<r>": LoaderState dict}; load_state_dict resumes

Modules: batches (labels, positions, category ids from doc spans), chunk (a chunk's row groups
at a pinned version), sharding (rows per dp rank), prefetch (bounded background thread),
state (checkpoint state and its mismatch errors), loader (the iterator tying them together).
"""
from trainer.data.batches import IGNORE_INDEX, NO_CATEGORY, BlockFormatError
from trainer.data.loader import BlockLoader, agree_from_rank0
from trainer.data.state import (
    BatchSizeMismatchError, ChunkFingerprintError, DataParallelMismatchError, LoaderState, LoaderStateError,
    SeedMismatchError, SeqLenMismatchError, StateFormatError, TableVersionError)

__all__ = ["IGNORE_INDEX", "NO_CATEGORY", "BatchSizeMismatchError", "BlockFormatError", "BlockLoader",
           "ChunkFingerprintError", "DataParallelMismatchError", "LoaderState", "LoaderStateError",
           "SeedMismatchError", "SeqLenMismatchError", "StateFormatError", "TableVersionError", "agree_from_rank0"]
