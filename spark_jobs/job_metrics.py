"""The metrics of each job, read from the summary its `run` already computed (no extra pass).

Each job ends its `run` with `report(cfg, "<job>", summary)`, which turns the summary into
samples of the catalog (monitoring/metrics.py) and exports them (monitoring/export.py:
Pushgateway when `monitoring.pushgateway` is set, else a textfile under the warehouse).
`report` returns the summary unchanged, so the call can wrap a `return`.

What each stage knows: annotate breaks documents, bytes and tokens down by category x
language (its `stage_stats` rows), and so do dedup (in: annotate's kept documents, out:
curated_docs) and tokenize_docs; ingest reports totals (its labels `category` and `lang` are
empty: documents get them in annotate); train_tokenizer
reports its sample per category; mix its target vs achieved share per chunk and group.
"""
from __future__ import annotations

import time

from conf.schema import PipelineConfig
from monitoring.export import Sample, record, target_for

ALL = {"category": "", "lang": ""}


def _docs(stage: str, labels: dict[str, str], **values: float) -> list[Sample]:
    """Samples of flywheel_<key>_total for each of docs_in, bytes_out, ... given."""
    return [Sample(f"flywheel_{key}_total", v, {"stage": stage, **labels}) for key, v in values.items()
            if v is not None]


def _groups(stage: str, groups: list[dict], direction: str, bpt: float) -> list[Sample]:
    """docs/bytes/tokens_<direction> per category x language; tokens estimated when not counted."""
    out = []
    for g in groups:
        tokens = g["tokens"] if g.get("tokens") is not None else round(g["bytes"] / bpt)
        out += _docs(stage, {"category": g["category"], "lang": g["lang"]},
                     **{f"docs_{direction}": g["docs"], f"bytes_{direction}": g["bytes"], f"tokens_{direction}": tokens})
    return out


def _job(stage: str, seconds: float, rows: dict[str, int]) -> list[Sample]:
    out = [Sample("flywheel_stage_duration_seconds", seconds, {"stage": stage}),
           Sample("flywheel_stage_last_success_timestamp_seconds", time.time(), {"stage": stage})]
    return out + [Sample("flywheel_rows_written_total", n, {"stage": stage, "table": t}) for t, n in rows.items()]


def ingest_samples(summary: dict, cfg: PipelineConfig) -> list[Sample]:
    """Records read, documents accepted, quarantine per reason, rows added."""
    quarantined = summary["quarantined"]
    bpt = cfg.annotate.stats.bytes_per_token
    out = _docs("ingest", ALL, docs_in=summary["records_read"],
                docs_out=summary["docs_read"] - quarantined.get("duplicate_doc_id", 0),
                bytes_in=summary["text_bytes"], tokens_in=round(summary["text_bytes"] / bpt),
                # Decoded documents' bytes; a repeated doc id's copy is counted here, not in docs_out.
                bytes_out=summary["text_bytes"], tokens_out=round(summary["text_bytes"] / bpt))
    out += [Sample("flywheel_docs_quarantined_total", n, {"stage": "ingest", "reason": r})
            for r, n in sorted(quarantined.items())]
    return out + _job("ingest", summary["seconds"], {"raw_docs": summary["docs_added"],
                                                     "quarantine": summary["quarantine_added"]})


def annotate_samples(result: dict, cfg: PipelineConfig) -> list[Sample]:
    """stage_stats rows: in/out per category x language, drops per reason."""
    out = []
    for r in result["rows"]:
        labels = {"category": r["category"] or "", "lang": r["lang"] or ""}
        if r["reason"] is None:
            out += _docs("annotate", labels, docs_in=r["docs_in"], docs_out=r["docs_out"], bytes_in=r["bytes_in"],
                         bytes_out=r["bytes_out"], tokens_in=r["tokens_est_in"], tokens_out=r["tokens_est_out"])
        else:
            out.append(Sample("flywheel_docs_dropped_total", r["docs_dropped"],
                              {"stage": "annotate", **labels, "reason": r["reason"]}))
    docs = sum(r["docs_in"] for r in result["rows"] if r["reason"] is None)
    return out + _job("annotate", result["seconds"], {"annotated_docs": docs, "stage_stats": len(result["rows"])})


def dedup_samples(summary: dict, cfg: PipelineConfig) -> list[Sample]:
    """Documents, bytes, tokens in/out per category x language, clusters, removals per method,
    boilerplate lines, thresholds in use."""
    removed = summary["removed"]
    bpt = cfg.annotate.stats.bytes_per_token
    c = summary["clusters"]
    out = _groups("dedup", summary["groups_in"], "in", bpt) + _groups("dedup", summary["groups_out"], "out", bpt)
    out += [Sample("flywheel_dedup_clusters", c["clusters"], {}),
            Sample("flywheel_dedup_clustered_docs", c["docs"], {}),
            Sample("flywheel_dedup_largest_cluster_docs", c["largest"], {})]
    out += [Sample("flywheel_duplicates_total", n, {"stage": "dedup", "method": m}) for m, n in sorted(removed.items())]
    out.append(Sample("flywheel_boilerplate_lines_total", summary["boilerplate_removed"], {"stage": "dedup"}))
    out.append(Sample("flywheel_dedup_threshold_ratio", cfg.dedup.threshold, {"category": ""}))
    out += [Sample("flywheel_dedup_threshold_ratio", t, {"category": c})
            for c, t in sorted(cfg.dedup.category_thresholds.items())]
    return out + _job("dedup", summary["seconds"], {"curated_docs": summary["curated_docs"]})


def tokenize_docs_samples(stats: dict, cfg: PipelineConfig) -> list[Sample]:
    """Documents, bytes and (counted) tokens of the tokenized partition per category x language."""
    bpt = cfg.annotate.stats.bytes_per_token
    out = _groups("tokenize_docs", stats["groups"], "in", bpt) + _groups("tokenize_docs", stats["groups"], "out", bpt)
    return out + _job("tokenize_docs", stats["seconds"], {"tokenized_docs": stats["docs"]})


def train_tokenizer_samples(meta: dict, cfg: PipelineConfig) -> list[Sample]:
    """Sample per category, vocab size, bytes per token per category x language."""
    out = [s for c, n in sorted(meta["sample"]["per_category"].items())
           for s in _docs("train_tokenizer", {"category": c, "lang": ""}, docs_in=n)]
    out.append(Sample("flywheel_tokenizer_vocab_size", meta["vocab_size"], {"version": meta["version"]}))
    out += [Sample("flywheel_tokenizer_bytes_per_token", r["bytes_per_token"], {"category": r["category"], "lang": r["lang"]})
            for r in meta["compression"]]
    return out + _job("train_tokenizer", meta["seconds"], {})


def mix_samples(summaries: list[dict], cfg: PipelineConfig) -> list[Sample]:
    """Per chunk: tokens; per chunk and group: target vs achieved share, shortfall, repetition."""
    out, rows, seconds = [], {"blocks": 0, "chunks": 0}, 0.0
    block_len = cfg.mix.seq_len + 1
    for s in summaries:
        chunk = str(s["chunk_id"])
        out.append(Sample("flywheel_mix_chunk_tokens", s["tokens"], {"chunk": chunk}))
        for group, g in sorted(s["groups"].items()):
            labels = {"chunk": chunk, "group": group}
            out += [Sample("flywheel_mix_target_share", g["target_share"], labels),
                    Sample("flywheel_mix_achieved_share", g["achieved_share"], labels),
                    Sample("flywheel_mix_shortfall_tokens", g["shortfall_tokens"], labels),
                    Sample("flywheel_mix_placed_docs", g["occurrences"], labels),
                    Sample("flywheel_mix_upsampled_docs", g["upsampled"], labels),
                    Sample("flywheel_mix_reused_docs", g["reused"], labels)]
        out += _docs("mix", ALL, tokens_out=s["tokens"])
        rows["blocks"] += s["tokens"] // block_len
        rows["chunks"] += 1
        seconds += s["seconds"]
    return out + _job("mix", seconds, rows)


SAMPLERS = {
    "ingest": ingest_samples,
    "annotate": annotate_samples,
    "dedup": dedup_samples,
    "tokenize_docs": tokenize_docs_samples,
    "train_tokenizer": train_tokenizer_samples,
    "mix": mix_samples,
}


def report(cfg: PipelineConfig, job: str, summary):
    """Export the metrics of `job` from its `summary`; returns `summary` unchanged."""
    record(target_for(cfg.monitoring, cfg.spark.warehouse), job, SAMPLERS[job](summary, cfg))
    return summary
