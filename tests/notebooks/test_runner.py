"""`flywheel notebook run` on small notebooks in a real Jupyter kernel: outputs, failures, user errors."""
import json

from flywheel.cli import main

OK = '''# Databricks notebook source
# MAGIC %md
# MAGIC # A test notebook

# COMMAND ----------

import notebook_env as nbenv

try:
    dbutils
except NameError:
    dbutils = nbenv.LocalDbutils()

# COMMAND ----------

dbutils.widgets.text("n", "3", "points")
n = dbutils.widgets.get("n")

# COMMAND ----------

import matplotlib.pyplot as plt
import pandas as pd

fig, ax = plt.subplots()
ax.plot(range(int(n)), range(int(n)), label="a")
ax.plot(range(int(n)), [0] * int(n), label="b")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("two lines")
ax.legend()
nbenv.show_figure(fig, "lines")
nbenv.show_table(pd.DataFrame({"i": range(int(n))}), "numbers")
'''


def test_run_writes_ipynb_png_csv_and_manifest(tmp_path):
    src = tmp_path / "ok.py"
    src.write_text(OK)
    assert main(["notebook", "run", str(src), "--param", "n=5", "--out", str(tmp_path / "out")]) == 0
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["error"] is None
    (figure,) = manifest["figures"]
    assert figure["file"] == "lines.png" and figure["cell"] == 4
    assert figure["axes"] == [{"title": "two lines", "xlabel": "x", "ylabel": "y", "series": 2, "legend": True}]
    assert (out / "lines.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "numbers.csv").read_text().split() == ["i", "0", "1", "2", "3", "4"]  # n=5 from --param
    executed = json.loads((out / "ok.ipynb").read_text())
    assert any(o.get("output_type") == "display_data" for c in executed["cells"] for o in c.get("outputs", []))


def test_failing_cell_fails_the_run_with_its_number(tmp_path, capsys):
    src = tmp_path / "bad.py"
    src.write_text(OK.rstrip("\n").replace("import matplotlib.pyplot as plt", "1 / 0", 1) + "\n")
    assert main(["notebook", "run", str(src), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "bad: cell 4 failed: ZeroDivisionError: division by zero" in err[0]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["error"].startswith("bad: cell 4 failed")


def test_figure_without_labels_is_refused_by_the_helper(tmp_path, capsys):
    src = tmp_path / "unlabelled.py"
    src.write_text(OK.replace('ax.set_ylabel("y")\n', ""))
    assert main(["notebook", "run", str(src), "--out", str(tmp_path / "out")]) == 2
    assert "cell 4 failed: ValueError: figure 'lines', axes 0: missing ylabel" in capsys.readouterr().err


def test_unknown_notebook_and_bad_param_are_one_line_errors(capsys):
    assert main(["notebook", "run", "99_nope"]) == 2
    assert "is not a notebook; the notebooks are: 01_corpus_overview" in capsys.readouterr().err
    assert main(["notebook", "run", "01", "--param", "warehouse"]) == 2
    assert "--param takes name=value" in capsys.readouterr().err
    assert main(["notebook", "run", "01", "--param", "colour=red"]) == 2
    assert "unknown parameter(s) ['colour']" in capsys.readouterr().err
