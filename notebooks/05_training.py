# Databricks notebook source
# MAGIC %md
# MAGIC # 05 · Training
# MAGIC
# MAGIC One training run: the loss rank 0 logged at every log step (`<run_dir>/train_log.jsonl`), the
# MAGIC loss per document category (`train_metrics`), rollbacks after loss spikes (the `chunks` rows
# MAGIC that went `rolled_back`, the `excluded_docs` they wrote), the checkpoint of every chunk
# MAGIC (`chunks` and `<run_dir>/checkpoints`), and the evaluation of those checkpoints (`eval_results`,
# MAGIC when the run has been evaluated).

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
dbutils.widgets.text("run_dir", "runs/demo", "the training run folder (train.run_dir)")
dbutils.widgets.text("run_id", "", "run id in the tables (empty: the run folder's name)")
warehouse = dbutils.widgets.get("warehouse")
config = dbutils.widgets.get("config")
run_dir = dbutils.widgets.get("run_dir")
run_id = dbutils.widgets.get("run_id")

# COMMAND ----------

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

cfg = nbenv.config(warehouse, config)
run = Path(run_dir)
run_id = run_id or run.resolve().name  # the trainer's default (trainer/lifecycle/run.py)
log_path = run / "train_log.jsonl"
if not log_path.exists():
    raise FileNotFoundError(f"{log_path} does not exist: point the run_dir widget at a run folder of flywheel train")
log = pd.DataFrame([json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()])
chunks = nbenv.read_table(cfg, "chunks").sort_values("chunk_id") if nbenv.table_exists(cfg, "chunks") else None
print(f"run {run_id}: {len(log)} logged steps, last step {int(log['step'].max())}, chunks {sorted(log['chunk'].unique())}")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Loss over steps
# MAGIC Dashed lines: the step at which each chunk's checkpoint `chunk-<k>` was written.

# COMMAND ----------

# A resumed or rolled-back run logs the steps after its checkpoint again; the last record of a step wins.
steps = log.drop_duplicates("step", keep="last").sort_values("step")
trained = chunks[chunks["step"].notna()] if chunks is not None else pd.DataFrame(columns=["chunk_id", "step"])
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for chunk_id, part in steps.groupby("chunk"):
    axes[0].plot(part["step"], part["loss"], marker=".", label=f"chunk {chunk_id}")
for i, (_, chunk) in enumerate(trained.iterrows()):
    axes[0].axvline(chunk["step"], color="grey", linestyle="--", linewidth=1,
                    label="chunk checkpoint" if i == 0 else None)
axes[0].set_xlabel("step")
axes[0].set_ylabel("training loss (nats per token)")
axes[0].set_title("loss")
axes[0].legend()
axes[1].plot(steps["step"], steps["lr"], color="tab:purple")
axes[1].set_xlabel("step")
axes[1].set_ylabel("learning rate")
axes[1].set_title("learning-rate schedule")
fig.suptitle(f"training run {run_id}")
fig.tight_layout()
nbenv.show_figure(fig, "loss_over_steps")
nbenv.show_table(steps[["step", "chunk", "loss", "lr", "grad_norm", "tokens_per_s"]], "train_log")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Channel loss
# MAGIC Mean loss of each category's tokens at every log step (`train_metrics`; `_all` is the whole batch).

# COMMAND ----------

if nbenv.table_exists(cfg, "train_metrics"):
    metrics = nbenv.read_table(cfg, "train_metrics")
    metrics = metrics[metrics["run_id"] == run_id].sort_values("step")
else:
    metrics = pd.DataFrame()
if len(metrics):
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for category, part in metrics.groupby("category"):
        ax.plot(part["step"], part["loss"], marker=".", linewidth=2.5 if category == "_all" else 1,
                color="black" if category == "_all" else None, label=category)
    ax.set_xlabel("step")
    ax.set_ylabel("loss of the category's tokens (nats)")
    ax.set_title(f"channel loss per category, run {run_id}")
    ax.legend(ncol=2, fontsize=8)
    nbenv.show_figure(fig, "channel_loss")
    last = metrics.sort_values("step").groupby("category").tail(1)
    nbenv.show_table(last[["category", "step", "chunk_id", "loss", "tokens"]], "channel_loss_last")
else:
    nbenv.note(f"`train_metrics` has no rows for run `{run_id}`.")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Rollbacks
# MAGIC A loss spike sends the run back to the previous chunk checkpoint and marks the chunk `rolled_back`;
# MAGIC the Delta history of `chunks` keeps every such transition, `excluded_docs` the documents blamed.

# COMMAND ----------

events = []
if chunks is not None:
    previous = {}
    for version, frame in nbenv.table_versions(cfg, "chunks"):
        for row in frame.to_dict("records"):
            if row["status"] == "rolled_back" and previous.get(row["chunk_id"]) != "rolled_back":
                events.append({"chunks_version": version, "chunk_id": row["chunk_id"], "step": row["step"]})
            previous[row["chunk_id"]] = row["status"]
rollbacks = pd.DataFrame(events, columns=["chunks_version", "chunk_id", "step"])
repeats = log["step"].diff().fillna(1)
restarts = log[repeats <= 0][["step", "chunk"]].rename(columns={"step": "resumed_at_step"})
if nbenv.table_exists(cfg, "excluded_docs"):
    excluded = nbenv.read_table(cfg, "excluded_docs")
    excluded = excluded[excluded["run_id"] == run_id]
    rollbacks = rollbacks.merge(excluded.groupby(["chunk_id", "step"]).size().reset_index(name="excluded_docs"),
                                on=["chunk_id", "step"], how="left")
if len(rollbacks):
    nbenv.show_table(rollbacks, "rollbacks")
else:
    nbenv.note("No rollback: no chunk of this warehouse was ever marked `rolled_back`.")
if len(restarts):
    nbenv.show_table(restarts, "restarts")
else:
    nbenv.note("The log never goes back a step: the run was neither resumed nor rolled back.")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Checkpoints per chunk

# COMMAND ----------

def folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 3) if path.exists() else 0.0


ckpt_root = run / "checkpoints"
latest = (ckpt_root / "LATEST").read_text().strip() if (ckpt_root / "LATEST").exists() else None
folders = sorted(p for p in ckpt_root.iterdir() if p.is_dir()) if ckpt_root.exists() else []
on_disk = pd.DataFrame([{"checkpoint": f"checkpoints/{p.name}", "mb": folder_mb(p), "latest": p.name == latest}
                        for p in folders], columns=["checkpoint", "mb", "latest"])
if chunks is not None:
    per_chunk = chunks[["chunk_id", "status", "step", "loss", "checkpoint", "tokens"]].merge(
        on_disk, on="checkpoint", how="outer")
else:
    per_chunk = on_disk
nbenv.show_table(per_chunk, "checkpoints")

done = per_chunk.dropna(subset=["chunk_id", "step"]) if "step" in per_chunk else pd.DataFrame()
if len(done):
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(done["chunk_id"].astype(int).astype(str), done["loss"])
    for x, (_, row) in enumerate(done.iterrows()):
        ax.annotate(f"step {int(row['step'])}", (x, row["loss"]), ha="center", va="bottom", fontsize=8)
    ax.set_xlabel("chunk")
    ax.set_ylabel("loss over the chunk's last log window")
    ax.set_title("loss at each chunk checkpoint")
    nbenv.show_figure(fig, "checkpoint_loss")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Evaluation
# MAGIC Held-out perplexity per category and the probes, per evaluated checkpoint (`eval_results`).

# COMMAND ----------

results = nbenv.read_table(cfg, "eval_results") if nbenv.table_exists(cfg, "eval_results") else pd.DataFrame()
if len(results):
    results = results[results["run_id"] == run_id]
if not len(results):
    nbenv.note(f"No evaluation yet: `eval_results` {'has no rows for run `' + run_id + '`' if nbenv.table_exists(cfg, 'eval_results') else 'does not exist in this warehouse'}. "
               "Evaluate the run's checkpoints to fill this section.")
else:
    nbenv.show_table(results.sort_values(["suite", "task", "step"]), "eval_results", max_rows=60)
    perplexity = results[results["metric"] == "perplexity"]
    if len(perplexity):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        for task, part in perplexity.groupby("task"):
            part = part.sort_values("step")
            ax.plot(part["step"], part["value"], marker="o", label=task)
        ax.set_xlabel("step of the evaluated checkpoint")
        ax.set_ylabel("perplexity")
        ax.set_yscale("log")
        ax.set_title("held-out perplexity per task")
        ax.legend(fontsize=8)
        nbenv.show_figure(fig, "eval_perplexity")
    probes = results[results["suite"] == "probes"]
    if len(probes):
        nbenv.show_table(probes.pivot_table(index=["task", "metric"], columns="step", values="value").reset_index(),
                         "probes")
