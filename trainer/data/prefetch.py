"""A background thread that runs an iterator ahead of its consumer through a bounded queue.

The queue holds at most `depth` items, so the producer is never more than `depth` items
ahead: memory is bounded by the depth, whatever the length of the iterator. An exception in
the producer is re-raised in the consumer at the item where it happened; `close()` stops the
thread within one put timeout even while the queue is full. numpy and pyarrow release the GIL
in their kernels, so decoding and batch assembly overlap with the consumer's work.
"""
from __future__ import annotations

import atexit
import queue
import threading
import weakref
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_END = object()
# How often a blocked producer looks at the stop flag (seconds): close() waits at most this long.
_PUT_TIMEOUT_S = 0.1
# Prefetchers still running. A daemon thread caught inside pyarrow's C++ reader when the
# interpreter finalises aborts the process ("terminate called without an active exception",
# SIGABRT, seen in about 4 of 10 exits), so every live one is stopped and joined at exit.
_LIVE: "weakref.WeakSet[Prefetcher]" = weakref.WeakSet()


def _close_all() -> None:
    for prefetcher in list(_LIVE):
        prefetcher.close()


atexit.register(_close_all)


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


class Prefetcher(Generic[T]):
    """Iterate `source` in a daemon thread, at most `depth` items ahead of `next()`."""

    def __init__(self, source: Iterator[T], depth: int, name: str = "flywheel-prefetch"):
        if depth < 1:
            raise ValueError(f"prefetch depth must be at least 1, got {depth}")
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(source,), name=name, daemon=True)
        self._thread.start()
        _LIVE.add(self)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_TIMEOUT_S)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, source: Iterator[T]) -> None:
        try:
            for item in source:
                if not self._put(item):
                    return
        except BaseException as error:  # handed to the consumer, which re-raises it
            self._put(_Failure(error))
            return
        self._put(_END)

    def __iter__(self) -> "Prefetcher[T]":
        return self

    def __next__(self) -> T:
        item = self._queue.get()
        if item is _END:
            self._queue.put(_END)  # later next() calls end too
            raise StopIteration
        if isinstance(item, _Failure):
            self._queue.put(item)
            raise item.error
        return item

    def close(self) -> None:
        """Stop the producer thread and wait for it (its source is abandoned, not drained)."""
        self._stop.set()
        self._thread.join()
        _LIVE.discard(self)
