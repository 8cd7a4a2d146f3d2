#!/usr/bin/env bash
# README command 2: install, make sure PostgreSQL answers, run the test suite.
#   scripts/test.sh                 everything
#   scripts/test.sh -m "not e2e"    the fast tests only (any pytest arguments pass through)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  # the HTML report is checked in a real headless browser (tests/test_report.py)
  echo "test.sh: installing Debian's chromium package" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
    || echo "test.sh: chromium could not be installed; the browser test will skip" >&2
fi
if [ -z "${TEST_PG_URL:-}" ]; then
  # a PostgreSQL already answering on 5432 (trust auth) is used; otherwise start our own
  if .venv/bin/python -c "import psycopg2; psycopg2.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then
    TEST_PG_URL="postgresql://postgres@127.0.0.1:5432"
  else
    TEST_PG_URL="$(scripts/pg.sh start)"
  fi
fi
export TEST_PG_URL
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
