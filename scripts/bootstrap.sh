#!/usr/bin/env bash
# Create .venv and install the lock (the runtime dependencies plus the test and bench extras:
# CI runs the tests and the quick benchmark) and the project itself (editable).
# Idempotent: a second run only checks that everything is in place.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi
UV_VERSION="$(grep -E '^uv==' requirements.txt | cut -d= -f3)"
if ! .venv/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  .venv/bin/pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
stamp=".venv/.requirements.sha256"
want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing the locked requirements (requirements.txt)"
  .venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.txt
  .venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
  echo "$want" > "$stamp"
fi
.venv/bin/portal-etl --help >/dev/null
.venv/bin/portal-replica --help >/dev/null  # the replica, installed beside the product
echo "bootstrap: .venv ready ($(.venv/bin/python -c 'import airflow; print("airflow", airflow.__version__)'))"
