"""The `flywheel` command: a user's mistake is one line on stderr and exit status 2."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _flywheel(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flywheel.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_cli_bad_config_key_prints_one_line_naming_the_key():
    out = _flywheel("ingest", "--input", "nowhere", "--set", "ingest.max_doc_byte=10")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "flywheel ingest: unknown config key 'ingest.max_doc_byte' (did you mean 'ingest.max_doc_bytes'?)"]


def test_cli_missing_config_file_prints_one_line():
    out = _flywheel("mix", "--config", "no/such/file.yaml")
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == ["flywheel mix: config file not found: no/such/file.yaml"]


def test_cli_unknown_command_lists_commands():
    out = _flywheel("no-such-command")
    assert out.returncode == 2
    assert "unknown command 'no-such-command'" in out.stderr and "ingest" in out.stderr
