# Databricks notebook source
# MAGIC %md
# MAGIC # 03 · Dedup clusters
# MAGIC
# MAGIC `dedup` links exact, URL and MinHash near-duplicates into clusters and keeps one representative
# MAGIC per cluster (`dedup_clusters`). This notebook shows the largest clusters, each removed member
# MAGIC against its representative as a diff, the similarity histogram, and how many documents and
# MAGIC tokens each near-duplicate threshold would keep (the `flywheel dedup --report` computation, in Spark).

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
dbutils.widgets.text("clusters", "5", "largest clusters shown")
dbutils.widgets.dropdown("threshold_report", "yes", ["yes", "no"], "compute the threshold report (starts Spark)")
warehouse = dbutils.widgets.get("warehouse")
config = dbutils.widgets.get("config")
clusters = dbutils.widgets.get("clusters")
threshold_report = dbutils.widgets.get("threshold_report")

# COMMAND ----------

import difflib

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

cfg = nbenv.config(warehouse, config)
for needed in ("dedup_clusters", "annotated_docs"):
    if not nbenv.table_exists(cfg, needed):
        raise FileNotFoundError(f"table {needed} is missing in {warehouse}: run flywheel annotate and dedup first")
members = nbenv.read_table(cfg, "dedup_clusters")
docs = nbenv.read_table(cfg, "annotated_docs", ["doc_id", "lang", "category", "text_masked", "n_words", "text_bytes"])
docs = docs.set_index("doc_id")
print(f"{members['cluster_id'].nunique()} clusters holding {len(members)} documents; "
      f"{int((~members['kept']).sum())} removed")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Largest clusters

# COMMAND ----------

sizes = (members.groupby("cluster_id")
         .agg(size=("doc_id", "count"), representative=("representative", "first"),
              methods=("method", lambda m: ", ".join(sorted(set(m)))),
              min_similarity=("similarity", "min"))
         .reset_index().sort_values(["size", "cluster_id"], ascending=[False, True]))
sizes["removed_words"] = sizes["cluster_id"].map(
    members[~members["kept"]].set_index("doc_id").join(docs["n_words"]).groupby("cluster_id")["n_words"].sum())
sizes["lang"] = sizes["representative"].map(docs["lang"])
sizes["category"] = sizes["representative"].map(docs["category"])
sizes["representative_text"] = sizes["representative"].map(lambda d: nbenv.excerpt(docs["text_masked"].get(d), 120))
nbenv.show_table(sizes, "largest_clusters", max_rows=int(clusters))

fig, ax = plt.subplots(figsize=(7, 4))
size_counts = sizes["size"].value_counts().sort_index()
ax.bar(size_counts.index.astype(str), size_counts.to_numpy())
ax.set_xlabel("documents in the cluster")
ax.set_ylabel("clusters")
ax.set_title("dedup_clusters: cluster sizes")
nbenv.show_figure(fig, "cluster_sizes")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Representative against members
# MAGIC For the largest clusters, each removed member against the kept representative: a word-level
# MAGIC unified diff (`-` only in the representative, `+` only in the member). Exact duplicates show no
# MAGIC difference; near-duplicates show the words that differ.

# COMMAND ----------

def word_diff(a: str, b: str, context: int = 3) -> list[str]:
    """Unified diff of two texts, one word per line, without the file header."""
    lines = difflib.unified_diff(a.split(), b.split(), "representative", "member", n=context, lineterm="")
    return list(lines)[2:]


pairs = []
near_first = sizes.assign(near=sizes["methods"].str.contains("minhash")).sort_values(["near", "size"], ascending=False)
for cluster in near_first["cluster_id"].head(int(clusters)):
    group = members[members["cluster_id"] == cluster]
    rep = group["representative"].iloc[0]
    for _, member in group[~group["kept"]].iterrows():
        a, b = docs["text_masked"].get(rep, ""), docs["text_masked"].get(member["doc_id"], "")
        diff = word_diff(a, b)
        ratio = difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()
        pairs.append({"cluster_id": cluster[:12], "representative": rep[:12], "member": member["doc_id"][:12],
                      "method": member["method"], "similarity": member["similarity"], "difflib_ratio": round(ratio, 4),
                      "changed_words": sum(1 for line in diff if line[:1] in "+-" and not line.startswith("@@"))})
        print(f"cluster {cluster[:12]}  kept {rep[:12]}  removed {member['doc_id'][:12]}  method {member['method']}  "
              f"similarity {member['similarity']}")
        print("\n".join(diff[:40]) if diff else "  (identical text)")
        print()
nbenv.show_table(pd.DataFrame(pairs), "representative_vs_members", max_rows=50)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Similarity
# MAGIC Jaccard similarity of each removed document to its representative, estimated from the MinHash
# MAGIC signatures (exact duplicates are 1.0; URL duplicates have none).

# COMMAND ----------

removed = members[~members["kept"]]
fig, ax = plt.subplots(figsize=(7, 4))
bins = np.linspace(0, 1, 21)
for method in sorted(removed["method"].unique()):
    values = removed.loc[removed["method"] == method, "similarity"].dropna()
    ax.hist(values, bins=bins, alpha=0.7, label=f"{method} ({len(values)})")
ax.axvline(cfg.dedup.threshold, color="black", linestyle="--", linewidth=1, label=f"dedup.threshold {cfg.dedup.threshold}")
ax.set_xlabel("estimated Jaccard similarity to the representative")
ax.set_ylabel("removed documents")
ax.set_title("dedup: similarity of removed documents")
ax.legend()
nbenv.show_figure(fig, "similarity_histogram")
nbenv.show_table(removed.groupby("method")["similarity"].describe().reset_index(), "similarity_by_method")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Threshold against retained tokens
# MAGIC How many documents and (estimated) tokens each of `dedup.report_thresholds` would keep. The MinHash
# MAGIC signatures are computed once in Spark (the local session from spark_jobs/session.py, or Databricks'
# MAGIC `spark`), then every threshold re-cuts the LSH bands from them (spark_jobs/dedup_report.py).

# COMMAND ----------

if threshold_report == "yes":
    from spark_jobs.dedup_report import keep_report
    from spark_jobs.dedup_signatures import compute_signatures, lsh_params
    from tables.spark_tables import read_table as spark_table

    try:
        spark
    except NameError:
        spark = nbenv.get_spark(cfg)
    kept_docs = spark_table(spark, cfg, "annotated_docs").where("kept")
    bands, rows = lsh_params(cfg.dedup)
    signatures = compute_signatures(kept_docs, cfg.dedup, bands, rows).persist()
    report = pd.DataFrame(keep_report(signatures, cfg.dedup, cfg.dedup.report_thresholds))
    signatures.unpersist()
    report["docs_share"] = (report["docs_kept"] / report["docs_total"]).round(4)
    report["tokens_share"] = (report["tokens_est_kept"] / report["tokens_est_total"]).round(4)
    nbenv.show_table(report, "threshold_report")

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(report["threshold"], report["tokens_share"], marker="o", label="tokens (estimated) kept")
    ax.plot(report["threshold"], report["docs_share"], marker="s", label="documents kept")
    ax.axvline(cfg.dedup.threshold, color="black", linestyle="--", linewidth=1, label="dedup.threshold")
    ax.set_xlabel("near-duplicate Jaccard threshold")
    ax.set_ylabel("share of the filtered corpus kept")
    ax.set_title("dedup: threshold against retained data")
    ax.legend()
    nbenv.show_figure(fig, "threshold_vs_tokens")
else:
    nbenv.note("Threshold report skipped (`threshold_report` widget is `no`).")
