#!/usr/bin/env bash
# README command 1: set everything up on a fresh machine and run the main job on the embedded
# default — a project-local PostgreSQL, Airflow with its metadata in that PostgreSQL, and the
# offline replica of the three channels served on 127.0.0.1 — then print the monthly report.
#   scripts/demo.sh                                  the whole default scenario, March 2023 – June 2024
#   FROM=2024-04 TO=2024-04 REPORT_MONTH=2024-04 scripts/demo.sh   a shorter run
# Set DATABASE_URL to use your own pipeline database instead of the project-local one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
FROM="${FROM:-2023-03}"
TO="${TO:-2024-06}"
REPORT_MONTH="${REPORT_MONTH:-2024-04}"
REPLICA_PORT="${REPLICA_PORT:-8701}"

scripts/bootstrap.sh
mkdir -p var
BASE="$(scripts/pg.sh start)"
scripts/ensure-db.sh "$BASE" airflow
if [ -z "${DATABASE_URL:-}" ]; then
  scripts/ensure-db.sh "$BASE" portal_etl
  DATABASE_URL="$BASE/portal_etl"
fi
cat > var/local.env <<ENV
# written by scripts/demo.sh — the local defaults the portal-etl command reads
DATABASE_URL=$DATABASE_URL
AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=${BASE/postgresql:/postgresql+psycopg2:}/airflow
PORTAL_ETL_SOURCES_OVERRIDES=$ROOT/var/replica/overrides.yaml
ENV
PATH="$ROOT/.venv/bin:$PATH"
set -a; . var/local.env; set +a
eval "$(.venv/bin/python -c 'from portal_etl import settings; [print(f"export {k}={v!r}") for k, v in settings.airflow_local_defaults().items()]')"

portal-etl db migrate
# (re)generate when var/replica is missing or holds another scenario than today's default
if ! python - var/replica/manifest.json 2>/dev/null <<'PY'
import json, sys
from portal_replica.generator import ScenarioParams
sys.exit(json.load(open(sys.argv[1], encoding="utf-8"))["scenario"] != ScenarioParams().as_json())
PY
then
  echo "generating the default replica scenario (March 2023 – June 2024, with the newspaper's English section) ..."
  portal-replica generate --out var/replica >/dev/null
fi
rm -f var/replica/overrides.yaml
portal-replica serve --dir var/replica --port "$REPLICA_PORT" > var/replica-server.log 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -f var/replica/overrides.yaml ] && break; sleep 0.1; done
[ -f var/replica/overrides.yaml ] || { echo "replica server did not start; see var/replica-server.log"; exit 1; }

echo "migrating Airflow's metadata database ..."
airflow db migrate >var/airflow-migrate.log 2>&1 || { tail -n 30 var/airflow-migrate.log; exit 1; }
# every month of every channel as real Airflow backfills (scheduler, dag-processor, api-server
# started for the command), then one integrate_articles run over the range
portal-etl backfill --from "$FROM" --to "$TO"
echo
portal-etl report --month "$REPORT_MONTH" --refresh
echo
echo "the review queue: items the policy left to an editor (portal-etl review show|approve|reject ID)"
portal-etl review list
echo
REPORTS_DIR="$(python -c 'from portal_etl import settings; print(settings.reports_dir())')"
echo "reports written to $REPORTS_DIR:"
ls -1 "$REPORTS_DIR"/report-"$REPORT_MONTH".*
echo
echo "to open the Airflow UI (the runs above; the review_queue DAG puts the queue to an editor under"
echo "Required Actions when triggered): run \`portal-etl stack up\`, then open the URL it prints"
