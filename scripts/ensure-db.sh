#!/usr/bin/env bash
# Create database NAME on the server at BASE (a DSN without database) if it is missing.
#   scripts/ensure-db.sh postgresql://postgres@127.0.0.1:55432 portal_etl
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/.venv/bin/python" - "$1" "$2" <<'PY'
import sys
import psycopg2
from psycopg2 import sql
base, name = sys.argv[1].rstrip("/"), sys.argv[2]
conn = psycopg2.connect(base + "/postgres", connect_timeout=10)
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))
conn.close()
PY
