"""What the annotate stage kept and dropped: stage_stats rows, the printed summary, the bias report.

`stage_stats_df` aggregates `annotated_docs` in Spark (one pass, grouped by category x
language, plus one exploded pass over `drop_reasons`); the rows are small (categories x
languages x reasons), so the summary and the bias report are plain Python over collected rows
and are tested without a JVM.

Bias report: for every rule and every language (and every category), the share of that group's
documents the rule dropped is compared with the share it dropped among all other documents. A
warning is printed when the group has at least `bias_min_docs` documents, its share is at
least `bias_min_ratio` times the rest's, and at least `bias_min_gap` higher (so 2 % vs 0.5 %
is not reported, 40 % vs 5 % is).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


def stage_stats_df(annotated, run_id: str, stage: str, bytes_per_token: float):
    """stage_stats rows of one annotate run: in/out rows (reason null) and one row per reason."""
    from pyspark.sql import functions as F

    tokens = lambda c: F.floor(c / F.lit(bytes_per_token)).cast("long")  # noqa: E731
    groups = annotated.groupBy("category", "lang").agg(
        F.count(F.lit(1)).alias("docs_in"),
        F.sum(F.col("kept").cast("long")).alias("docs_out"),
        F.sum(F.col("text_bytes").cast("long")).alias("bytes_in"),
        F.sum(F.when(F.col("kept"), F.col("text_bytes")).otherwise(0).cast("long")).alias("bytes_out"),
    )
    io_rows = groups.select(
        F.lit(run_id).alias("run_id"), F.lit(stage).alias("stage"), "category", "lang",
        F.lit(None).cast("string").alias("reason"), "docs_in", "docs_out", "bytes_in", "bytes_out",
        tokens(F.col("bytes_in")).alias("tokens_est_in"), tokens(F.col("bytes_out")).alias("tokens_est_out"),
        (F.col("docs_in") - F.col("docs_out")).alias("docs_dropped"),
    )
    per_reason = (annotated.select("category", "lang", F.explode("drop_reasons").alias("reason"), "text_bytes")
                  .groupBy("category", "lang", "reason")
                  .agg(F.count(F.lit(1)).alias("docs_dropped"),
                       F.sum(F.col("text_bytes").cast("long")).alias("bytes_dropped")))
    reason_rows = per_reason.join(groups, ["category", "lang"]).select(
        F.lit(run_id).alias("run_id"), F.lit(stage).alias("stage"), "category", "lang", "reason",
        "docs_in", "docs_out", "bytes_in", "bytes_out",
        tokens(F.col("bytes_in")).alias("tokens_est_in"), tokens(F.col("bytes_out")).alias("tokens_est_out"),
        "docs_dropped",
    )
    return io_rows.unionByName(reason_rows)


@dataclass(frozen=True)
class BiasWarning:
    """One rule removing a much larger share of one language/category than of the rest."""

    reason: str
    dimension: str
    """'lang' or 'category'."""
    group: str
    group_share: float
    rest_share: float
    group_docs: int

    def __str__(self) -> str:
        return (f"bias: {self.reason} drops {self.group_share:.1%} of {self.dimension}={self.group} "
                f"({self.group_docs} docs) vs {self.rest_share:.1%} of the rest")


def bias_warnings(rows: list[dict], min_ratio: float, min_gap: float, min_docs: int) -> list[BiasWarning]:
    """Bias warnings from stage_stats rows (dicts with category, lang, reason, docs_in, docs_dropped).

    Sorted by the gap between the group's and the rest's share, largest first.
    """
    out: list[BiasWarning] = []
    for dim in ("lang", "category"):
        docs: dict[str, int] = defaultdict(int)
        dropped: dict[tuple[str, str], int] = defaultdict(int)
        for row in rows:
            if row["reason"] is None:
                docs[row[dim]] += row["docs_in"]
            else:
                dropped[(row["reason"], row[dim])] += row["docs_dropped"]
        total = sum(docs.values())
        by_reason: dict[str, int] = defaultdict(int)
        for (reason, _), n in dropped.items():
            by_reason[reason] += n
        for (reason, group), n in dropped.items():
            n_group, n_rest = docs[group], total - docs[group]
            if n_group < min_docs or n_rest <= 0:
                continue
            share = n / n_group
            rest = (by_reason[reason] - n) / n_rest
            if share >= min_ratio * rest and share - rest >= min_gap:
                out.append(BiasWarning(reason, dim, group, share, rest, n_group))
    return sorted(out, key=lambda w: (-(w.group_share - w.rest_share), w.reason, w.dimension, w.group))


def summary_lines(rows: list[dict], seconds: float | None = None) -> list[str]:
    """Human-readable summary: totals, per category and per language in/out, count per reason."""
    io = [r for r in rows if r["reason"] is None]
    docs_in = sum(r["docs_in"] for r in io)
    docs_out = sum(r["docs_out"] for r in io)
    mb_in = sum(r["bytes_in"] for r in io) / 1e6
    mb_out = sum(r["bytes_out"] for r in io) / 1e6
    timing = f" in {seconds:.1f} s ({mb_in / seconds:.2f} MB/s)" if seconds else ""
    lines = [f"annotate: {docs_in} docs in, {docs_out} kept ({mb_in:.1f} MB in, {mb_out:.1f} MB kept){timing}"]
    for dim in ("category", "lang"):
        agg: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for r in io:
            a = agg[r[dim]]
            a[0] += r["docs_in"]; a[1] += r["docs_out"]; a[2] += r["tokens_est_in"]; a[3] += r["tokens_est_out"]  # noqa: E702
        lines.append(f"  by {dim}:  docs in -> kept   tokens(est) in -> kept")
        for key, (di, do, ti, to) in sorted(agg.items(), key=lambda kv: -kv[1][0]):
            lines.append(f"    {key:<14} {di:>8} -> {do:<8} {ti:>12} -> {to}")
    reasons: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["reason"] is not None:
            reasons[r["reason"]] += r["docs_dropped"]
    lines.append("  drops per reason (a document may have several):")
    for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"    {reason:<28} {n}")
    return lines


def missing_stop_word_warnings(rows: list[dict], listed: set[str], char_langs: set[str],
                               min_docs: int) -> list[str]:
    """One line per language of at least `min_docs` documents that has no stop-word list.

    Gopher's stop-word rule cannot judge those documents (the signal is null, the rule does
    not fire); the report says so instead of exempting them silently. Char-based languages
    (their own `cjk_stop_chars` rule) and "und" are left out.
    """
    docs: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["reason"] is None:
            docs[row["lang"]] += row["docs_in"]
    return [f"stop words: no list for lang={lang} ({n} docs): gopher_few_stop_words does not judge them"
            for lang, n in sorted(docs.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= min_docs and lang not in listed and lang not in char_langs and lang != "und"]
