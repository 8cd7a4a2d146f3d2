#!/usr/bin/env bash
# README command 2: install, make sure PostgreSQL answers, run the test suite.
#   scripts/test.sh                 everything
#   scripts/test.sh -m "not e2e"    the fast tests only (any pytest arguments pass through)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh
if [ -z "${TEST_PG_URL:-}" ]; then
  TEST_PG_URL="$(scripts/pg.sh start)"
fi
export TEST_PG_URL
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
