"""The one catalog of every metric flywheel exports, in Prometheus conventions.

Names start with `flywheel_`, use base units (`_seconds`, `_bytes`, ratios in 0..1 as `_ratio`),
counters end in `_total`, and labels only take values from small sets that the config or the
code bounds: stages, categories and languages (tens), drop/quarantine reasons (the rule names,
~60), dedup methods (3), mix groups (`mix.target_shares`), eval probes and tables (the catalog).
No label ever holds a document id, a URL, a path or a free-form message.

The one label whose values grow with time is `chunk` on the mix metrics: one value per chunk of
`mix.chunk_tokens` (1B tokens by default), so ~1,000 values for a 1T-token run, times the mix
groups. The trainer exports its chunk as a value (`flywheel_train_chunk_id`), never a label.
`run_id` (added by the export, not declared here) is the Pushgateway grouping label: one value
per pipeline run; old runs stay in the Pushgateway until deleted
(`curl -X DELETE <pushgateway>/metrics/job/<job>/run_id/<id>`).

Batch jobs export their counts once per run (monitoring/export.py: Pushgateway grouped by
`job` and `run_id`, or a textfile); the trainer serves its gauges from rank 0
(monitoring/serve.py). Dashboards and alert rules may only name metrics listed here
(tests/monitoring check that).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

COUNTER, GAUGE = "counter", "gauge"
NAME_RE = re.compile(r"^flywheel_[a-z][a-z0-9_]*$")
LABEL_VALUE_RE = re.compile(r"^[A-Za-z0-9_.:/@+-]{0,80}$")
"""A label value: a short token (`en`, `gopher_few_stop_words`, `code/en`, `bpe32768-…`). The
empty value means "not broken down" (Prometheus treats it as the label being absent)."""
FORBIDDEN_LABELS = frozenset({"doc_id", "url", "path", "source_file", "text", "error", "message", "step"})
"""Unbounded per-document or per-step values: never labels."""
BASE_UNITS = ("_total", "_seconds", "_bytes", "_ratio", "_tokens", "_docs", "_rows", "_share", "_lines",
              "_info", "_id", "_score", "_loss", "_per_second", "_perplexity", "_bits_per_byte", "_norm",
              "_rate", "_size", "_per_token", "_clusters")
"""Name endings that say what a value counts or measures (Prometheus: the unit goes last)."""


@dataclass(frozen=True)
class Metric:
    """One metric: its full exposition name, kind, help text and label names."""

    name: str
    kind: str
    help: str
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ValueError(f"metric name {self.name!r} must match {NAME_RE.pattern}")
        if self.kind not in (COUNTER, GAUGE):
            raise ValueError(f"metric {self.name}: kind must be counter or gauge, got {self.kind!r}")
        if (self.kind == COUNTER) != self.name.endswith("_total"):
            raise ValueError(f"metric {self.name}: counters and only counters end in _total")
        if not self.name.endswith(BASE_UNITS):
            raise ValueError(f"metric {self.name}: the name must end in its unit, one of {BASE_UNITS}")
        bad = FORBIDDEN_LABELS.intersection(self.labels)
        if bad:
            raise ValueError(f"metric {self.name}: labels {sorted(bad)} are unbounded")


DOC_LABELS = ("stage", "category", "lang")

JOB_METRICS = (
    Metric("flywheel_docs_in_total", COUNTER, "Documents a stage read (per category and language where the "
           "stage knows them; empty labels where it does not).", DOC_LABELS),
    Metric("flywheel_docs_out_total", COUNTER, "Documents a stage kept and passed on.", DOC_LABELS),
    Metric("flywheel_bytes_in_total", COUNTER, "UTF-8 text bytes a stage read.", DOC_LABELS),
    Metric("flywheel_bytes_out_total", COUNTER, "UTF-8 text bytes a stage kept.", DOC_LABELS),
    Metric("flywheel_tokens_in_total", COUNTER, "Tokens a stage read: bytes / bytes_per_token (an estimate) "
           "before tokenize_docs, counted from then on.", DOC_LABELS),
    Metric("flywheel_tokens_out_total", COUNTER, "Tokens a stage kept (estimated before tokenize_docs).",
           DOC_LABELS),
    Metric("flywheel_docs_dropped_total", COUNTER, "Documents a rule dropped, per reason (a document may have "
           "several reasons, so reasons add up to more than docs_in - docs_out).", DOC_LABELS + ("reason",)),
    Metric("flywheel_docs_quarantined_total", COUNTER, "Records sent to the quarantine table, per reason.",
           ("stage", "reason")),
    Metric("flywheel_duplicates_total", COUNTER, "Documents dedup removed, per method that joined them to their "
           "cluster (exact, url, minhash).", ("stage", "method")),
    Metric("flywheel_boilerplate_lines_total", COUNTER, "Lines or paragraphs dedup removed as boilerplate.",
           ("stage",)),
    Metric("flywheel_rows_written_total", COUNTER, "Rows a stage wrote (inserted or overwrote), per table.",
           ("stage", "table")),
    Metric("flywheel_stage_duration_seconds", GAUGE, "Wall time of the stage's last run.", ("stage",)),
    Metric("flywheel_stage_last_success_timestamp_seconds", GAUGE, "Unix time the stage last finished.",
           ("stage",)),
    Metric("flywheel_dedup_threshold_ratio", GAUGE, "Jaccard threshold of near-duplicates, per category "
           "(empty category: the default threshold).", ("category",)),
    Metric("flywheel_dedup_clusters", GAUGE, "Duplicate clusters (two or more documents) of the last dedup run."),
    Metric("flywheel_dedup_clustered_docs", GAUGE, "Documents that fell in a duplicate cluster, kept ones included."),
    Metric("flywheel_dedup_largest_cluster_docs", GAUGE, "Documents in the largest duplicate cluster (a template "
           "or a mirrored site shows up here first)."),
    Metric("flywheel_tokenizer_vocab_size", GAUGE, "Vocabulary size of the tokenizer just trained.", ("version",)),
    Metric("flywheel_tokenizer_bytes_per_token", GAUGE, "UTF-8 bytes per token on held-out documents.",
           ("category", "lang")),
    Metric("flywheel_mix_target_share", GAUGE, "Target token share of a mix group in a chunk.", ("chunk", "group")),
    Metric("flywheel_mix_achieved_share", GAUGE, "Token share a mix group got in a chunk.", ("chunk", "group")),
    Metric("flywheel_mix_shortfall_tokens", GAUGE, "Tokens a group's supply fell short of its target in a chunk.",
           ("chunk", "group")),
    Metric("flywheel_mix_placed_docs", GAUGE, "Document occurrences placed in a chunk, per group.",
           ("chunk", "group")),
    Metric("flywheel_mix_upsampled_docs", GAUGE, "Occurrences that repeat a document inside the chunk.",
           ("chunk", "group")),
    Metric("flywheel_mix_reused_docs", GAUGE, "Occurrences of documents an earlier chunk already used.",
           ("chunk", "group")),
    Metric("flywheel_mix_chunk_tokens", GAUGE, "Tokens of a chunk (whole blocks of seq_len + 1).", ("chunk",)),
)

TRAIN_METRICS = (
    Metric("flywheel_train_loss", GAUGE, "Mean training loss of the last log window (NaN/Inf fire an alert)."),
    Metric("flywheel_train_channel_loss", GAUGE, "Mean loss of the last log window per document category.",
           ("category",)),
    Metric("flywheel_train_tokens_per_second", GAUGE, "Training throughput over the last log window, all ranks."),
    Metric("flywheel_train_tokens_total", COUNTER, "Tokens trained on since the run started, all ranks."),
    Metric("flywheel_train_mfu_ratio", GAUGE, "Model FLOPs utilisation (0..1); only exported when the peak FLOPs "
           "of the device are known."),
    Metric("flywheel_train_grad_norm", GAUGE, "Gradient norm before clipping, last step."),
    Metric("flywheel_train_learning_rate", GAUGE, "Learning rate of the last step."),
    Metric("flywheel_train_step_id", GAUGE, "Optimizer step the trainer has reached."),
    Metric("flywheel_train_chunk_id", GAUGE, "Chunk the trainer is reading."),
    Metric("flywheel_train_checkpoint_timestamp_seconds", GAUGE, "Unix time of the last checkpoint saved "
           "(age = time() - this)."),
    Metric("flywheel_train_loss_spikes_total", COUNTER, "Loss spikes the spike guard saw."),
    Metric("flywheel_train_rollbacks_total", COUNTER, "Rollbacks to the last chunk checkpoint."),
    Metric("flywheel_train_data_wait_ratio", GAUGE, "Share of step time spent waiting for data (0..1)."),
)

EVAL_METRICS = (
    Metric("flywheel_eval_perplexity", GAUGE, "Perplexity of the held-out documents per category, last "
           "evaluated checkpoint.", ("category",)),
    Metric("flywheel_eval_bits_per_byte", GAUGE, "Bits per UTF-8 byte per category, last evaluated checkpoint.",
           ("category",)),
    Metric("flywheel_eval_probe_score", GAUGE, "Value of an eval probe (conf: probes), last evaluated checkpoint.",
           ("probe",)),
    Metric("flywheel_eval_checkpoint_chunk_id", GAUGE, "Chunk of the checkpoint the eval metrics belong to."),
)

CATALOG: dict[str, Metric] = {m.name: m for m in JOB_METRICS + TRAIN_METRICS + EVAL_METRICS}


class UnknownMetricError(KeyError):
    """A metric name or label set that the catalog does not declare."""


def metric(name: str) -> Metric:
    """The catalog entry of `name`; raises UnknownMetricError naming the closest entries."""
    try:
        return CATALOG[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, CATALOG, n=2)
        raise UnknownMetricError(f"metric {name!r} is not in monitoring/metrics.py (close: {close})") from None


def check_labels(name: str, labels: dict[str, str]) -> tuple[str, ...]:
    """Label values of `labels` in the catalog's order; raises ValueError for a wrong or unbounded set."""
    m = metric(name)
    if set(labels) != set(m.labels):
        raise ValueError(f"metric {name} takes labels {list(m.labels)}, got {sorted(labels)}")
    values = tuple(str(labels[k]) for k in m.labels)
    for key, value in zip(m.labels, values):
        if not LABEL_VALUE_RE.match(value):
            raise ValueError(f"metric {name}: label {key}={value!r} is not a short token ({LABEL_VALUE_RE.pattern})")
    return values
