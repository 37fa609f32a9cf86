"""Serve the trainer's metrics on `/metrics` from rank 0.

The trainer reduces its values across ranks first (loss and channel loss averaged, tokens/s
summed over the data-parallel ranks) and hands the results to `TrainerMetrics` on every rank;
only rank 0 opens the port (`monitoring.trainer_listen`), the others get an object whose
calls do nothing, so the training loop needs no `if rank == 0` around them. Names and labels
are checked against monitoring/metrics.py, so a typo fails at the first log step, not on a
dashboard weeks later.

>>> m = TrainerMetrics.start("127.0.0.1:0", rank=0)
>>> m.set("flywheel_train_loss", 2.5)
>>> m.set("flywheel_train_channel_loss", 2.1, category="code")
>>> m.inc("flywheel_train_rollbacks_total")
>>> m.close()
"""
from __future__ import annotations

from monitoring.collector import State, registry_of
from monitoring.metrics import EVAL_METRICS, TRAIN_METRICS

# The eval gauges too: with `eval.every_chunk` rank 0 evaluates each chunk checkpoint (trainer/eval).
TRAINER_NAMES = frozenset(m.name for m in TRAIN_METRICS + EVAL_METRICS)


def parse_listen(listen: str) -> tuple[str, int]:
    """`host:port` -> (host, port); raises ValueError naming monitoring.trainer_listen."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"monitoring.trainer_listen must be host:port, got {listen!r}")
    return host, int(port)


class TrainerMetrics:
    """The trainer's catalog metrics, served over HTTP on rank 0 (values exist once set)."""

    def __init__(self, state: State | None, server=None, thread=None) -> None:
        self._state = state
        self._server, self._thread = server, thread

    @classmethod
    def start(cls, listen: str, rank: int) -> "TrainerMetrics":
        """Serve on `listen` (host:port; port 0 = any free one) when `rank == 0`; a no-op elsewhere."""
        if rank != 0:
            return cls(None)
        from prometheus_client import start_http_server

        host, port = parse_listen(listen)
        state = State()
        server, thread = start_http_server(port, addr=host, registry=registry_of(state))
        return cls(state, server, thread)

    @property
    def port(self) -> int | None:
        """The port served on (None off rank 0)."""
        return None if self._server is None else self._server.server_address[1]

    @staticmethod
    def _check(name: str) -> None:
        if name not in TRAINER_NAMES:
            raise ValueError(f"metric {name} is not a trainer metric (TRAIN_METRICS or EVAL_METRICS in "
                             "monitoring/metrics.py)")

    def set(self, name: str, value: float, **labels: str) -> None:
        """Set gauge `name` (already reduced across ranks) to `value`."""
        self._check(name)
        if self._state is not None:
            self._state.set(name, value, labels)

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        """Add `amount` to counter `name`."""
        self._check(name)
        if self._state is not None:
            self._state.add(name, amount, labels)

    def close(self) -> None:
        """Stop serving (the port is free again when this returns)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None
