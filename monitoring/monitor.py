"""`flywheel monitor up|down|status`: Debian's Prometheus and Pushgateway on loopback.

    flywheel monitor up [--dir flywheel-monitor]    start both, print their URLs
    flywheel monitor down [--dir flywheel-monitor]  stop them again

Everything lives under `--dir`: the rendered `prometheus.yml` (monitoring/prometheus/prometheus.yml
with the ports of `monitoring.*_listen` and this checkout's rules.yml), Prometheus's TSDB, the
Pushgateway's persistence file, both logs and pid files. The binaries come from Debian
(`apt-get install prometheus prometheus-pushgateway`, done by scripts/setup.sh); the processes
run in their own session, so they outlive this command until `down`.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from conf import load_config
from conf.errors import UserError
from conf.schema import MonitoringConfig

PROMETHEUS_DIR = Path(__file__).resolve().parent / "prometheus"
APT_HINT = "apt-get install prometheus prometheus-pushgateway (scripts/setup.sh does it)"
POLL_SECONDS = 0.2  # readiness poll; startup takes ~1 s on an idle machine


class MonitorError(UserError, RuntimeError):
    """A service is missing, did not start, or its folder is in the way."""


@dataclass(frozen=True)
class Service:
    """One process `up` starts: its name, binary, pid/log files and readiness URL."""

    name: str
    binary: str
    listen: str

    def url(self) -> str:
        return f"http://{self.listen}"

    def pid_file(self, folder: Path) -> Path:
        return folder / f"{self.name}.pid"


def services(mc: MonitoringConfig) -> list[Service]:
    """Pushgateway first (Prometheus scrapes it), then Prometheus."""
    return [Service("pushgateway", "prometheus-pushgateway", mc.pushgateway_listen),
            Service("prometheus", "prometheus", mc.prometheus_listen)]


def render_config(mc: MonitoringConfig, rules: Path = PROMETHEUS_DIR / "rules.yml") -> dict:
    """monitoring/prometheus/prometheus.yml with the configured ports, interval and `rules`."""
    tree = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    interval = f"{mc.scrape_interval_seconds}s"
    tree["global"] = {"scrape_interval": interval, "evaluation_interval": interval}
    tree["rule_files"] = [str(rules.resolve())]
    targets = {"flywheel_trainer": mc.trainer_listen, "pushgateway": mc.pushgateway_listen}
    for job in tree["scrape_configs"]:
        job["static_configs"] = [{"targets": [targets[job["job_name"]]]}]
    return tree


def command(service: Service, mc: MonitoringConfig, folder: Path) -> list[str]:
    """The command line that starts `service` with its data under `folder`."""
    binary = shutil.which(service.binary)
    if binary is None:
        raise MonitorError(f"{service.binary} not found: {APT_HINT}")
    if service.name == "pushgateway":
        return [binary, f"--web.listen-address={service.listen}",
                f"--persistence.file={folder / 'pushgateway.metrics'}"]
    return [binary, f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={folder / 'tsdb'}",
            f"--storage.tsdb.retention.time={mc.retention}", f"--web.listen-address={service.listen}"]


def running_pid(service: Service, folder: Path) -> int | None:
    """The pid in the service's pid file when that process is alive."""
    try:
        pid = int(service.pid_file(folder).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def wait_ready(service: Service, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    """Poll `<url>/-/ready` until it answers 200; raise naming the log when it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise MonitorError(f"{service.name} exited with status {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"{service.url()}/-/ready", timeout=POLL_SECONDS * 5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(POLL_SECONDS)
    raise MonitorError(f"{service.name} not ready on {service.url()} after {timeout:.0f} s; see {log}")


def up(mc: MonitoringConfig, folder: Path) -> list[Service]:
    """Start whatever of Pushgateway and Prometheus is not running under `folder`; wait until ready."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prometheus.yml").write_text(yaml.safe_dump(render_config(mc), sort_keys=False), encoding="utf-8")
    todo = [(s, command(s, mc, folder)) for s in services(mc) if running_pid(s, folder) is None]  # binaries first
    started = []
    for service, argv in todo:
        log = folder / f"{service.name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        service.pid_file(folder).write_text(str(proc.pid))
        try:
            wait_ready(service, proc, mc.startup_timeout_seconds, log)
        except MonitorError:
            down(mc, folder)
            raise
        started.append(service)
    return started


def down(mc: MonitoringConfig, folder: Path, timeout: float | None = None) -> list[Service]:
    """Stop the services started under `folder` (SIGTERM, then SIGKILL after `timeout`)."""
    timeout = mc.startup_timeout_seconds if timeout is None else timeout
    stopped = []
    for service in reversed(services(mc)):
        pid = running_pid(service, folder)
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while running_pid(service, folder) is not None and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(POLL_SECONDS)
            if running_pid(service, folder) is not None:
                os.kill(pid, signal.SIGKILL)
                _reap(pid)
            stopped.append(service)
        service.pid_file(folder).unlink(missing_ok=True)
    return stopped


def _reap(pid: int) -> None:
    """Collect the exit status when the process is our own child (else it stays a zombie, alive to kill(0))."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="flywheel monitor", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--dir", default="flywheel-monitor", type=Path,
                        help="folder for the config, data, logs and pid files (default flywheel-monitor)")
    parser.add_argument("--config", action="append", default=[], metavar="FILE", help="YAML merged over the defaults")
    parser.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE",
                        help="override one key, e.g. --set monitoring.prometheus_listen=127.0.0.1:19090")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mc = load_config(args.config, args.overrides).monitoring
    if args.action == "up":
        up(mc, args.dir)
    elif args.action == "down":
        stopped = down(mc, args.dir)
        print(f"monitor: stopped {', '.join(s.name for s in stopped) or 'nothing (not running)'}")
        return 0
    for service in services(mc):
        state = "running" if running_pid(service, args.dir) is not None else "stopped"
        print(f"  {service.name:<12} {state:<8} {service.url()}")
    if args.action == "up":
        print(f"monitor: data, logs and config in {args.dir}; jobs push with "
              f"--pushgateway http://{mc.pushgateway_listen}; stop with `flywheel monitor down --dir {args.dir}`")
    return 0
