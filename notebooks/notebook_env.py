"""What the notebooks of this folder share: widgets off Databricks, the config, tables, figures.

Not a notebook (no `# Databricks notebook source` header): Databricks imports it as a workspace
file from the notebook's folder, Jupyter kernels started by `flywheel notebook run` find it on
PYTHONPATH. Nothing outside `notebooks/` imports it.

- `LocalDbutils`: stands in for `dbutils.widgets` where there is no Databricks; a widget reads
  the environment variable `FLYWHEEL_WIDGET_<NAME>` (upper case), else its default.
- `read_table`: a table as pandas, through the active Spark session when there is one (Databricks,
  or a notebook that started one), else with delta-rs (no JVM, seconds faster).
- `show_figure` / `show_table`: display a figure or a result table and tag the output with what
  it is (name; title, axis labels and legend of each axes; columns and rows), so
  `flywheel notebook run` can write them out as PNG / CSV and check them without looking inside.
"""
from __future__ import annotations

import io
import os

FIGURE_DPI = 100
META = "flywheel"  # the output-metadata key flywheel.notebooks_run.execute reads


class _Widgets:
    def __init__(self):
        self._defaults: dict[str, str] = {}

    def _declare(self, name: str, default, *_rest, **_kw) -> None:
        self._defaults[name] = str(default)

    text = dropdown = combobox = multiselect = _declare

    def get(self, name: str) -> str:
        env = os.environ.get(f"FLYWHEEL_WIDGET_{name.upper()}")
        if env is not None:
            return env
        if name not in self._defaults:
            raise KeyError(f"widget {name!r} was never declared (declared: {sorted(self._defaults)})")
        return self._defaults[name]

    def removeAll(self) -> None:  # noqa: N802 (Databricks' name)
        self._defaults.clear()


class LocalDbutils:
    """`dbutils` off Databricks: only `dbutils.widgets`, backed by env variables and defaults."""

    def __init__(self):
        self.widgets = _Widgets()


def config(warehouse: str, config_files: str = ""):
    """The pipeline config with `spark.warehouse` set; `config_files`: comma-separated YAML files."""
    from conf import load_config

    files = [f.strip() for f in config_files.split(",") if f.strip()]
    return load_config(files, [f"spark.warehouse={warehouse}"])


def active_spark():
    """The running SparkSession (Databricks' `spark`, or one a cell started), else None."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


def get_spark(cfg):
    """The active session, or a new one from the project's builder (spark_jobs.session)."""
    from spark_jobs.session import get_spark as build

    return build(cfg, "notebook")


def table_exists(cfg, name: str) -> bool:
    """True when table `name` has been written to the warehouse."""
    from tables import delta_rs

    return delta_rs.exists(cfg, name)


def read_table(cfg, name: str, columns: list[str] | None = None):
    """Table `name` as a pandas DataFrame (Spark when a session is active, else delta-rs)."""
    spark = active_spark()
    if spark is not None:
        from tables.spark_tables import read_table as spark_read

        df = spark_read(spark, cfg, name)
        return (df.select(*columns) if columns else df).toPandas()
    from tables import delta_rs

    return delta_rs.read_arrow(cfg, name, columns=columns).to_pandas()


def table_versions(cfg, name: str):
    """Every Delta version of table `name` as (version, pandas DataFrame), oldest first (small tables)."""
    from tables import delta_rs

    newest = delta_rs.open_table(cfg, name).version()
    return [(v, delta_rs.read_arrow(cfg, name, version=v).to_pandas()) for v in range(newest + 1)]


def _axes_info(ax) -> dict:
    handles, labels = ax.get_legend_handles_labels()
    series = [label for label in labels if label and not label.startswith("_")]
    return {"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "series": len(series), "legend": ax.get_legend() is not None}


def show_figure(fig, name: str) -> dict:
    """Display `fig` as a PNG named `name` and close it; refuses an unreadable figure.

    Every plotting axes (colorbars aside) needs a title (its own or the figure's), both axis
    labels, and a legend when it holds several labelled series: a ValueError names what is missing.
    """
    from IPython.display import Image, display

    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    axes = [a for a in fig.axes if not hasattr(a, "_colorbar")]
    infos = [_axes_info(a) for a in axes]
    for i, info in enumerate(infos):
        missing = [k for k in ("xlabel", "ylabel") if not info[k]]
        if not (info["title"] or suptitle):
            missing.append("title")
        if info["series"] > 1 and not info["legend"]:
            missing.append("legend")
        if missing:
            raise ValueError(f"figure {name!r}, axes {i}: missing {', '.join(missing)}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    meta = {"name": name, "suptitle": suptitle, "axes": infos}
    display(Image(data=buf.getvalue(), format="png"), metadata={META: {"figure": meta}})
    return meta


def show_table(df, name: str, max_rows: int = 30) -> None:
    """Display the first `max_rows` rows of pandas `df` and tag the output with the whole table as CSV."""
    from IPython.display import display

    meta = {"name": name, "columns": [str(c) for c in df.columns], "rows": int(len(df)),
            "csv": df.to_csv(index=False)}
    shown = df.head(max_rows)
    display({"text/html": shown.to_html(index=False, escape=True), "text/plain": shown.to_string(index=False)},
            raw=True, metadata={META: {"table": meta}})


def note(markdown: str) -> None:
    """Display a markdown note (e.g. why a section has nothing to show)."""
    from IPython.display import Markdown, display

    display(Markdown(markdown))


def excerpt(text: str | None, chars: int = 200) -> str:
    """The first `chars` characters on one line (newlines shown as ⏎)."""
    text = (text or "")[:chars]
    return text.replace("\n", " ⏎ ")
