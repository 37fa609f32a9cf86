"""Shared fixtures: one real local Spark + Delta session for the whole test run.

JVM start and Maven resolution dominate small tests (~5 s + the Ivy cache), so every Spark
test shares one `local[2]` session with 2 shuffle partitions and the UI off. Tables are
path-based, so each test gets its own empty warehouse through `cfg`.
"""
from __future__ import annotations

import pytest

from conf import load_config

TEST_OVERRIDES = [
    "spark.master=local[2]",
    "spark.shuffle_partitions=2",
    "spark.driver_memory=2g",
    "spark.extra_conf={spark.ui.enabled: 'false', spark.sql.adaptive.coalescePartitions.enabled: 'false', "
    "spark.default.parallelism: '2'}",
]


@pytest.fixture(scope="session")
def spark():
    """The real local[2] Spark session with Delta, shared by all tests."""
    from spark_jobs.session import get_spark

    session = get_spark(load_config(overrides=TEST_OVERRIDES), "tests")
    yield session
    session.stop()


@pytest.fixture
def cfg(tmp_path):
    """Default config with a fresh, empty warehouse folder for this test."""
    return load_config(overrides=TEST_OVERRIDES + [f"spark.warehouse={tmp_path / 'warehouse'}"])
