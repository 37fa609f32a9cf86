"""Grafana dashboards of flywheel, as code (grafana-foundation-sdk), written as JSON.

    python -m monitoring.dashboards          # rewrite monitoring/grafana/dashboards/*.json

The JSON is committed so a stock Grafana can load it without this library (the `dev` extra);
tests/monitoring/test_dashboards.py checks that it is what this module generates, that uids
and panel ids are unique, that every datasource is the provisioned one and that every metric a
query names is in monitoring/metrics.py (or is a recording rule of monitoring/prometheus).

Curation dashboards show one pipeline run at a time (`$run_id`, newest first): batch jobs push
one group per job and run id, so summing across runs would count a re-run twice. Batch values
are instant queries (the last value pushed); trainer values are time series.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GRAFANA_DIR = Path(__file__).resolve().parent / "grafana"
DASHBOARD_DIR = GRAFANA_DIR / "dashboards"
DATASOURCE_UID = "flywheel-prometheus"
"""uid of the datasource in grafana/provisioning/datasources/flywheel.yml."""
RUN = 'run_id=~"$run_id"'
ANNOTATE = 'stage="annotate"'
TOKENIZE = 'stage="tokenize_docs"'
WIDTH = 24  # Grafana's grid is 24 columns wide


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class P:
    """One panel: kind (timeseries | bargauge | stat | table), title, unit, queries, width, description."""

    kind: str
    title: str
    queries: tuple[Query, ...]
    unit: str = "short"
    width: int = 12
    description: str = ""


def q(expr: str, legend: str = "") -> Query:
    return Query(expr, legend)


def by_run(metric: str, extra: str = "") -> str:
    """`metric{run_id=~"$run_id", extra}`."""
    return f"{metric}{{{RUN}{', ' + extra if extra else ''}}}"


def curation_funnel() -> tuple[str, str, list[tuple[str, list[P]]]]:
    def per_stage(kind: str) -> P:
        names = {"docs": "Documents", "bytes": "Bytes", "tokens": "Tokens (est.)"}
        return P("bargauge", f"{names[kind]} in and out per stage", (
            q(f"sum by (stage) ({by_run(f'flywheel_{kind}_in_total')})", "{{stage}} in"),
            q(f"sum by (stage) ({by_run(f'flywheel_{kind}_out_total')})", "{{stage}} out")),
            unit="bytes" if kind == "bytes" else "short", width=8,
            description="Tokens are bytes / bytes_per_token until tokenize_docs counts them.")

    def drop_share(dim: str) -> P:
        known = f'{dim}!=""'
        return P("bargauge", f"Drop share per {dim} and stage", (q(
            f"1 - sum by (stage, {dim}) ({by_run('flywheel_docs_out_total', known)}) "
            f"/ sum by (stage, {dim}) ({by_run('flywheel_docs_in_total', known)})", "{{stage}} {{" + dim + "}}"),),
            unit="percentunit", width=8)

    rows = [
        ("What each stage kept", [
            per_stage("docs"), per_stage("bytes"), per_stage("tokens"),
            P("bargauge", "Kept share of documents per stage", (q(
                f"sum by (stage) ({by_run('flywheel_docs_out_total')}) / sum by (stage) ({by_run('flywheel_docs_in_total')})",
                "{{stage}}"),), unit="percentunit"),
            P("table", "Kept tokens (est.) per category and language", (q(
                f"sum by (category, lang) ({by_run('flywheel_tokens_out_total', ANNOTATE)})"),)),
        ]),
        ("Why documents were dropped", [
            P("bargauge", "Drops per reason", (q(
                f"sort_desc(sum by (stage, reason) ({by_run('flywheel_docs_dropped_total')}))", "{{stage}} {{reason}}"),),
                description="A document may have several reasons: they add up to more than the documents dropped."),
            P("bargauge", "Drop share of a language vs the other languages (bias)", (
                q(f"flywheel:drop_share:by_lang{{{RUN}}}", "{{stage}} {{lang}}"),
                q(f"flywheel:drop_share:rest_of_langs{{{RUN}}}", "{{stage}} all but {{lang}}")), unit="percentunit",
                description="The bias report of annotate; the FlywheelLanguageDropBias alert fires on it."),
            drop_share("lang"), drop_share("category"),
            P("bargauge", "Drops per reason and language", (q(
                f"topk(20, sum by (reason, lang) ({by_run('flywheel_docs_dropped_total')}))", "{{reason}} {{lang}}"),),
                width=8),
        ]),
        ("Quarantine, tables, time", [
            P("bargauge", "Quarantined records per reason", (q(
                f"sum by (stage, reason) ({by_run('flywheel_docs_quarantined_total')})", "{{stage}} {{reason}}"),), width=6),
            P("bargauge", "Rows written per table", (q(
                f"sum by (stage, table) ({by_run('flywheel_rows_written_total')})", "{{stage}} → {{table}}"),), width=6),
            P("bargauge", "Stage duration", (q(
                f"max by (stage) ({by_run('flywheel_stage_duration_seconds')})", "{{stage}}"),), unit="s", width=6),
            P("stat", "Since each stage last finished", (q(
                f"time() - max by (stage) ({by_run('flywheel_stage_last_success_timestamp_seconds')})", "{{stage}}"),),
                unit="s", width=6),
        ]),
    ]
    return "flywheel-curation", "flywheel / curation funnel", rows


def dedup() -> tuple[str, str, list[tuple[str, list[P]]]]:
    d = 'stage="dedup"'
    rows = [("Dedup", [
        P("stat", "Documents in and curated", (
            q(f"sum({by_run('flywheel_docs_in_total', d)})", "in"),
            q(f"sum({by_run('flywheel_docs_out_total', d)})", "curated")), width=8),
        P("stat", "Share removed as duplicates", (q(
            f"1 - sum({by_run('flywheel_docs_out_total', d)}) / sum({by_run('flywheel_docs_in_total', d)})"),),
            unit="percentunit", width=8),
        P("stat", "Boilerplate lines removed", (q(f"sum({by_run('flywheel_boilerplate_lines_total')})"),), width=8),
        P("bargauge", "Removed per method", (q(
            f"sum by (method) ({by_run('flywheel_duplicates_total')})", "{{method}}"),),
            description="The method that joined a removed document to its cluster: exact before url before minhash."),
        P("bargauge", "Near-duplicate threshold per category", (q(
            f"max by (category) ({by_run('flywheel_dedup_threshold_ratio')})", "{{category}}"),),
            description="Empty category: dedup.threshold; others: dedup.category_thresholds."),
        P("stat", "Duplicate clusters", (
            q(f"max({by_run('flywheel_dedup_clusters')})", "clusters"),
            q(f"max({by_run('flywheel_dedup_clustered_docs')})", "documents in clusters")), width=8),
        P("stat", "Largest cluster", (q(f"max({by_run('flywheel_dedup_largest_cluster_docs')})", "documents"),),
          width=8, description="A template page or a mirrored site shows up here first."),
        P("bargauge", "Share of tokens (est.) dedup removed per category and language", (q(
            f"1 - sum by (category, lang) ({by_run('flywheel_tokens_out_total', d)}) "
            f"/ sum by (category, lang) ({by_run('flywheel_tokens_in_total', d)})", "{{category}} {{lang}}"),),
            unit="percentunit", width=8),
        P("bargauge", "Dedup duration", (q(f"max({by_run('flywheel_stage_duration_seconds', d)})", "dedup"),),
          unit="s", width=24),
    ])]
    return "flywheel-dedup", "flywheel / dedup", rows


def mix() -> tuple[str, str, list[tuple[str, list[P]]]]:
    def per_group(metric: str, title: str, unit: str = "short", width: int = 12) -> P:
        return P("bargauge", title, (q(f"max by (chunk, group) ({by_run(metric)})", "chunk {{chunk}} {{group}}"),),
                 unit=unit, width=width)

    rows = [
        ("Mix per chunk", [
            P("table", "Target vs achieved share per chunk and group", (
                q(f"max by (chunk, group) ({by_run('flywheel_mix_target_share')})", "target"),
                q(f"max by (chunk, group) ({by_run('flywheel_mix_achieved_share')})", "achieved")),
                unit="percentunit", width=24),
            P("bargauge", "Achieved minus target share", (q(
                f"max by (chunk, group) ({by_run('flywheel_mix_achieved_share')}) "
                f"- max by (chunk, group) ({by_run('flywheel_mix_target_share')})", "chunk {{chunk}} {{group}}"),),
                unit="percentunit"),
            per_group("flywheel_mix_shortfall_tokens", "Shortfall tokens per chunk and group"),
            per_group("flywheel_mix_reused_docs", "Reused occurrences (used by an earlier chunk)", width=8),
            per_group("flywheel_mix_upsampled_docs", "Upsampled occurrences (repeated inside the chunk)", width=8),
            P("bargauge", "Reuse share per chunk", (q(
                f"sum by (chunk) ({by_run('flywheel_mix_reused_docs')}) / sum by (chunk) ({by_run('flywheel_mix_placed_docs')})",
                "chunk {{chunk}}"),), unit="percentunit", width=8),
            P("bargauge", "Tokens per chunk", (q(
                f"max by (chunk) ({by_run('flywheel_mix_chunk_tokens')})", "chunk {{chunk}}"),), width=24),
        ]),
        ("Tokenizer", [
            P("stat", "Vocab size", (q(f"max by (version) ({by_run('flywheel_tokenizer_vocab_size')})", "{{version}}"),),
              width=6),
            P("bargauge", "Bytes per token on held-out documents", (q(
                f"max by (category, lang) ({by_run('flywheel_tokenizer_bytes_per_token')})", "{{category}} {{lang}}"),),
                width=9),
            P("bargauge", "Tokens counted by tokenize_docs", (q(
                f"sum({by_run('flywheel_tokens_out_total', TOKENIZE)})", "tokens"),), width=9),
        ]),
    ]
    return "flywheel-mix", "flywheel / tokenizer and mix", rows


def training() -> tuple[str, str, list[tuple[str, list[P]]]]:
    ts = "timeseries"
    rows = [
        ("Loss", [
            P(ts, "Loss", (q("flywheel_train_loss", "loss"),)),
            P(ts, "Channel loss per category", (q("flywheel_train_channel_loss", "{{category}}"),)),
            P(ts, "Gradient norm", (q("flywheel_train_grad_norm", "grad norm"),), width=8),
            P(ts, "Learning rate", (q("flywheel_train_learning_rate", "lr"),), width=8),
            P(ts, "Loss spikes and rollbacks", (q("flywheel_train_loss_spikes_total", "spikes"),
                                                q("flywheel_train_rollbacks_total", "rollbacks")), width=8),
        ]),
        ("Throughput and progress", [
            P(ts, "Tokens per second", (q("flywheel_train_tokens_per_second", "tokens/s"),
                                        q("quantile_over_time(0.5, flywheel_train_tokens_per_second[6h])", "6 h median")),
              description="The FlywheelThroughputDrop alert fires under half of the median."),
            P(ts, "Model FLOPs utilisation", (q("flywheel_train_mfu_ratio", "MFU"),), unit="percentunit",
              description="Empty on devices whose peak FLOPs are unknown."),
            P(ts, "Step and chunk", (q("flywheel_train_step_id", "step"), q("flywheel_train_chunk_id", "chunk")),
              width=8),
            P(ts, "Seconds since the last checkpoint", (q("time() - flywheel_train_checkpoint_timestamp_seconds", "age"),),
              unit="s", width=8),
            P(ts, "Data-loading share of step time", (q("flywheel_train_data_wait_ratio", "waiting for data"),),
              unit="percentunit", width=8),
        ]),
    ]
    return "flywheel-training", "flywheel / training", rows


def evaluation() -> tuple[str, str, list[tuple[str, list[P]]]]:
    ts = "timeseries"
    rows = [("Eval over checkpoints", [
        P(ts, "Perplexity per category", (q("flywheel_eval_perplexity", "{{category}}"),)),
        P(ts, "Bits per byte per category", (q("flywheel_eval_bits_per_byte", "{{category}}"),)),
        P(ts, "Probes", (q("flywheel_eval_probe_score", "{{probe}}"),)),
        P(ts, "Chunk of the evaluated checkpoint", (q("flywheel_eval_checkpoint_chunk_id", "chunk"),)),
    ])]
    return "flywheel-eval", "flywheel / eval", rows


DASHBOARDS = (curation_funnel, dedup, mix, training, evaluation)
CURATION = ("flywheel-curation", "flywheel-dedup", "flywheel-mix")
"""Dashboards fed by the batch jobs (the integration test queries every panel of these)."""


def build(spec) -> dict:
    """One dashboard as Grafana JSON (a dict), built with grafana-foundation-sdk."""
    from grafana_foundation_sdk.builders import bargauge, dashboard, prometheus, stat, table, timeseries
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models.dashboard import DataSourceRef, VariableRefresh, VariableSort
    from grafana_foundation_sdk.models.prometheus import PromQueryFormat

    uid, title, rows = spec()
    ds = DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
    kinds = {"timeseries": timeseries.Panel, "bargauge": bargauge.Panel, "stat": stat.Panel, "table": table.Panel}
    board = (dashboard.Dashboard(title).uid(uid).tags(["flywheel"]).refresh("1m").editable()
             .time("now-24h" if uid in CURATION else "now-6h", "now"))
    if uid in CURATION:
        board = board.with_variable(
            dashboard.QueryVariable("run_id").label("run").datasource(ds)
            .query("label_values(flywheel_stage_last_success_timestamp_seconds, run_id)")
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED).sort(VariableSort.ALPHABETICAL_DESC))
    panel_id = 0
    for row_title, panels in rows:
        panel_id += 1
        board = board.with_row(dashboard.Row(row_title).id(panel_id))
        for p in panels:
            panel_id += 1
            panel = kinds[p.kind]().id(panel_id).title(p.title).unit(p.unit).span(p.width).height(8).datasource(ds)
            if p.description:
                panel = panel.description(p.description)
            for i, query in enumerate(p.queries):
                target = (prometheus.Dataquery().expr(query.expr).legend_format(query.legend or "__auto")
                          .ref_id(chr(ord("A") + i)).datasource(ds))
                if p.kind != "timeseries":
                    target = target.instant()
                if p.kind == "table":
                    target = target.format(PromQueryFormat.TABLE)
                panel = panel.with_target(target)
            board = board.with_panel(panel)
    return json.loads(JSONEncoder(sort_keys=True, indent=2).encode(board.build()))


def render_all() -> dict[str, str]:
    """{file name: JSON text} of every dashboard, as committed under grafana/dashboards/."""
    out = {}
    for spec in DASHBOARDS:
        board = build(spec)
        out[f"{board['uid']}.json"] = json.dumps(board, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def main() -> int:
    DASHBOARD_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in render_all().items():
        (DASHBOARD_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {DASHBOARD_DIR / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
