"""The prefetch thread stays at most `depth` items ahead, hands on errors and stops when closed."""
from __future__ import annotations

import time

import pytest

from trainer.data.prefetch import Prefetcher


class Counting:
    """An iterator over 0..n-1 that records how many items were taken from it."""

    def __init__(self, n: int, fail_at: int | None = None):
        self.n, self.fail_at, self.taken = n, fail_at, 0

    def __iter__(self):
        for i in range(self.n):
            if i == self.fail_at:
                raise KeyError(f"item {i}")
            self.taken += 1
            yield i


def wait_until(condition) -> None:
    while not condition():
        time.sleep(0.01)


def test_prefetcher_full_queue_producer_stops_depth_ahead():
    source = Counting(1000)
    pre = Prefetcher(iter(source), depth=3)
    assert [next(pre) for _ in range(5)] == [0, 1, 2, 3, 4]
    wait_until(lambda: pre._queue.full())
    # 5 consumed + 3 queued + at most 1 taken and waiting to be put.
    assert 8 <= source.taken <= 9
    pre.close()
    assert not pre._thread.is_alive()


def test_prefetcher_source_error_raised_at_its_item():
    pre = Prefetcher(iter(Counting(10, fail_at=2)), depth=4)
    assert [next(pre), next(pre)] == [0, 1]
    with pytest.raises(KeyError, match="item 2"):
        next(pre)
    with pytest.raises(KeyError, match="item 2"):
        next(pre)
    pre.close()


def test_prefetcher_exhausted_source_ends_iteration():
    pre = Prefetcher(iter(Counting(3)), depth=8)
    assert list(pre) == [0, 1, 2]
    assert list(pre) == []
    pre.close()


def test_prefetcher_close_with_full_queue_joins_thread():
    pre = Prefetcher(iter(Counting(100)), depth=1)
    wait_until(lambda: pre._queue.full())
    pre.close()
    assert not pre._thread.is_alive()


def test_prefetcher_depth_zero_raises():
    with pytest.raises(ValueError, match="at least 1"):
        Prefetcher(iter([]), depth=0)
