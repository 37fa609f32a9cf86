"""Where checkpoints live in a run folder, what they are called and which one a run resumes from.

    <run_dir>/checkpoints/
        init/          the freshly initialised model (step 0): the rollback target inside chunk 1
        chunk-<k>/     written when chunk k ends; never deleted by any keep-latest rule
        step-<n>/      `save` trigger and `train.checkpoint.every_steps`; the newest `keep_latest` kept
        LATEST         one line: the name of the checkpoint the run resumes from
        rolled_back/   chunk-<k> folders set aside by `flywheel train rollback` (kept, not deleted)

Both backends save DCP folders under these names and call `mark_latest` after each save, so
resume and rollback are decided here once. torchtitan's own manager only recognises `step-<n>`
(it purges and resumes by that pattern), so a `chunk-<k>` folder is invisible to its rotation.

>>> chunk_checkpoint_name(3), parse_checkpoint_name("chunk-3"), parse_checkpoint_name("step-40")
('chunk-3', ('chunk', 3), ('step', 40))
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

CHECKPOINTS_DIR = "checkpoints"
INIT_NAME = "init"
LATEST_FILE = "LATEST"
ROLLED_BACK_DIR = "rolled_back"
# DCP writes `.metadata` last, once every rank has written its shards: present = complete.
DCP_METADATA = ".metadata"
_NAME = re.compile(r"^(chunk|step)-(\d+)$")


class CheckpointNotFoundError(LookupError):
    """A checkpoint the caller named does not exist (or is incomplete) in the run folder."""


def checkpoints_dir(run_dir: str | Path) -> Path:
    """`<run_dir>/checkpoints`."""
    return Path(run_dir) / CHECKPOINTS_DIR


def chunk_checkpoint_name(chunk_id: int) -> str:
    """Folder name of the checkpoint taken when chunk `chunk_id` ends."""
    return f"chunk-{int(chunk_id)}"


def step_checkpoint_name(step: int) -> str:
    """Folder name of a mid-chunk checkpoint at optimiser step `step` (torchtitan's pattern)."""
    return f"step-{int(step)}"


def parse_checkpoint_name(name: str) -> tuple[str, int] | None:
    """('chunk', k) or ('step', n) for a checkpoint folder name; None for anything else."""
    match = _NAME.match(name)
    return (match.group(1), int(match.group(2))) if match else None


def is_complete(path: str | Path) -> bool:
    """True when `path` is a finished DCP checkpoint folder."""
    return (Path(path) / DCP_METADATA).is_file()


def chunk_checkpoints(run_dir: str | Path) -> dict[int, Path]:
    """Complete `chunk-<k>` checkpoints of the run, by chunk id (ascending)."""
    root = checkpoints_dir(run_dir)
    found = {}
    for path in root.iterdir() if root.is_dir() else ():
        parsed = parse_checkpoint_name(path.name)
        if parsed and parsed[0] == "chunk" and is_complete(path):
            found[parsed[1]] = path
    return dict(sorted(found.items()))


def step_checkpoints(run_dir: str | Path) -> dict[int, Path]:
    """`step-<n>` folders of the run (complete or not), by step (ascending)."""
    root = checkpoints_dir(run_dir)
    found = {}
    for path in root.iterdir() if root.is_dir() else ():
        parsed = parse_checkpoint_name(path.name)
        if parsed and parsed[0] == "step":
            found[parsed[1]] = path
    return dict(sorted(found.items()))


def steps_to_purge(run_dir: str | Path, keep_latest: int) -> list[Path]:
    """The `step-<n>` folders beyond the newest `keep_latest`; `chunk-<k>` and `init` never appear."""
    if keep_latest < 1:
        raise ValueError(f"train.checkpoint.keep_latest must be at least 1, got {keep_latest}: the newest "
                         "step checkpoint may be the one LATEST names")
    return list(step_checkpoints(run_dir).values())[:-keep_latest]


def mark_latest(run_dir: str | Path, name: str) -> None:
    """Point the run's resume at checkpoint `name` (atomic: write a temp file, then rename)."""
    root = checkpoints_dir(run_dir)
    if not is_complete(root / name):
        raise CheckpointNotFoundError(f"cannot resume from {root / name}: it is not a complete DCP checkpoint")
    tmp = root / f".{LATEST_FILE}.tmp"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, root / LATEST_FILE)


def latest_checkpoint(run_dir: str | Path) -> Path | None:
    """The checkpoint the run resumes from (named by LATEST), or None for a fresh start."""
    root = checkpoints_dir(run_dir)
    pointer = root / LATEST_FILE
    if not pointer.is_file():
        return None
    path = root / pointer.read_text(encoding="utf-8").strip()
    if not is_complete(path):
        raise CheckpointNotFoundError(
            f"{pointer} names {path.name}, which is missing or incomplete: run `flywheel train rollback "
            f"--to-chunk <k>` to point the run at a chunk checkpoint, or delete {pointer} to start afresh")
    return path


def rollback_target(run_dir: str | Path, chunk_id: int) -> Path | None:
    """Checkpoint to return to when chunk `chunk_id` goes wrong: the newest `chunk-<j>` with j < chunk_id,
    else `init`, else None (re-initialise from the seed)."""
    earlier = [path for k, path in chunk_checkpoints(run_dir).items() if k < chunk_id]
    if earlier:
        return earlier[-1]
    init = checkpoints_dir(run_dir) / INIT_NAME
    return init if is_complete(init) else None


def set_aside(path: Path) -> Path:
    """Move a checkpoint folder into `checkpoints/rolled_back/` (a numbered suffix if the name is taken)."""
    dest_dir = path.parent / ROLLED_BACK_DIR
    dest_dir.mkdir(exist_ok=True)
    dest, n = dest_dir / path.name, 1
    while dest.exists():
        dest, n = dest_dir / f"{path.name}.{n}", n + 1
    shutil.move(str(path), dest)
    return dest


def discard_steps(run_dir: str | Path) -> list[Path]:
    """Delete every `step-<n>` folder: after a rollback they belong to a discarded future (or precede
    the target), and a later resume must not pick one of them up. Returns what was deleted."""
    removed = list(step_checkpoints(run_dir).values())
    for path in removed:
        shutil.rmtree(path)
    return removed
