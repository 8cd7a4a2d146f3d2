#!/usr/bin/env bash
# README command 2: install, make sure PostgreSQL answers, run the test suite.
#   scripts/test.sh                 everything
#   scripts/test.sh -m "not e2e"    the fast tests only (any pytest arguments pass through)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh
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
exec .venv/bin/python -m pytest "$@"
