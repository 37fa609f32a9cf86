"""Catalog metrics held as plain values and exposed through one prometheus_client collector.

`State` maps (metric name, label values in catalog order) to a float; counters add up,
gauges keep the last value. `StateCollector` yields exactly those samples as metric families,
so nothing appears that was never set (no zero-valued MFU on a device without known peak
FLOPs) and no `_created` series beside the catalog's names.
"""
from __future__ import annotations

import threading

from monitoring.metrics import COUNTER, check_labels, metric

Key = tuple[str, tuple[str, ...]]


class State:
    """Values of catalog metrics, safe to update from one thread while another scrapes."""

    def __init__(self) -> None:
        self._values: dict[Key, float] = {}
        self._lock = threading.Lock()

    def add(self, name: str, value: float, labels: dict[str, str]) -> None:
        """Counter `name` += value (a counter never goes down)."""
        if metric(name).kind != COUNTER:
            raise ValueError(f"{name} is a gauge: set it")
        if value < 0:
            raise ValueError(f"counter {name} cannot go down (got {value})")
        key = (name, check_labels(name, labels))
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + float(value)

    def set(self, name: str, value: float, labels: dict[str, str]) -> None:
        """Gauge `name` = value."""
        if metric(name).kind == COUNTER:
            raise ValueError(f"{name} is a counter: add to it")
        key = (name, check_labels(name, labels))
        with self._lock:
            self._values[key] = float(value)

    def items(self) -> list[tuple[Key, float]]:
        """A sorted snapshot of every (key, value)."""
        with self._lock:
            return sorted(self._values.items())


class StateCollector:
    """prometheus_client collector over a `State`; `extra` labels go on every sample."""

    def __init__(self, state: State, extra: dict[str, str] | None = None) -> None:
        self.state, self.extra = state, dict(extra or {})

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        families = {}
        for (name, values), value in self.state.items():
            m = metric(name)
            if name not in families:
                cls = CounterMetricFamily if m.kind == COUNTER else GaugeMetricFamily
                families[name] = cls(name, m.help, labels=list(m.labels) + list(self.extra))
            families[name].add_metric(list(values) + list(self.extra.values()), value)
        yield from families.values()


def registry_of(state: State, extra: dict[str, str] | None = None):
    """A fresh CollectorRegistry exposing `state` (plus `extra` labels)."""
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector(state, extra))
    return registry
