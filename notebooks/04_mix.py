# Databricks notebook source
# MAGIC %md
# MAGIC # 04 · The mix
# MAGIC
# MAGIC Each chunk of `blocks` was sampled towards target shares per group (category, language or
# MAGIC `category/lang`); its `chunks` row records target and achieved shares, shortfall and repetition.
# MAGIC `usage` counts how often every document went into a chunk. Reads `chunks` and `usage`.

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
dbutils.widgets.text("top_reused", "10", "most reused documents shown")
warehouse = dbutils.widgets.get("warehouse")
config = dbutils.widgets.get("config")
top_reused = dbutils.widgets.get("top_reused")

# COMMAND ----------

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

cfg = nbenv.config(warehouse, config)
if not nbenv.table_exists(cfg, "chunks"):
    raise FileNotFoundError(f"table chunks is missing in {warehouse}: run flywheel mix first")
chunks = nbenv.read_table(cfg, "chunks").sort_values("chunk_id")
nbenv.show_table(chunks[["chunk_id", "status", "tokens", "blocks", "seq_len", "tokenizer_version", "usage_version",
                         "step", "loss", "checkpoint"]], "chunks")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Target against achieved shares, per chunk

# COMMAND ----------

rows = []
for _, chunk in chunks.iterrows():
    target, achieved = json.loads(chunk["target_shares"]), json.loads(chunk["achieved_shares"])
    shortfall, repetition = json.loads(chunk["shortfall"]), json.loads(chunk["repetition"])
    for group in sorted(set(target) | set(achieved)):
        rep = repetition.get(group, {})
        rows.append({"chunk_id": int(chunk["chunk_id"]), "group": group, "target_share": target.get(group, 0.0),
                     "achieved_share": achieved.get(group, 0.0),
                     "error": round(achieved.get(group, 0.0) - target.get(group, 0.0), 6),
                     "shortfall_tokens": shortfall.get(group, 0), "occurrences": rep.get("occurrences", 0),
                     "upsampled": rep.get("upsampled", 0), "reused": rep.get("reused", 0)})
shares = pd.DataFrame(rows)
nbenv.show_table(shares, "target_vs_achieved", max_rows=60)

chunk_ids = list(chunks["chunk_id"])
fig, axes = plt.subplots(1, len(chunk_ids), figsize=(max(6, 5 * len(chunk_ids)), 4), sharey=True, squeeze=False)
for ax, chunk_id in zip(axes[0], chunk_ids):
    part = shares[shares["chunk_id"] == chunk_id]
    x = np.arange(len(part))
    ax.bar(x - 0.2, part["target_share"], width=0.4, label="target")
    ax.bar(x + 0.2, part["achieved_share"], width=0.4, label="achieved")
    ax.set_xticks(x, part["group"], rotation=45, ha="right")
    ax.set_xlabel("group")
    ax.set_ylabel("share of the chunk's tokens")
    ax.set_title(f"chunk {chunk_id}")
    ax.legend()
fig.suptitle("mix: target against achieved shares")
fig.tight_layout()
nbenv.show_figure(fig, "target_vs_achieved")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Phase
# MAGIC A mix with phases (e.g. a final high-quality anneal) records the phase of each chunk.

# COMMAND ----------

if "phase" in chunks.columns and chunks["phase"].notna().any():
    phases = chunks.assign(phase=chunks["phase"].fillna("(no plan)"))
    nbenv.show_table(phases.groupby("phase", sort=False).agg(chunks=("chunk_id", "count"), tokens=("tokens", "sum"),
                                                            first_chunk=("chunk_id", "min"), last_chunk=("chunk_id", "max"))
                     .reset_index(), "chunks_per_phase")
    fig, ax = plt.subplots(figsize=(8, 3))
    for phase, part in phases.groupby("phase", sort=False):
        ax.bar(part["chunk_id"].astype(str), part["tokens"], label=phase)
    ax.set_xlabel("chunk")
    ax.set_ylabel("tokens")
    ax.set_title("mix phase of each chunk")
    ax.legend()
    nbenv.show_figure(fig, "phases")
else:
    nbenv.note("No mixing phases: the `chunks` rows of this warehouse carry no `phase` (`mix.phases` unset), so every "
               "chunk was mixed with the one `mix.target_shares` of its run.")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Reuse
# MAGIC `usage.times_used`: how many times a document's tokens went into a chunk (the next mix
# MAGIC down-weights documents by it, `mix.usage_curve`).

# COMMAND ----------

usage = nbenv.read_table(cfg, "usage")
reuse = usage.groupby("times_used").agg(docs=("doc_id", "count"), tokens=("tokens_used", "sum")).reset_index()
nbenv.show_table(reuse, "reuse_counts")

fig, ax = plt.subplots(figsize=(7, 4))
ax.bar(reuse["times_used"].astype(str), reuse["docs"])
ax.set_xlabel("times used (usage.times_used)")
ax.set_ylabel("documents")
ax.set_title("usage: how often documents were fed to the trainer")
nbenv.show_figure(fig, "reuse_histogram")

most = usage.sort_values(["times_used", "tokens_used", "doc_id"], ascending=[False, False, True]).head(int(top_reused))
if nbenv.table_exists(cfg, "curated_docs"):
    curated = nbenv.read_table(cfg, "curated_docs", ["doc_id", "lang", "category", "text"]).set_index("doc_id")
    most = most.join(curated, on="doc_id")
    most["text"] = most["text"].map(lambda t: nbenv.excerpt(t, 100))
nbenv.show_table(most, "most_reused")
