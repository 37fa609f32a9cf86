"""Real Prometheus + Pushgateway for the tests: installed from Debian when missing, on free loopback ports.

CI starts on a fresh machine, so the session fixture (conftest.py) runs `apt-get install
prometheus prometheus-pushgateway` itself when the binaries are not there, then starts both
through `monitoring.monitor.up` (the code behind `flywheel monitor up`) with a 1 s scrape and
rule interval, and stops them at the end.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BINARIES = ("prometheus", "promtool", "prometheus-pushgateway")
PACKAGES = ("prometheus", "prometheus-pushgateway")


def ensure_installed() -> None:
    """apt-get install the Debian packages when a binary is missing (as root, or through sudo)."""
    if all(shutil.which(b) for b in BINARIES):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = sudo + ["apt-get", "install", "-y", "-q", *PACKAGES]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(sudo + ["apt-get", "update", "-q"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    missing = [b for b in BINARIES if not shutil.which(b)]
    assert not missing, f"apt-get installed {PACKAGES} but {missing} are still not on PATH"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Stack:
    """A running Prometheus + Pushgateway and the monitoring config that points at them."""

    prometheus: str
    pushgateway: str
    trainer_listen: str
    folder: Path
    overrides: tuple[str, ...]

    def api(self, path: str, **params) -> dict:
        """GET /api/v1/<path> of Prometheus; the decoded JSON (errors included, HTTP 4xx too)."""
        url = f"{self.prometheus}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as exc:
            return json.load(exc)

    def query(self, expr: str) -> dict:
        """Instant query; the `data` part, raising with Prometheus's error text when it failed."""
        out = self.api("query", query=expr)
        assert out["status"] == "success", f"{expr}: {out.get('error')}"
        return out["data"]
