# Databricks notebook source
# MAGIC %md
# MAGIC # 01 · Corpus overview
# MAGIC
# MAGIC What the warehouse holds: rows and size of every table, where the documents came from, their
# MAGIC languages and categories, and how long they are. Reads `raw_docs`, `quarantine`,
# MAGIC `annotated_docs` and `curated_docs`.

# COMMAND ----------

# Databricks defines `dbutils` (and `spark`); elsewhere notebook_env stands in for the widgets.
import notebook_env as nbenv

try:
    dbutils
except NameError:
    dbutils = nbenv.LocalDbutils()

# COMMAND ----------

dbutils.widgets.text("warehouse", "warehouse", "Delta warehouse folder (or s3a:// URL)")
dbutils.widgets.text("config", "", "extra config YAML files, comma-separated")
warehouse = dbutils.widgets.get("warehouse")
config = dbutils.widgets.get("config")

# COMMAND ----------

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from tables.catalog import TABLES

cfg = nbenv.config(warehouse, config)
for needed in ("raw_docs", "annotated_docs"):
    if not nbenv.table_exists(cfg, needed):
        raise FileNotFoundError(f"table {needed} is missing in {warehouse}: run flywheel ingest and annotate first")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Tables
# MAGIC Rows and stored size of every table of the catalog that this warehouse has.

# COMMAND ----------

import pyarrow as pa

from tables import delta_rs

rows = []
for name in TABLES:
    if not nbenv.table_exists(cfg, name):
        continue
    table = delta_rs.open_table(cfg, name)
    files = pa.table(table.get_add_actions(flatten=True)).to_pandas()  # one row per live Parquet file
    rows.append({"table": name, "rows": int(files["num_records"].sum()), "files": len(files),
                 "mb_on_disk": round(float(files["size_bytes"].sum()) / 1e6, 3), "delta_version": table.version()})
sizes = pd.DataFrame(rows)
nbenv.show_table(sizes, "table_sizes")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Sources
# MAGIC Documents and text bytes per source of `raw_docs`, and what the ingest put in `quarantine`.

# COMMAND ----------

raw = nbenv.read_table(cfg, "raw_docs", ["doc_id", "source", "format", "text_bytes"])
by_source = (raw.groupby(["source", "format"]).agg(docs=("doc_id", "count"), mb=("text_bytes", "sum"))
             .reset_index().sort_values("docs", ascending=False))
by_source["mb"] = (by_source["mb"] / 1e6).round(3)
nbenv.show_table(by_source, "docs_by_source")

fig, ax = plt.subplots(figsize=(8, 4))
ax.barh(by_source["source"] + " (" + by_source["format"] + ")", by_source["docs"], color="tab:blue")
ax.invert_yaxis()
ax.set_xlabel("documents")
ax.set_ylabel("source (format)")
ax.set_title("raw_docs: documents per source")
nbenv.show_figure(fig, "docs_by_source")

if nbenv.table_exists(cfg, "quarantine"):
    quarantine = nbenv.read_table(cfg, "quarantine", ["stage", "reason", "raw_bytes"])
    nbenv.show_table(quarantine.groupby(["stage", "reason"]).size().reset_index(name="records"), "quarantine_by_reason")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Languages and categories
# MAGIC Every annotated document against the ones the filters kept (`annotated_docs.kept`) and the
# MAGIC ones left after dedup (`curated_docs`).

# COMMAND ----------

annotated = nbenv.read_table(cfg, "annotated_docs", ["doc_id", "lang", "category", "kept", "n_words", "text_bytes"])
curated_ids = (set(nbenv.read_table(cfg, "curated_docs", ["doc_id"])["doc_id"])
               if nbenv.table_exists(cfg, "curated_docs") else set())
annotated["curated"] = annotated["doc_id"].isin(curated_ids)


def counts(by: str) -> pd.DataFrame:
    out = annotated.groupby(by).agg(docs=("doc_id", "count"), kept=("kept", "sum"), curated=("curated", "sum"))
    out["kept_share"] = (out["kept"] / out["docs"]).round(3)
    return out.reset_index().sort_values("docs", ascending=False)


by_lang, by_category = counts("lang"), counts("category")
nbenv.show_table(by_lang, "docs_by_lang")
nbenv.show_table(by_category, "docs_by_category")

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for ax, frame, key in ((axes[0], by_lang, "lang"), (axes[1], by_category, "category")):
    x = np.arange(len(frame))
    for offset, column in ((-0.27, "docs"), (0.0, "kept"), (0.27, "curated")):
        ax.bar(x + offset, frame[column], width=0.27, label={"docs": "annotated", "kept": "kept by the filters",
                                                             "curated": "curated (after dedup)"}[column])
    ax.set_xticks(x, frame[key], rotation=45, ha="right")
    ax.set_xlabel(key)
    ax.set_ylabel("documents")
    ax.set_title(f"documents per {key}")
    ax.legend()
nbenv.show_figure(fig, "docs_by_lang_and_category")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Lengths
# MAGIC Document length in UTF-8 bytes (log scale) and in words, kept against dropped.

# COMMAND ----------

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
bins = np.logspace(np.log10(max(1, annotated["text_bytes"].min())), np.log10(annotated["text_bytes"].max() + 1), 30)
for kept, label in ((True, "kept"), (False, "dropped")):
    part = annotated[annotated["kept"] == kept]
    axes[0].hist(part["text_bytes"], bins=bins, alpha=0.6, label=label)
    axes[1].hist(part["n_words"], bins=30, alpha=0.6, label=label)
axes[0].set_xscale("log")
axes[0].set_xlabel("document length (UTF-8 bytes, log scale)")
axes[1].set_xlabel("document length (words)")
for ax in axes:
    ax.set_ylabel("documents")
    ax.legend()
axes[0].set_title("length in bytes")
axes[1].set_title("length in words")
fig.suptitle("annotated_docs: length histograms")
nbenv.show_figure(fig, "length_histograms")

lengths = (annotated.groupby("lang")["text_bytes"].describe(percentiles=[0.5, 0.9])
           [["count", "mean", "50%", "90%", "max"]].round(1).reset_index())
nbenv.show_table(lengths, "length_by_lang")
