#!/usr/bin/env bash
# Make sure a PostgreSQL server is there for the project and print its base DSN.
#   scripts/pg.sh start   -> prints e.g. postgresql://postgres@127.0.0.1:55432
#   scripts/pg.sh stop
# With PORTAL_ETL_PG_URL set (a server you run), that server is used as it is. Otherwise a
# project-local cluster lives in var/pg (initdb + pg_ctl on port ${PORTAL_ETL_PG_PORT:-55432}),
# using the PostgreSQL binaries of the machine; on a Debian machine without them, the
# postgresql package is installed first. A server already running on 5432 is never touched.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORTAL_ETL_PG_PORT:-55432}"
PGROOT="$ROOT/var/pg"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  # the postgres user cannot enter this checkout (e.g. under /root): keep the cluster in /var/tmp
  PGROOT="/var/tmp/portal-etl-pg-$(echo "$ROOT" | sha1sum | cut -c1-8)"
fi
DATA="$PGROOT/data"
SOCK="$PGROOT/run"
LOG="$PGROOT/postgres.log"

if [ -n "${PORTAL_ETL_PG_URL:-}" ]; then echo "$PORTAL_ETL_PG_URL"; exit 0; fi

find_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$d" ] && command -v pg_ctl >/dev/null 2>&1; then d="$(dirname "$(command -v pg_ctl)")"; fi
  echo "$d"
}
PGBIN="$(find_bin)"
if [ -z "$PGBIN" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "pg.sh: no PostgreSQL binaries; installing Debian's postgresql package" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    PGBIN="$(find_bin)"
  fi
  [ -n "$PGBIN" ] || { echo "pg.sh: PostgreSQL binaries not found; install PostgreSQL or set PORTAL_ETL_PG_URL" >&2; exit 1; }
fi

as_pg() {  # initdb refuses to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    mkdir -p "$PGROOT" "$SOCK"
    if [ "$(id -u)" = 0 ]; then chown postgres "$PGROOT" "$SOCK"; fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      as_pg "$PGBIN/initdb" -D "$DATA" --auth=trust -E UTF8 --locale=C.UTF-8 -U postgres >/dev/null
    fi
    if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
      as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    fi
    echo "postgresql://postgres@127.0.0.1:$PORT"
    ;;
  stop)
    if [ -f "$DATA/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
