"""Fixtures of the monitoring tests: a real Prometheus and Pushgateway on loopback."""
import pytest

from conf import load_config
from tests.monitoring.stack import Stack, ensure_installed, free_port


@pytest.fixture(scope="session")
def prom_stack(tmp_path_factory):
    """Prometheus (1 s scrape and rule interval) scraping a Pushgateway and a trainer port."""
    from monitoring import monitor

    ensure_installed()
    prom, push, trainer = free_port(), free_port(), free_port()
    overrides = (f"monitoring.prometheus_listen=127.0.0.1:{prom}", f"monitoring.pushgateway_listen=127.0.0.1:{push}",
                 f"monitoring.trainer_listen=127.0.0.1:{trainer}", "monitoring.scrape_interval_seconds=1",
                 f"monitoring.pushgateway=http://127.0.0.1:{push}")
    mc = load_config(overrides=list(overrides)).monitoring
    folder = tmp_path_factory.mktemp("monitor")
    monitor.up(mc, folder)
    try:
        yield Stack(f"http://127.0.0.1:{prom}", f"http://127.0.0.1:{push}", mc.trainer_listen, folder, overrides)
    finally:
        monitor.down(mc, folder)
