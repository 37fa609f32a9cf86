#!/usr/bin/env bash
# Install everything flywheel needs into ./.venv on a fresh Debian machine with Python 3.11
# and network access to PyPI, Maven Central and Debian's packages. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
if ! java -version 2>&1 | grep -qE 'version "(17|21)'; then need_apt+=(openjdk-17-jre-headless); fi
# Debian's Prometheus and Pushgateway: `flywheel monitor up` and the monitoring tests run them.
for bin_pkg in prometheus:prometheus promtool:prometheus prometheus-pushgateway:prometheus-pushgateway; do
  command -v "${bin_pkg%%:*}" >/dev/null || need_apt+=("${bin_pkg##*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $(printf '%s\n' "${need_apt[@]}" | sort -u)
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || { echo "setup: $PY not found (flywheel needs Python 3.11)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch comes from PyPI as a multi-GB CUDA build that also runs on CPU; pip's cache keeps
# re-runs fast.
.venv/bin/python -m pip install -q -e '.[dev,trainer,notebooks,eval]'
echo "setup: ok ($(.venv/bin/python --version), java $(java -version 2>&1 | head -1))"
