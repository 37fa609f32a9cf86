"""One demo warehouse and training run for every notebook test of the session (built once, ~5 min on 2 cores)."""
from __future__ import annotations

import dataclasses

import pytest
import yaml


@pytest.fixture(scope="session")
def demo_warehouse(spark, tmp_path_factory) -> dict:
    """tests/notebooks/demo_warehouse.py built once; adds `config_file`, the YAML the notebooks get."""
    from tests.notebooks.demo_warehouse import build

    built = build(spark, tmp_path_factory.mktemp("notebooks"))
    config_file = built["root"] / "notebooks.yaml"
    # local[2], 2 shuffle partitions, UI off and the small tokenizer/mix sizes, for the notebooks' own Spark.
    config_file.write_text(yaml.safe_dump(dataclasses.asdict(built["cfg"]), sort_keys=False), encoding="utf-8")
    return {**built, "config_file": config_file}
