"""``integrate_articles``: staged items → normalised, deduplicated, decided, loaded.

Scheduled on the staging Assets that the ingest DAGs update (any channel), so it runs after
new material arrives; the intervals it processes come from the triggering asset events. It
can also be run by hand for a month range (``portal-etl process --from --to``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from airflow.sdk import DAG, Param, task

from portal_etl.monitoring.logtable import log_metrics
from portal_etl.months import Month
from portal_etl.orchestration.dags.common import DEFAULT_ARGS
from portal_etl.orchestration.dags.ingest import staging_asset
from portal_etl.orchestration.dags.review import review_queue_asset
from portal_etl.pipeline.process.chain import CHAIN, Stage
from portal_etl.registry.loader import load_registry_result

log = logging.getLogger(__name__)

DOC = """\
### Integrate articles into the national portal's store
Runs the processing chain (`pipeline/process/chain.py`), one task per stage, over the staged
items of the intervals that ingest runs just updated: normalises them, deduplicates them into
stories (same URL / native id → same title and day → near-duplicate body, each merge with its
reason), links the newspaper's English items to their Vietnamese originals
(`link_translations`: evidence and confidence in `process.translation_link`; ambiguous ones join
the review queue), applies each channel's approval policy (which reads those links), loads
approved stories into the `integration` schema, and stores the sources' own English versions in
`integration.article_translation` (`store_own_translations`). `check_data_quality` fails the
run when the store does not reconcile (missing title or date, duplicate keys, counts off).

**Re-run**: clear the run, or `portal-etl process --from YYYY-MM --to YYYY-MM`. Re-running any
interval, in any order, leaves the store byte-identical. Items the policy cannot decide wait in
the review queue: `portal-etl review list`. When any wait, `announce_review_queue` updates the
Asset `portal_etl://process/review_queue`, which starts the `review_queue` DAG (an editor's
decision in the UI); with an empty queue it is skipped and no review run starts.

`translate_articles` then machine-translates the articles with no English version of the
source's own (through the `portal_etl_translate` connection or Argos Translate) and records its
figures in `process.translation_run`, "no translator configured" included.

**Changelog**: 2026-11 first version. 2026-12 `link_and_translate` (English versions). 2026-12 linking
and the sources' own versions became stages of the chain, before the policy that reads the link
(a corrected link reaches the store in the same run); `translate_articles` only machine-translates.
"""


def interval_of(context) -> tuple[datetime, datetime]:
    """The span to process: the triggering ingest intervals, else the run's params."""
    spans = []
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            extra = event.extra or {}
            if "interval_start" in extra and "interval_end" in extra:
                spans.append(
                    (datetime.fromisoformat(extra["interval_start"]), datetime.fromisoformat(extra["interval_end"]))
                )
    if spans:
        return min(s for s, _ in spans), max(e for _, e in spans)
    params = context["params"]
    return Month.parse(params["from_month"]).start, Month.parse(params["to_month"]).end


def build_integrate_dag() -> DAG:
    sources = load_registry_result().registry.sources
    assets = [staging_asset(s.id) for s in sources]
    schedule = None
    for asset in assets:
        schedule = asset if schedule is None else (schedule | asset)
    with DAG(
        dag_id="integrate_articles",
        description="Normalise, deduplicate, approve and load staged items",
        schedule=schedule,
        start_date=Month(2023, 3).start,
        catchup=False,
        max_active_runs=1,  # processing runs take turns anyway (advisory lock); queue them here
        default_args=DEFAULT_ARGS,
        tags=["integrate", "owner:data-eng"],
        params={
            "from_month": Param(
                "2023-03", type="string", pattern=r"^\d{4}-\d{2}$", description="first month (manual runs)"
            ),
            "to_month": Param(
                "2024-06", type="string", pattern=r"^\d{4}-\d{2}$", description="last month (manual runs)"
            ),
        },
        doc_md=DOC,
    ) as dag:

        def stage_task(stage: Stage):
            @task(task_id=stage.task_id)
            def run_stage(previous: dict | None = None, **context) -> dict:
                from portal_etl.pipeline.process import run_stage as run_one

                start, end = interval_of(context)
                counts = run_one(stage.name, start, end, dag_id=context["dag"].dag_id, run_id=context["run_id"])
                log_metrics(log, f"{stage.task_id} — [{start:%Y-%m-%d}, {end:%Y-%m-%d})", counts)
                return counts

            return run_stage

        @task(task_id="check_data_quality")
        def check_data_quality(loaded: dict) -> dict:
            from portal_etl.pipeline.process import check_quality

            failures = check_quality()
            if failures:
                raise ValueError("data-quality checks failed:\n  " + "\n  ".join(failures))
            return {"checks_failed": 0, **loaded}

        # a skipped task emits no asset event: review_queue runs only when something waits
        @task(task_id="announce_review_queue", outlets=[review_queue_asset()])
        def announce_review_queue(**context) -> int:
            from airflow.sdk.exceptions import AirflowSkipException

            from portal_etl.pipeline.process import review

            waiting = len(review.list_queue())
            if not waiting:
                raise AirflowSkipException("no item waits for an editor")
            context["outlet_events"][review_queue_asset()].extra = {"waiting": waiting}
            return waiting

        # one task per stage of the chain, in its order; each hands its counts to the next
        done = None
        for stage in CHAIN:
            done = stage_task(stage)(done)

        @task(task_id="summarize_run")
        def summarize_run(checked: dict, **context) -> dict:
            from portal_etl.monitoring.process_metrics import record_process_metrics

            start, end = interval_of(context)
            return record_process_metrics(
                start,
                end,
                dag_id=context["dag"].dag_id,
                run_id=context["run_id"],
                started_at=context["dag_run"].start_date,
                source_ids=[s.id for s in sources],
            )

        @task(task_id="translate_articles")
        def translate_articles(loaded: dict, **context) -> dict:
            from portal_etl.translation.run import translate_articles as run_step

            start, end = interval_of(context)
            counts = run_step(start, end, dag_id=context["dag"].dag_id, run_id=context["run_id"])
            log_metrics(log, f"translate_articles — [{start:%Y-%m-%d}, {end:%Y-%m-%d})", counts)
            return counts

        checked = check_data_quality(done)
        summarize_run(checked)
        # machine translations after the chain (they attach to loaded articles), before the queue
        # is announced
        [checked, translate_articles(done)] >> announce_review_queue()
    return dag
