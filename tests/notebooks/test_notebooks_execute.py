"""Every notebook of notebooks/ executed end to end by `flywheel notebook run` against the demo warehouse.

Each notebook runs once (cached per session) in a real Jupyter kernel; the tests read what it
wrote: the PNG of every figure (real PNG, non-trivial size, title, axis labels, a legend where
the axes hold several series, as recorded in the manifest from the figure itself), and the CSV of
every result table (the columns named here, at least one row). The training notebook reads the
short 2-process CPU run of the fixture, once without `eval_results` (a markdown note, no crash)
and once on a copy of the warehouse with `eval_results` rows added.
"""
from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from flywheel.cli import main

pytestmark = pytest.mark.spark

MIN_PNG_BYTES = 5_000  # an empty 100-dpi axes is ~3 KB; every figure here draws data
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# notebook -> (figures it must write, {table: columns it must have})
EXPECTED = {
    "01_corpus_overview": (
        {"docs_by_source", "docs_by_lang_and_category", "length_histograms"},
        {"table_sizes": ["table", "rows", "files", "mb_on_disk", "delta_version"],
         "docs_by_source": ["source", "format", "docs", "mb"],
         "quarantine_by_reason": ["stage", "reason", "records"],
         "docs_by_lang": ["lang", "docs", "kept", "curated", "kept_share"],
         "docs_by_category": ["category", "docs", "kept", "curated", "kept_share"],
         "length_by_lang": ["lang", "count", "mean", "50%", "90%", "max"]}),
    "02_filter_drops": (
        {"drops_per_rule", "drop_share_by_lang_and_category", "bias_scatter"},
        {"drops_per_rule": ["reason", "docs", "share_of_all_docs", "only_reason"],
         "drops_by_lang_category_reason": ["lang", "category", "reason", "docs_dropped", "docs_in", "share"],
         "dropped_examples": ["reason", "doc_id", "lang", "category", "signal", "value", "test", "threshold",
                              "other_reasons", "text"],
         "bias_report": ["reason", "dimension", "group", "group_docs", "group_share", "rest_share", "flagged"]}),
    "03_dedup_clusters": (
        {"cluster_sizes", "similarity_histogram", "threshold_vs_tokens"},
        {"largest_clusters": ["cluster_id", "size", "representative", "methods", "min_similarity", "removed_words",
                              "lang", "category", "representative_text"],
         "representative_vs_members": ["cluster_id", "representative", "member", "method", "similarity",
                                       "difflib_ratio", "changed_words"],
         "similarity_by_method": ["method", "count", "mean", "std", "min", "25%", "50%", "75%", "max"],
         "threshold_report": ["threshold", "docs_kept", "docs_total", "words_kept", "bytes_kept", "tokens_est_kept",
                              "tokens_est_total", "docs_share", "tokens_share"]}),
    "04_mix": (
        {"target_vs_achieved", "reuse_histogram"},
        {"chunks": ["chunk_id", "status", "tokens", "blocks", "seq_len", "tokenizer_version", "usage_version", "step",
                    "loss", "checkpoint"],
         "target_vs_achieved": ["chunk_id", "group", "target_share", "achieved_share", "error", "shortfall_tokens",
                                "occurrences", "upsampled", "reused"],
         "reuse_counts": ["times_used", "docs", "tokens"],
         "most_reused": ["doc_id", "times_used", "tokens_used", "last_chunk_id", "lang", "category", "text"]}),
    "05_training": (
        {"loss_over_steps", "channel_loss", "checkpoint_loss"},
        {"train_log": ["step", "chunk", "loss", "lr", "grad_norm", "tokens_per_s"],
         "channel_loss_last": ["category", "step", "chunk_id", "loss", "tokens"],
         "checkpoints": ["chunk_id", "status", "step", "loss", "checkpoint", "tokens", "mb", "latest"]}),
}
EVAL_FIGURES = {"eval_perplexity"}
EVAL_TABLES = {"eval_results": ["run_id", "chunk_id", "step", "checkpoint", "suite", "task", "variant", "metric",
                                "value", "n", "evaluated_at"],
               "probes": ["task", "metric", "5", "10"]}

_RUNS: dict[str, dict] = {}


def execute(name: str, warehouse, demo: dict, out_dir) -> dict:
    """Run notebook `name` through the CLI; the manifest it wrote, with its folder."""
    argv = ["notebook", "run", name, "--warehouse", str(warehouse), "--param", f"config={demo['config_file']}",
            "--out", str(out_dir)]
    if name == "05_training":
        argv += ["--param", f"run_dir={demo['run_dir']}"]
    assert main(argv) == 0, (out_dir / "manifest.json").read_text() if (out_dir / "manifest.json").exists() else ""
    return {**json.loads((out_dir / "manifest.json").read_text()), "dir": out_dir}


@pytest.fixture
def executed(demo_warehouse, tmp_path_factory):
    def run(name: str) -> dict:
        if name not in _RUNS:
            _RUNS[name] = execute(name, demo_warehouse["warehouse"], demo_warehouse, tmp_path_factory.mktemp(name))
        return _RUNS[name]
    return run


def read_csv(path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def check_figures(manifest: dict, expected: set[str]) -> None:
    figures = {f["name"]: f for f in manifest["figures"]}
    assert expected <= set(figures), f"missing figures {sorted(expected - set(figures))}"
    for name in expected:
        figure = figures[name]
        png = (manifest["dir"] / figure["file"]).read_bytes()
        assert png[:8] == PNG_MAGIC and len(png) >= MIN_PNG_BYTES, (name, len(png))
        assert figure["axes"], name
        for axes in figure["axes"]:
            assert axes["title"] or figure["suptitle"], (name, axes)
            assert axes["xlabel"] and axes["ylabel"], (name, axes)
            assert axes["series"] <= 1 or axes["legend"], (name, axes)


def check_tables(manifest: dict, expected: dict[str, list[str]]) -> None:
    tables = {t["name"]: t for t in manifest["tables"]}
    assert set(expected) <= set(tables), f"missing tables {sorted(set(expected) - set(tables))}"
    for name, columns in expected.items():
        header, rows = read_csv(manifest["dir"] / tables[name]["file"])
        assert header == columns, name
        assert rows and tables[name]["rows"] == len(rows), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs_and_writes_readable_figures(executed, name):
    manifest = executed(name)
    assert manifest["error"] is None
    assert (manifest["dir"] / f"{name}.ipynb").exists()
    check_figures(manifest, EXPECTED[name][0])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_result_tables_have_their_columns_and_rows(executed, name):
    check_tables(executed(name), EXPECTED[name][1])


def test_corpus_overview_counts_match_the_input(executed, demo_warehouse):
    manifest = executed("01_corpus_overview")
    header, rows = read_csv(manifest["dir"] / "docs_by_source.csv")
    assert [r[:3] for r in rows] == [["nbtest", "jsonl", str(demo_warehouse["docs"])]]
    header, rows = read_csv(manifest["dir"] / "quarantine_by_reason.csv")
    assert [r for r in rows] == [["ingest", "malformed_json", "1"]]


def test_filter_notebook_shows_the_short_pages_with_their_word_counts(executed):
    header, rows = read_csv(executed("02_filter_drops")["dir"] / "dropped_examples.csv")
    few_words = [dict(zip(header, r)) for r in rows if r[0] == "gopher_few_words"]
    assert few_words and all(float(r["value"]) < float(r["threshold"]) == 50.0 for r in few_words)


def test_dedup_notebook_finds_the_exact_copies_and_near_duplicates(executed, demo_warehouse):
    header, rows = read_csv(executed("03_dedup_clusters")["dir"] / "representative_vs_members.csv")
    pairs = [dict(zip(header, r)) for r in rows]
    assert any(p["changed_words"] == "0" for p in pairs)  # an exact copy: no difference
    assert any(int(p["changed_words"]) > 0 for p in pairs)  # a near-duplicate: the changed words
    header, rows = read_csv(executed("03_dedup_clusters")["dir"] / "threshold_report.csv")
    kept = [int(r[header.index("docs_kept")]) for r in rows]
    assert kept == sorted(kept)  # a higher threshold never keeps fewer documents


def test_training_notebook_without_eval_results_says_so(executed):
    manifest = executed("05_training")
    nb = json.loads((manifest["dir"] / "05_training.ipynb").read_text())
    notes = ["".join(o["data"].get("text/markdown", "")) for c in nb["cells"] for o in c.get("outputs", [])
             if o.get("output_type") == "display_data"]
    assert any("No evaluation yet" in n and "does not exist" in n for n in notes)
    _, rows = read_csv(manifest["dir"] / "checkpoints.csv")
    assert {r[4] for r in rows} >= {"checkpoints/chunk-0", "checkpoints/chunk-1"}


def test_training_notebook_plots_eval_results_when_present(demo_warehouse, tmp_path):
    from conf import load_config
    from tables.catalog import EVAL_RESULTS
    from tables.delta_rs import append

    warehouse = tmp_path / "warehouse"
    shutil.copytree(demo_warehouse["warehouse"], warehouse)
    cfg = load_config(overrides=[f"spark.warehouse={warehouse}"])
    now = datetime.now(timezone.utc).isoformat()
    rows = [dict(run_id="nbtest", chunk_id=k, step=step, checkpoint=f"checkpoints/chunk-{k}", suite=suite, task=task,
                 variant="", metric=metric, value=value, n=4, evaluated_at=now)
            for k, step in ((0, 5), (1, 10))
            for suite, task, metric, value in (("heldout", "web", "perplexity", 600.0 - 100 * k),
                                               ("heldout", "news", "perplexity", 500.0 - 50 * k),
                                               ("probes", "capitals", "logprob", -9.0 + k))]
    append(cfg, "eval_results", pa.Table.from_pylist(rows, schema=EVAL_RESULTS.arrow_schema()))
    manifest = execute("05_training", warehouse, demo_warehouse, tmp_path / "out")
    check_figures(manifest, EXPECTED["05_training"][0] | EVAL_FIGURES)
    check_tables(manifest, EVAL_TABLES)
    perplexity = next(f for f in manifest["figures"] if f["name"] == "eval_perplexity")
    assert perplexity["axes"][0]["series"] == 2  # web and news
