"""One ingest DAG per registry entry: ``ingest_<source_id>``.

Why one DAG per channel rather than one DAG mapped over channels: a channel that breaks fails
only its own runs, an operator re-runs or backfills one channel for one month as one DAG run,
and the grid view shows channel health at a glance. Adding a channel is a registry entry.
"""

from __future__ import annotations

import logging

from airflow.sdk import DAG, Asset, get_parsing_context, task

from portal_etl.monitoring.logtable import log_metrics
from portal_etl.months import Month
from portal_etl.orchestration.dags.common import DEFAULT_ARGS, interval_timetable
from portal_etl.registry import Source
from portal_etl.registry.loader import load_registry_result

log = logging.getLogger(__name__)


def staging_asset(source_id: str) -> Asset:
    """The Asset an ingest run updates; the integration DAG is scheduled on these."""
    return Asset(f"portal_etl://staging/{source_id}", group="staging")


DOC = """\
### Ingest {name} (`{source_id}`)
Collects news items, articles and video clips of **{name}** ({base_url}) for one data interval
({schedule}, Asia/Ho_Chi_Minh) into the PostgreSQL staging schema.

1. `discover_list_pages` walks each section's list pages from the newest back past the start
   of the interval and records every linked article (`staging.list_entry`). A list page fetched
   after the interval ended (by the previous month's run of a backfill) is read from its stored
   copy for `fetch.list_reuse_minutes` instead of fetched again.
2. `fetch_and_extract_articles` fetches the articles dated inside the interval (conditional
   GET, robots.txt, rate limit {min_interval}s), extracts the fields and upserts
   `staging.item`; pages that cannot be parsed are stored as `parse_error` with the reason.
   Settled articles (the same content over `fetch.settled`) are not fetched again; trigger with
   the param `refresh_settled: true` to fetch them too.
3. `check_source_health` prints the run's metrics (`staging.run_metrics`), then fails the run
   loudly when the yield looks like a broken or redesigned site: no items, far fewer than the
   median of recent intervals, many pages without a title, date or body, or many article
   fetches failed (`health.max_fetch_error_share`). The error lists the first failing URLs
   (`staging.parse_failure`, `staging.fetch_event`) and is mailed to the alert recipients. A
   quiet month (list pages read fine, nothing dated in it) is a warning, not a failure
   (`health_status = 'quiet'`). The metrics are the sums over every try of the run.
   Nothing staged before is overwritten by a page that no longer parses.

**Re-run**: clear the run, or `portal-etl ingest --from YYYY-MM --to YYYY-MM --source {source_id}`.
Re-running an interval adds nothing and loses nothing (upserts keyed by page URL); it reads
the list pages and fetches only the articles not yet settled (`--refresh-settled`: all of them).

**Changelog**: 2026-11 first version; list pages reused within a backfill, and the run's
metrics printed by `check_source_health` (one task fewer per run).
"""


def build_ingest_dag(source: Source) -> DAG:
    asset = staging_asset(source.id)
    with DAG(
        dag_id=f"ingest_{source.id}",
        description=f"Collect {source.name} into staging",
        # the portal's months and days, whatever zone the site prints its dates in (the source's
        # `timezone`): a month run, a backfill's month and a report's month are the same interval
        schedule=interval_timetable(source.schedule),
        start_date=Month.of(source.live_since).start,
        catchup=False,
        max_active_runs=1,  # runs of one channel share its politeness budget
        default_args=DEFAULT_ARGS,
        tags=["ingest", f"source:{source.id}", "owner:data-eng"],
        # refresh_settled: fetch settled articles too (portal-etl ingest/backfill --refresh-settled)
        params={"source_id": source.id, "refresh_settled": False},
        doc_md=DOC.format(
            name=source.name,
            source_id=source.id,
            base_url=source.base_url or "(not configured)",
            schedule=source.schedule,
            min_interval=source.politeness.min_interval_seconds,
        ),
    ) as dag:

        @task(task_id="discover_list_pages")
        def discover_list_pages(**context) -> dict:
            from portal_etl.pipeline import ingest

            counts = ingest.discover(
                source.id,
                context["data_interval_start"],
                context["data_interval_end"],
                dag_id=context["dag"].dag_id,
                run_id=context["run_id"],
                try_number=context["ti"].try_number,
            )
            log_metrics(log, f"run metrics — {source.id} — list pages", counts)
            return counts

        @task(task_id="fetch_and_extract_articles", outlets=[asset])
        def fetch_and_extract_articles(discovered: dict, **context) -> dict:
            from portal_etl.pipeline import ingest

            start, end = context["data_interval_start"], context["data_interval_end"]
            counts = ingest.fetch_articles(
                source.id,
                start,
                end,
                dag_id=context["dag"].dag_id,
                run_id=context["run_id"],
                refresh_settled=bool(context["params"].get("refresh_settled")),
                try_number=context["ti"].try_number,  # each try's counts are kept; the run's are their sum
            )
            # the integration DAG reads which interval changed from the asset event
            context["outlet_events"][asset].extra = {
                "source_id": source.id,
                "interval_start": start.isoformat(),
                "interval_end": end.isoformat(),
            }
            log_metrics(log, f"run metrics — {source.id} — articles", counts)
            return counts

        # deterministic given the data: a retry would only repeat the alarm later. The run's
        # metrics table is printed here too: a task of its own cost a task process per run
        @task(task_id="check_source_health", retries=0)
        def check_source_health(staged: dict, **context) -> dict:
            from portal_etl.monitoring.health import check_source_health as check
            from portal_etl.pipeline import ingest

            ingest.summarize(context["dag"].dag_id, context["run_id"], source.id)
            return check(
                source.id,
                context["data_interval_start"],
                context["data_interval_end"],
                dag_id=context["dag"].dag_id,
                run_id=context["run_id"],
            )

        check_source_health(fetch_and_extract_articles(discover_list_pages()))
    return dag


def build_all() -> dict[str, DAG]:
    """Every ingest DAG of the registry; a broken entry is logged and skipped, not fatal.

    A task process parses this file only to find its own DAG (Airflow's task runner sets the
    parsing context to the task's dag_id), so then only that DAG is built: with 102 channels
    building all of them cost ~1 s CPU in each of the 408 ingest task processes of a month,
    more than the tasks' own work on a small site. The dag-processor sets no dag_id and gets
    every DAG, as does a dag_id this file does not define.
    """
    result = load_registry_result()
    for error in result.errors:
        log.error("registry entry skipped: %s", error)
    sources = result.registry.sources
    wanted = get_parsing_context().dag_id
    only = [s for s in sources if f"ingest_{s.id}" == wanted] if wanted else []
    return {f"ingest_{s.id}": build_ingest_dag(s) for s in (only or sources)}
