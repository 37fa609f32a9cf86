# Databricks notebook source
# MAGIC %md
# MAGIC # 02 · What the filters dropped
# MAGIC
# MAGIC `annotate` keeps every signal as a column of `annotated_docs` and lists every rule that fired
# MAGIC in `drop_reasons`. This notebook counts the drops per rule, per language and per category,
# MAGIC shows dropped documents beside the signal values and thresholds that made each rule fire
# MAGIC (as `flywheel inspect --stage annotate` does), and runs the bias report of the annotate job.

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
dbutils.widgets.text("docs_per_reason", "3", "dropped documents shown per rule")
warehouse = dbutils.widgets.get("warehouse")
config = dbutils.widgets.get("config")
docs_per_reason = dbutils.widgets.get("docs_per_reason")

# COMMAND ----------

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from spark_jobs.annotate_report import bias_warnings
from udfs.category import CATEGORIES
from udfs.rules import RULES, threshold_table

cfg = nbenv.config(warehouse, config)
if not nbenv.table_exists(cfg, "annotated_docs"):
    raise FileNotFoundError(f"table annotated_docs is missing in {warehouse}: run flywheel annotate first")
signals = sorted({r.signal for r in RULES} | {"pii_total"})
annotated = nbenv.read_table(cfg, "annotated_docs", ["doc_id", "source", "lang", "category", "kept", "drop_reasons",
                                                     "text_masked", *signals])
annotated["drop_reasons"] = annotated["drop_reasons"].apply(list)
drops = annotated[["doc_id", "lang", "category", "drop_reasons"]].explode("drop_reasons").dropna(subset=["drop_reasons"])
drops = drops.rename(columns={"drop_reasons": "reason"})
print(f"{len(annotated)} documents, {int((~annotated['kept']).sum())} dropped, {len(drops)} rule firings")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Drops per rule
# MAGIC A document may be dropped by several rules; each firing counts once here.

# COMMAND ----------

per_rule = (drops.groupby("reason").agg(docs=("doc_id", "nunique")).reset_index()
            .sort_values("docs", ascending=False))
per_rule["share_of_all_docs"] = (per_rule["docs"] / len(annotated)).round(4)
only = annotated[annotated["drop_reasons"].apply(len) == 1].explode("drop_reasons")
per_rule["only_reason"] = per_rule["reason"].map(only["drop_reasons"].value_counts()).fillna(0).astype(int)
nbenv.show_table(per_rule, "drops_per_rule")

fig, ax = plt.subplots(figsize=(8, max(3, 0.35 * len(per_rule) + 1)))
ax.barh(per_rule["reason"], per_rule["docs"], label="documents the rule fired on")
ax.barh(per_rule["reason"], per_rule["only_reason"], label="... and the only rule that fired")
ax.invert_yaxis()
ax.set_xlabel("documents")
ax.set_ylabel("drop reason")
ax.set_title("annotate: drops per rule")
ax.legend()
nbenv.show_figure(fig, "drops_per_rule")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Per language and category
# MAGIC Share of each group's documents that each rule dropped.

# COMMAND ----------

def drop_share(by: str) -> pd.DataFrame:
    fired = drops.groupby([by, "reason"])["doc_id"].nunique().unstack(fill_value=0)
    return fired.div(annotated.groupby(by).size().reindex(fired.index), axis=0)


fig, axes = plt.subplots(1, 2, figsize=(16, max(3.5, 0.35 * len(per_rule) + 1.5)))
tables = {}
for ax, by in zip(axes, ("lang", "category")):
    share = drop_share(by).reindex(sorted(annotated[by].unique()), fill_value=0.0).T
    tables[by] = share
    image = ax.imshow(share.to_numpy(), aspect="auto", cmap="Reds", vmin=0, vmax=1)
    ax.set_xticks(range(share.shape[1]), share.columns, rotation=45, ha="right")
    ax.set_yticks(range(share.shape[0]), share.index)
    for (i, j), value in np.ndenumerate(share.to_numpy()):
        if value > 0:
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8)
    ax.set_xlabel(by)
    ax.set_ylabel("drop reason")
    ax.set_title(f"share of each {by}'s documents dropped")
    fig.colorbar(image, ax=ax, label="share dropped", pad=0.02)
fig.tight_layout()
nbenv.show_figure(fig, "drop_share_by_lang_and_category")

per_group = (drops.groupby(["lang", "category", "reason"])["doc_id"].nunique().reset_index(name="docs_dropped")
             .merge(annotated.groupby(["lang", "category"]).size().reset_index(name="docs_in"), on=["lang", "category"]))
per_group["share"] = (per_group["docs_dropped"] / per_group["docs_in"]).round(4)
nbenv.show_table(per_group.sort_values("docs_dropped", ascending=False), "drops_by_lang_category_reason")

# COMMAND ----------

# MAGIC %md
# MAGIC ## Dropped documents and the values that tripped the rules
# MAGIC For each rule, a few dropped documents (a deterministic sample by doc_id) with the signal value,
# MAGIC the comparison and the threshold of that document's category, beside the start of the text.

# COMMAND ----------

thresholds = threshold_table(cfg.annotate)  # (categories, rules)
rule_index = {r.reason: i for i, r in enumerate(RULES)}
rows = []
for reason in per_rule["reason"]:
    docs = annotated[annotated["drop_reasons"].apply(lambda rs: reason in rs)].sort_values("doc_id")
    for _, doc in docs.head(int(docs_per_reason)).iterrows():
        if reason in rule_index:
            rule = RULES[rule_index[reason]]
            cat = CATEGORIES.index(doc["category"]) if doc["category"] in CATEGORIES else CATEGORIES.index("web")
            signal, value = rule.signal, doc[rule.signal]
            test = f"{'<' if rule.key.startswith('min_') else '>'} annotate.{rule.family}.{rule.key}"
            threshold = thresholds[cat, rule_index[reason]]
        else:  # decided outside the rule table (pii_over_budget)
            signal, value, test, threshold = "pii_total", doc["pii_total"], "> pii budget", np.nan
        rows.append({"reason": reason, "doc_id": doc["doc_id"][:12], "lang": doc["lang"], "category": doc["category"],
                     "signal": signal, "value": value, "test": test, "threshold": threshold,
                     "other_reasons": ", ".join(r for r in doc["drop_reasons"] if r != reason),
                     "text": nbenv.excerpt(doc["text_masked"], 160)})
examples = pd.DataFrame(rows)
nbenv.show_table(examples, "dropped_examples", max_rows=60)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Bias report
# MAGIC For every rule and every language (and category): the share of that group's documents the rule
# MAGIC dropped against its share among all other documents. The annotate job warns when the group has at
# MAGIC least `annotate.stats.bias_min_docs` documents and its share is `bias_min_ratio` times and
# MAGIC `bias_min_gap` above the rest's (spark_jobs/annotate_report.py); the table shows every comparison.

# COMMAND ----------

groups = annotated.groupby(["category", "lang"]).size().reset_index(name="docs_in")
stats_rows = [dict(r, reason=None, docs_dropped=0) for r in groups.to_dict("records")]
stats_rows += [dict(r, docs_in=0) for r in drops.groupby(["category", "lang", "reason"])["doc_id"].nunique()
               .reset_index(name="docs_dropped").to_dict("records")]
st = cfg.annotate.stats
warnings = bias_warnings(stats_rows, st.bias_min_ratio, st.bias_min_gap, st.bias_min_docs)
flagged = {(w.reason, w.dimension, w.group) for w in warnings}

comparison = []
for dim in ("lang", "category"):
    sizes = annotated.groupby(dim).size()
    for (reason, group), n in drops.groupby(["reason", dim])["doc_id"].nunique().items():
        rest_docs = len(annotated) - sizes[group]
        rest = (drops[(drops["reason"] == reason) & (drops[dim] != group)]["doc_id"].nunique() / rest_docs
                if rest_docs else np.nan)
        comparison.append({"reason": reason, "dimension": dim, "group": group, "group_docs": int(sizes[group]),
                           "group_share": round(n / sizes[group], 4), "rest_share": round(rest, 4),
                           "flagged": (reason, dim, group) in flagged})
bias = pd.DataFrame(comparison).sort_values(["flagged", "group_share"], ascending=False)
nbenv.show_table(bias, "bias_report")
if warnings:
    print("\n".join(str(w) for w in warnings))
else:
    nbenv.note(f"No rule passes the bias thresholds (ratio ≥ {st.bias_min_ratio}, gap ≥ {st.bias_min_gap:.0%}, "
               f"group ≥ {st.bias_min_docs} documents).")

fig, ax = plt.subplots(figsize=(6, 5))
for dim, marker in (("lang", "o"), ("category", "s")):
    part = bias[bias["dimension"] == dim]
    ax.scatter(part["rest_share"], part["group_share"], marker=marker, label=f"by {dim}")
ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="same share")
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.set_xlabel("share dropped among the other documents")
ax.set_ylabel("share dropped in the group")
ax.set_title("bias: one group against the rest, per rule")
ax.legend()
nbenv.show_figure(fig, "bias_scatter")
