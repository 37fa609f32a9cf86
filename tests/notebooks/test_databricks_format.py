"""Databricks source <-> ipynb: cells, markdown and widgets survive the round trip (no kernel)."""
from pathlib import Path

import nbformat
import pytest

from flywheel.notebooks_run.cli import NOTEBOOKS, notebook_files
from flywheel.notebooks_run.databricks import NotebookFormatError, to_notebook, to_source

GOLDEN = '''# Databricks notebook source
# MAGIC %md
# MAGIC # Title
# MAGIC
# MAGIC Some *markdown* text.

# COMMAND ----------

import os

# COMMAND ----------

dbutils.widgets.text("warehouse", "warehouse", "Delta warehouse")
dbutils.widgets.dropdown("mode", "fast", ["fast", "slow"], "how")
warehouse = dbutils.widgets.get("warehouse")
mode = dbutils.widgets.get("mode")

# COMMAND ----------

# MAGIC %pip install something

# COMMAND ----------

x = 1

y = 2
'''


def test_golden_source_to_ipynb_cells_markdown_and_parameters():
    nb = to_notebook(GOLDEN)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code", "code", "code"]
    assert nb.cells[0].source == "# Title\n\nSome *markdown* text."
    params = nb.cells[2]
    assert params.metadata.tags == ["parameters"]
    assert params.source.splitlines()[1:] == ['warehouse = "warehouse"', 'mode = "fast"']
    widgets = params.metadata.flywheel["widgets"]
    assert [(w["kind"], w["name"], w["label"], w["choices"]) for w in widgets] == [
        ("text", "warehouse", "Delta warehouse", None), ("dropdown", "mode", "how", ["fast", "slow"])]
    assert nb.cells[3].source == "%pip install something"
    assert nb.cells[4].source == "x = 1\n\ny = 2"


def test_golden_round_trip_through_an_ipynb_file_is_identical(tmp_path):
    path = tmp_path / "golden.ipynb"
    nbformat.write(to_notebook(GOLDEN), path)
    assert to_source(nbformat.read(path, as_version=4)) == GOLDEN


def test_edited_parameter_default_goes_back_into_the_widget():
    nb = to_notebook(GOLDEN)
    nb.cells[2].source = nb.cells[2].source.replace('"fast"', '"slow"')
    assert 'dbutils.widgets.dropdown("mode", "slow", ["fast", "slow"], "how")' in to_source(nb)


def test_params_become_an_injected_cell_left_out_of_the_source():
    nb = to_notebook(GOLDEN, {"warehouse": "/data/wh"})
    injected = nb.cells[3]
    assert injected.metadata.tags == ["injected-parameters"]
    assert injected.source.splitlines()[1:] == ['warehouse = "/data/wh"']
    assert to_source(nb) == GOLDEN


def test_unknown_param_and_bad_choice_are_refused_with_the_widget_names():
    with pytest.raises(NotebookFormatError, match=r"unknown parameter\(s\) \['nope'\].*\['mode', 'warehouse'\]"):
        to_notebook(GOLDEN, {"nope": "1"})
    with pytest.raises(NotebookFormatError, match="not one of"):
        to_notebook(GOLDEN, {"mode": "medium"})


def test_text_without_the_header_is_not_a_databricks_notebook():
    with pytest.raises(NotebookFormatError, match="first line must be"):
        to_notebook("x = 1\n")


@pytest.mark.parametrize("path", notebook_files(), ids=lambda p: p.stem)
def test_every_project_notebook_round_trips(path: Path):
    text = path.read_text(encoding="utf-8")
    nb = to_notebook(text)
    assert to_source(nb) == text
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    (params,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert "warehouse" in {w["name"] for w in params.metadata.flywheel["widgets"]}


def test_the_project_has_the_five_notebooks():
    assert [p.stem for p in notebook_files()] == [
        "01_corpus_overview", "02_filter_drops", "03_dedup_clusters", "04_mix", "05_training"]
    assert not (NOTEBOOKS / "__init__.py").exists()  # nobody imports notebooks/
