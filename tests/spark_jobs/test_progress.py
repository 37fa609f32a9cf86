"""Progress bars: drawn on a terminal, absent from pipes (a pseudo-terminal stands in for a person)."""
import fcntl
import os
import pty
import struct
import termios
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ("from spark_jobs.progress import progress\n"
          "assert list(progress(range(3), 'mix chunks', unit='chunk')) == [0, 1, 2]\n"
          "print('summary line')\n")


def run_on_pty(env: dict) -> str:
    """Run SCRIPT with stdout and stderr on a pseudo-terminal; everything it drew."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # rows, columns
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=follower, stderr=follower, env=env, cwd=ROOT)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), **extra)


def test_bar_on_a_terminal_names_the_loop_and_counts_its_items():
    out = run_on_pty(env())
    assert "mix chunks:" in out and "/3 [" in out and "chunk/s" in out
    assert out.rstrip().endswith("summary line")  # the bar is cleared, the summary stays
    assert "summary line" in out


def test_no_bar_when_stderr_is_a_pipe():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env(), cwd=ROOT,
                         timeout=60)
    assert out.returncode == 0
    assert out.stderr == "" and out.stdout == "summary line\n"


def test_switched_off_on_a_terminal_too():
    out = run_on_pty(env(FLYWHEEL_PROGRESS="0"))
    assert "mix chunks" not in out and "summary line" in out
