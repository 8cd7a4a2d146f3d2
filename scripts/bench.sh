#!/usr/bin/env bash
# README "Performance": install, make sure PostgreSQL answers, run the benchmarks.
#   scripts/bench.sh                 quick mode (< 2 min on 2 cores; what CI runs)
#   scripts/bench.sh --full          every figure at full size; results in bench/results/full.json
#   scripts/bench.sh --only extraction accuracy   (any bench.run arguments pass through)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh
if [ -z "${BENCH_PG_URL:-${TEST_PG_URL:-}}" ]; then
  # a PostgreSQL already answering on 5432 (trust auth) is used; otherwise start our own
  if .venv/bin/python -c "import psycopg2; psycopg2.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then
    BENCH_PG_URL="postgresql://postgres@127.0.0.1:5432"
  else
    BENCH_PG_URL="$(scripts/pg.sh start)"
  fi
fi
export BENCH_PG_URL="${BENCH_PG_URL:-$TEST_PG_URL}"
exec .venv/bin/python -m bench.run "$@"
