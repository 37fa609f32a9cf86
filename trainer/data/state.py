"""The loader's checkpoint state and the errors that refuse to resume on other data or another world.

`state_dict()` is `{"dp_rank_<r>": LoaderState as a dict}`: a key per rank, so a distributed
checkpoint (DCP) keeps every rank's entry instead of de-duplicating them. The state is the
least needed to resume exactly: which chunk at which `blocks` version, how many batches of it
this rank has yielded, the blocks it leaves out, and the facts the position only means
something under (seed, dp world, batch size, seq_len, the chunk's fingerprint).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from conf.errors import UserError

FORMAT_VERSION = 1
"""Bump when the meaning of a field changes; older states are then refused, not misread."""


class LoaderStateError(UserError):
    """A saved loader state cannot be resumed here; the message says what differs and what to do."""


class StateFormatError(LoaderStateError):
    """The state was written by another format version of the loader, or is not a loader state."""


class DataParallelMismatchError(LoaderStateError):
    """The state belongs to another dp rank or a dp world of another size."""


class SeedMismatchError(LoaderStateError):
    """The run's train.seed differs from the one the state was saved with (another block order)."""


class BatchSizeMismatchError(LoaderStateError):
    """train.local_batch_size differs: the saved position counts batches of another size."""


class SeqLenMismatchError(LoaderStateError):
    """mix.seq_len differs from the seq_len of the saved run."""


class TableVersionError(LoaderStateError):
    """The pinned `blocks` version cannot be read any more (vacuumed, or another warehouse)."""


class ChunkFingerprintError(LoaderStateError):
    """The chunk at the pinned version is not the data the state was saved on."""


@dataclass(frozen=True)
class LoaderState:
    """Where a rank's loader stands: after `position` batches of chunk `chunk_id` (None: no chunk yet)."""

    format_version: int
    chunk_id: int | None
    table_version: int | None
    """`blocks` version the chunk is read at (pinned when the chunk was opened)."""
    position: int
    """Batches of the chunk this rank has yielded (the same on every rank)."""
    seed: int
    dp_rank: int
    dp_world_size: int
    batch_size: int
    seq_len: int
    n_blocks: int
    """Fingerprint: blocks of the chunk at the pinned version."""
    digest: str
    """Fingerprint: hash of the chunk's files and row-group sizes."""
    excluded: list[int]
    """Block ids of the chunk left out (skipped after a loss spike), sorted."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LoaderState":
        names = [f.name for f in fields(cls)]
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            found = data.get("format_version") if isinstance(data, dict) else type(data).__name__
            raise StateFormatError(f"loader state has format {found!r}, this loader reads format {FORMAT_VERSION}: "
                                   "resume with the flywheel version that wrote the checkpoint")
        missing = [n for n in names if n not in data]
        if missing:
            raise StateFormatError(f"loader state lacks {missing}: the checkpoint is damaged or not a loader state")
        return cls(**{n: data[n] for n in names})


def rank_key(dp_rank: int) -> str:
    """Key of a rank's entry in `state_dict()`."""
    return f"dp_rank_{dp_rank}"


def check_run(saved: LoaderState, *, seed: int, dp_rank: int, dp_world_size: int, batch_size: int,
              seq_len: int) -> None:
    """Raise the specific LoaderStateError for the first run setting that differs from `saved`."""
    if saved.dp_world_size != dp_world_size or saved.dp_rank != dp_rank:
        raise DataParallelMismatchError(
            f"loader state is dp rank {saved.dp_rank} of {saved.dp_world_size}, this process is dp rank {dp_rank} "
            f"of {dp_world_size}: resume with {saved.dp_world_size} data-parallel ranks or start a new train.run_dir")
    if saved.seed != seed:
        raise SeedMismatchError(f"loader state was saved with train.seed={saved.seed}, the config has {seed}: "
                                "resume with the run's config or start a new train.run_dir")
    if saved.batch_size != batch_size:
        raise BatchSizeMismatchError(
            f"loader state counts batches of train.local_batch_size={saved.batch_size}, the config has {batch_size}: "
            "resume with the run's batch size or start a new train.run_dir")
    if saved.seq_len != seq_len:
        raise SeqLenMismatchError(f"loader state was saved with mix.seq_len={saved.seq_len}, the config has "
                                  f"{seq_len}: resume with the run's config")


def check_chunk(saved: LoaderState, n_blocks: int, digest: str) -> None:
    """Raise ChunkFingerprintError when the chunk read at the pinned version is not the saved one."""
    if (saved.n_blocks, saved.digest) != (n_blocks, digest):
        raise ChunkFingerprintError(
            f"chunk {saved.chunk_id} at blocks version {saved.table_version} holds {n_blocks} blocks "
            f"(files {digest}), the state was saved on {saved.n_blocks} blocks (files {saved.digest}): the table was "
            "re-created or restored; resume against the warehouse the run trained on")
