"""Grafana dashboards: generated JSON is current and valid against the provisioning and the catalog.

No Grafana runs here (Debian does not package it): these checks read the JSON as Grafana
would, and tests/monitoring/test_monitor_integration.py runs every query through Prometheus.
"""
import json
import re

import yaml

from monitoring.dashboards import CURATION, DASHBOARD_DIR, GRAFANA_DIR, render_all
from monitoring.metrics import CATALOG
from monitoring.monitor import PROMETHEUS_DIR

IDENT = re.compile(r"\bflywheel[a-z0-9_:]*")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def metric_names(expr: str) -> set[str]:
    """flywheel metric (and recording rule) names a PromQL expression reads (string literals skipped)."""
    return set(IDENT.findall(STRING.sub('""', expr)))


def dashboards() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(DASHBOARD_DIR.glob("*.json"))}


def all_panels(board: dict) -> list[dict]:
    out = []
    for panel in board["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def targets(board: dict) -> list[dict]:
    return [t for p in all_panels(board) for t in p.get("targets", [])]


def recording_rules() -> set[str]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())["groups"]
    return {r["record"] for g in groups for r in g["rules"] if "record" in r}


def test_metric_names_skips_label_values_and_functions():
    assert metric_names('sum by (stage) (flywheel_docs_in_total{stage="flywheel_x"}) / flywheel:a:b') == {
        "flywheel_docs_in_total", "flywheel:a:b"}


def test_dashboards_committed_json_is_what_the_generator_writes():
    assert {name: json.dumps(b, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            for name, b in dashboards().items()} == render_all()


def test_dashboards_five_with_unique_uids_and_titles():
    boards = dashboards().values()
    uids = [b["uid"] for b in boards]
    assert sorted(uids) == sorted(["flywheel-curation", "flywheel-dedup", "flywheel-mix", "flywheel-training",
                                   "flywheel-eval"])
    assert len({b["title"] for b in boards}) == len(uids)
    assert set(CURATION) <= set(uids)


def test_dashboards_panel_ids_unique_and_inside_the_grid():
    for name, board in dashboards().items():
        ids = [p["id"] for p in all_panels(board)]
        assert len(ids) == len(set(ids)), name
        for p in all_panels(board):
            assert 0 <= p["gridPos"]["x"] and p["gridPos"]["x"] + p["gridPos"]["w"] <= 24, (name, p["title"])


def test_dashboards_every_datasource_is_the_provisioned_one():
    provisioned = yaml.safe_load((GRAFANA_DIR / "provisioning/datasources/flywheel.yml").read_text())["datasources"]
    (ds,) = provisioned
    want = {"type": ds["type"], "uid": ds["uid"]}
    for name, board in dashboards().items():
        refs = [p["datasource"] for p in all_panels(board) if p["type"] != "row"]
        refs += [t["datasource"] for t in targets(board)]
        refs += [v["datasource"] for v in board.get("templating", {}).get("list", [])]
        assert refs and all(r == want for r in refs), name


def test_dashboards_every_query_names_catalog_metrics_only():
    known = set(CATALOG) | recording_rules()
    for name, board in dashboards().items():
        exprs = [t["expr"] for t in targets(board)]
        exprs += [v["query"] for v in board.get("templating", {}).get("list", [])]
        for expr in exprs:
            names = metric_names(expr)
            assert names, (name, expr)
            assert names <= known, (name, expr, names - known)


def test_dashboard_provider_points_at_the_dashboards_folder():
    (provider,) = yaml.safe_load((GRAFANA_DIR / "provisioning/dashboards/flywheel.yml").read_text())["providers"]
    assert provider["type"] == "file" and provider["options"]["path"] == "${FLYWHEEL_DASHBOARDS}"
