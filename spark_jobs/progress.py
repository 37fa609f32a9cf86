"""Progress bars for the driver's long loops (files to plan, chunks to mix).

A bar is drawn on stderr only when stderr is a terminal, so logs, pipes and CI output keep
just the summaries; `FLYWHEEL_PROGRESS=0` turns bars off on a terminal too. The bar goes away
when its loop ends (`leave=False`): the stage summary that follows is what stays on screen.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")
ENV_SWITCH = "FLYWHEEL_PROGRESS"


def enabled() -> bool:
    """True when stderr is a terminal and FLYWHEEL_PROGRESS is not 0."""
    return os.environ.get(ENV_SWITCH, "1") != "0" and sys.stderr.isatty()


def progress(items: Iterable[T], desc: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    """`items`, drawing a bar named `desc` while they are consumed (see the module docstring)."""
    if not enabled():
        yield from items
        return
    with tqdm(items, desc=desc, total=total, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True) as bar:
        yield from bar
