"""Prometheus config and rules: promtool's own checks and unit tests of every alert."""
import subprocess
from pathlib import Path

import yaml

from conf import load_config
from monitoring.metrics import CATALOG
from monitoring.monitor import PROMETHEUS_DIR, render_config
from tests.monitoring.stack import ensure_installed
from tests.monitoring.test_dashboards import metric_names


def promtool(*args: str, cwd: Path = PROMETHEUS_DIR) -> subprocess.CompletedProcess:
    ensure_installed()
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_promtool_check_config_committed_file_passes():
    out = promtool("check", "config", "prometheus.yml")
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_check_config_rendered_by_monitor_up_passes(tmp_path):
    mc = load_config(overrides=["monitoring.trainer_listen=127.0.0.1:19464"]).monitoring
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(render_config(mc)))
    out = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    jobs = {j["job_name"]: j for j in render_config(mc)["scrape_configs"]}
    assert jobs["flywheel_trainer"]["static_configs"] == [{"targets": ["127.0.0.1:19464"]}]
    assert jobs["pushgateway"]["honor_labels"] is True


def test_promtool_check_rules_passes():
    out = promtool("check", "rules", "rules.yml")
    assert out.returncode == 0 and "SUCCESS: 11 rules found" in out.stdout, out.stdout + out.stderr


def test_promtool_test_rules_every_alert_fires_on_its_case():
    out = promtool("test", "rules", "rules_test.yml")
    assert out.returncode == 0, out.stdout + out.stderr
    tested = set()
    for case in yaml.safe_load((PROMETHEUS_DIR / "rules_test.yml").read_text())["tests"]:
        tested |= {t["alertname"] for t in case.get("alert_rule_test", []) if t["exp_alerts"]}
    assert tested == set(alert_names())


def alert_names() -> list[str]:
    groups = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())["groups"]
    return [r["alert"] for g in groups for r in g["rules"] if "alert" in r]


def test_rules_name_only_catalog_metrics_and_own_recordings():
    groups = yaml.safe_load((PROMETHEUS_DIR / "rules.yml").read_text())["groups"]
    recorded = {r["record"] for g in groups for r in g["rules"] if "record" in r}
    named = set().union(*(metric_names(r["expr"]) for g in groups for r in g["rules"]))
    assert named - set(CATALOG) - recorded == set()


def test_monitor_up_missing_binary_says_how_to_install_and_starts_nothing(tmp_path, monkeypatch):
    import pytest

    from monitoring import monitor

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: neither binary is found
    mc = load_config(overrides=["monitoring.prometheus_listen=127.0.0.1:1", "monitoring.pushgateway_listen=127.0.0.1:2"]).monitoring
    with pytest.raises(monitor.MonitorError, match="apt-get install prometheus prometheus-pushgateway"):
        monitor.up(mc, tmp_path / "mon")
    assert not list((tmp_path / "mon").glob("*.pid"))


def test_flywheel_monitor_status_and_down_when_nothing_runs(tmp_path, capsys):
    from flywheel.cli import main

    assert main(["monitor", "status", "--dir", str(tmp_path)]) == 0
    assert [line.split()[:2] for line in capsys.readouterr().out.splitlines()] == [
        ["pushgateway", "stopped"], ["prometheus", "stopped"]]
    assert main(["monitor", "down", "--dir", str(tmp_path)]) == 0
    assert "nothing (not running)" in capsys.readouterr().out
