"""Plan the ingest: which files, in which format, split into which byte ranges.

Pure Python (no Spark), so the plan is tested alone and identical on every run: files are
sorted, ranges are fixed by `ingest.split_bytes`, so the same input gives the same tasks.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

from conf.schema import IngestConfig
from spark_jobs.progress import progress
from spark_jobs.readers import FORMAT_SUFFIXES, READERS, SPLITTABLE
from spark_jobs.readers.jsonl import COMPRESSED


@dataclass(frozen=True)
class Task:
    path: str
    format: str
    start: int
    end: int | None
    root: str
    source: str

    def as_row(self) -> dict:
        return asdict(self)


class InputError(ValueError):
    """An input path is missing or its format cannot be read."""


def detect_format(path: str, text_extensions: list[str]) -> str | None:
    """Format of one file from its name, or None when flywheel has no reader for it."""
    name = path.lower()
    for suffix in sorted(FORMAT_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMAT_SUFFIXES[suffix]
    if name.endswith((".warc.wet.gz", ".wet.gz", ".wet")):
        return "wet" if "wet" in READERS else None
    if name.endswith((".warc.gz", ".warc")):
        return "warc" if "warc" in READERS else None
    if any(name.endswith(ext) for ext in text_extensions):
        return "text"
    return None


def default_source(path: str) -> str:
    """Source name when neither the record nor `--source` gives one: the input's base name."""
    base = os.path.basename(os.path.normpath(path))
    for suffix in (".gz", ".zst", ".jsonl", ".json", ".ndjson", ".parquet", ".warc", ".wet"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base or "input"


def plan_tasks(inputs: list[str], fmt: str, cfg: IngestConfig, source: str | None = None
               ) -> tuple[list[Task], list[str]]:
    """Tasks for every readable file under `inputs`, and the files no reader accepts."""
    if fmt != "auto" and fmt not in READERS:
        raise InputError(f"ingest.format={fmt!r} is not one of auto, {', '.join(sorted(READERS))}")
    tasks, unknown = [], []
    for item in inputs:
        if not os.path.exists(item):
            raise InputError(f"input path does not exist: {item}")
        root = os.path.abspath(item if os.path.isdir(item) else os.path.dirname(item))
        src = source or default_source(item)
        files = _files(item)
        for path in progress(files, f"plan {os.path.basename(item) or item}", total=len(files), unit="file"):
            f = fmt if fmt != "auto" else detect_format(path, cfg.text_extensions)
            if f is None:
                unknown.append(path)
                continue
            tasks.extend(_split(path, f, root, src, cfg.split_bytes))
    return sorted(tasks, key=lambda t: (t.path, t.start)), sorted(unknown)


def _files(item: str) -> list[str]:
    if os.path.isfile(item):
        return [os.path.abspath(item)]
    found = []
    for dirpath, dirnames, filenames in os.walk(item):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(os.path.abspath(os.path.join(dirpath, n)) for n in filenames if not n.startswith((".", "_")))
    return sorted(found)


def _split(path: str, fmt: str, root: str, source: str, split_bytes: int) -> list[Task]:
    size = os.path.getsize(path)
    if fmt not in SPLITTABLE or path.endswith(COMPRESSED) or size <= split_bytes:
        return [Task(path, fmt, 0, None, root, source)]
    starts = range(0, size, split_bytes)
    return [Task(path, fmt, s, min(s + split_bytes, size), root, source) for s in starts]
