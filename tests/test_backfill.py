"""``portal-etl backfill``: range validation, and a real backfill through a private Airflow stack.

The end-to-end tests run the command as an operator would (a subprocess), which starts its own
api-server, scheduler and dag-processor on a PostgreSQL metadata DB made for this module, backfills
two months of the default replica and integrates them; then they run it again and check that
nothing in staging or in the integration store was written.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pgutil import query

from portal_etl.months import Month
from portal_etl.orchestration.tools.backfill import backfill_body
from portal_etl.orchestration.tools.month_plan import RangeError, plan_months
from portal_etl.registry.loader import load_registry
from portal_replica.manifest import month_of, recompute_primaries

REPO = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCES = ("dongnai_party", "dongnai_gov", "baodongnai")
MONTHS = ("2024-03", "2024-04")
NOW = datetime(2024, 7, 15, 10, 0, tzinfo=TZ)


# --- validation: fast, no Airflow ---------------------------------------------------------------


@pytest.fixture
def registry(tmp_path: Path):
    """The project's registry with the Party portal configured (its real domain is unknown)."""
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(
        'sources:\n  dongnai_party: {base_url: "https://party.example", allowed_domains: ["party.example"]}\n',
        encoding="utf-8",
    )
    return load_registry(overrides=overrides)


def test_a_valid_range_is_planned_for_every_configured_source(registry) -> None:
    plan = plan_months("2023-11", "2024-02", registry=registry, now=NOW)
    assert plan.source_ids == registry.ids
    assert [str(m) for m in plan.months] == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert plan.start == datetime(2023, 11, 1, tzinfo=TZ) and plan.end == datetime(2024, 3, 1, tzinfo=TZ)
    assert len(plan.cells) == 4 * len(registry.ids)


@pytest.mark.parametrize(
    ("first", "last", "sources", "message"),
    [
        ("2023-09", "2023-12", ["dongnai_party"], "before the channel went live (09-10-2023)"),
        ("2008-12", "2009-01", ["dongnai_gov"], "before the channel went live"),
        ("2024-06", "2024-08", ["baodongnai"], "2024-08 is in the future"),
        ("2024-06", "2024-07", ["baodongnai"], "2024-07 is not over yet"),
        ("2024-04", "2024-03", None, "is before --from"),
        ("2024-4", "2024-13", None, "'2024-13' is not a month"),
        ("2024-01", "2024-02", ["nosuch"], "no source 'nosuch'"),
    ],
)
def test_invalid_ranges_are_refused_with_the_reason(registry, first, last, sources, message) -> None:
    with pytest.raises(RangeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_months(first, last, sources, registry=registry, now=NOW)


def test_every_channel_starts_at_the_month_it_went_live(registry) -> None:
    plan = plan_months("2023-03", "2023-12", registry=registry, now=NOW)
    assert [str(m) for m in plan.months_of("dongnai_party")] == ["2023-10", "2023-11", "2023-12"]
    assert len(plan.months_of("baodongnai")) == 10
    assert ("2023-09", "dongnai_party") not in plan.cells and ("2023-10", "dongnai_party") in plan.cells
    assert backfill_body("ingest_dongnai_party", plan)["from_date"] == "2023-10-01T00:00:00+07:00"
    early = plan_months("2023-03", "2023-06", registry=registry, now=NOW)
    assert "dongnai_party" not in early.source_ids and "baodongnai" in early.source_ids


def test_an_unconfigured_source_is_refused(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("sources:\n  dongnai_party: {base_url: null}\n", encoding="utf-8")
    registry = load_registry(overrides=overrides)
    assert not registry.get("dongnai_party").configured
    with pytest.raises(RangeError, match="not configured"):
        plan_months("2024-01", "2024-02", ["dongnai_party"], registry=registry, now=NOW)


def test_the_backfill_request_covers_exactly_the_local_months(registry) -> None:
    """Airflow creates runs whose logical date (= interval start) is in [from_date, to_date]."""
    plan = plan_months("2024-04", "2024-05", ["baodongnai"], registry=registry, now=NOW)
    body = backfill_body("ingest_baodongnai", plan)
    from_date, to_date = datetime.fromisoformat(body["from_date"]), datetime.fromisoformat(body["to_date"])
    assert from_date == datetime(2024, 4, 1, tzinfo=TZ)  # 2024-03-31 17:00 UTC, not 2024-04-01 00:00 UTC
    assert datetime(2024, 5, 1, tzinfo=TZ) <= to_date < datetime(2024, 6, 1, tzinfo=TZ)
    assert body["reprocess_behavior"] == "completed"
    assert body["dag_run_conf"] == {}  # settled articles are left alone unless asked
    refresh = plan_months("2024-04", "2024-05", ["baodongnai"], registry=registry, now=NOW, refresh_settled=True)
    assert backfill_body("ingest_baodongnai", refresh)["dag_run_conf"] == {"refresh_settled": True}


# --- end to end through Airflow ---------------------------------------------------------------


# airflow_metadata_url and airflow_env: tests/conftest.py (tests/test_stack.py uses them too)


@pytest.fixture(scope="module")
def backfill_cli(airflow_env):
    """Run ``portal-etl backfill`` in a subprocess (it starts a private Airflow unless given one)."""
    env, home = airflow_env, Path(airflow_env["AIRFLOW_HOME"])

    def run(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "portal_etl.cli", "backfill", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=900,
        )
        print(done.stderr, done.stdout, sep="\n")  # shown by pytest when a test fails
        if done.returncode != 0:
            components = home / "logs" / "components"
            logs = {p.name: p.read_text(errors="replace")[-2000:] for p in components.glob("*.log")}
            pytest.fail(f"backfill failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{logs}")
        return done

    return run


def staged_rows(dsn: str) -> list[tuple]:
    return query(
        dsn,
        "SELECT item_id, source_id, page_url, status, content_hash, published_at, xmin::text "
        "FROM staging.item ORDER BY item_id",
    )


def article_rows(dsn: str) -> list[tuple]:
    return query(dsn, "SELECT *, xmin::text FROM integration.article ORDER BY story_key")


@pytest.fixture(scope="module")
def first_backfill(backfill_cli, pipeline_dsn):
    from conftest import truncate_all

    truncate_all(pipeline_dsn)
    return backfill_cli("--from", MONTHS[0], "--to", MONTHS[-1])


@pytest.mark.e2e
def test_backfill_stages_and_integrates_the_manifest_months(first_backfill, pipeline_dsn, manifest) -> None:
    in_range = [it for it in manifest["items"] if month_of(it) in MONTHS]
    expected_staged = Counter((it["source_id"], month_of(it)) for it in in_range)
    staged = Counter(
        dict(
            ((s, m), n)
            for s, m, n in query(
                pipeline_dsn,
                "SELECT source_id, to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM'), "
                "count(*) FROM staging.item WHERE status = 'staged' GROUP BY 1, 2",
            )
        )
    )
    assert staged == expected_staged and sum(staged.values()) > 0
    assert query(pipeline_dsn, "SELECT count(*) FROM staging.item WHERE status <> 'staged'") == [(0,)]
    # only these months' items were seen, so the truth is recomputed from them alone
    expected_integrated = Counter(month_of(p) for p in recompute_primaries({"items": in_range}).values())
    integrated = Counter(dict(query(pipeline_dsn, "SELECT story_month, count(*) FROM integration.article GROUP BY 1")))
    assert integrated == expected_integrated and set(integrated) == set(MONTHS)


@pytest.mark.e2e
def test_airflow_ran_one_backfill_run_per_local_month_and_one_processing_run(
    first_backfill, airflow_metadata_url
) -> None:
    runs = query(
        airflow_metadata_url,
        "SELECT dag_id, run_type, state, data_interval_start, data_interval_end "
        "FROM dag_run ORDER BY dag_id, data_interval_start",
    )
    for source_id in SOURCES:
        mine = [r for r in runs if r[0] == f"ingest_{source_id}"]
        intervals = [(r[3].astimezone(TZ), r[4].astimezone(TZ)) for r in mine]
        assert intervals == [
            (datetime(2024, 3, 1, tzinfo=TZ), datetime(2024, 4, 1, tzinfo=TZ)),
            (datetime(2024, 4, 1, tzinfo=TZ), datetime(2024, 5, 1, tzinfo=TZ)),
        ], source_id
        assert {(r[1], r[2]) for r in mine} == {("backfill", "success")}
    processing = [r for r in runs if r[0] == "integrate_articles"]
    assert [(r[1], r[2]) for r in processing] == [("manual", "success")]  # once, not once per ingest run
    assert query(airflow_metadata_url, "SELECT count(*) FROM backfill WHERE completed_at IS NULL") == [(0,)]


@pytest.mark.e2e
def test_summary_table_lists_every_month_and_source(first_backfill, pipeline_dsn) -> None:
    out = first_backfill.stdout
    for month in MONTHS:
        for source_id in SOURCES:
            line = next(ln for ln in out.splitlines() if ln.startswith(f"{month} ") and f" {source_id} " in ln)
            assert " success " in line
            staged = query(
                pipeline_dsn,
                "SELECT count(*) FROM staging.item WHERE source_id = %s AND "
                "to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') = %s",
                source_id,
                month,
            )[0][0]
            assert f" +{staged} " in line  # every staged item of the month is new in the first backfill
    assert "integrate_articles: success" in out
    assert "nothing changed" not in out
    assert "2024-04 baodongnai" in first_backfill.stderr and "→ success" in first_backfill.stderr


@pytest.mark.e2e
def test_rerunning_a_done_range_changes_nothing_and_says_so(
    first_backfill, backfill_cli, pipeline_dsn, airflow_metadata_url, airflow_env
) -> None:
    """The second time through an already running Airflow (the operator's), given by its URL."""
    from portal_etl.orchestration.tools.components import AirflowStack

    staged_before, articles_before = staged_rows(pipeline_dsn), article_rows(pipeline_dsn)
    article_fetches = "SELECT count(*) FROM staging.fetch_event WHERE purpose = 'article'"
    fetched_before = query(pipeline_dsn, article_fetches)
    # without the job schedule, unpausing the ingest DAGs does not also start this month's runs
    with AirflowStack(
        Path(airflow_env["AIRFLOW_HOME"]), {**airflow_env, "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}
    ) as stack:
        again = backfill_cli("--from", MONTHS[0], "--to", MONTHS[-1], "--airflow-api", stack.base_url)
    assert "started airflow" not in again.stderr  # no private stack this time
    assert staged_rows(pipeline_dsn) == staged_before  # same rows, same xmin: nothing rewritten
    assert article_rows(pipeline_dsn) == articles_before
    assert query(pipeline_dsn, "SELECT count(*) FROM staging.item_history") == [(0,)]
    assert query(pipeline_dsn, article_fetches) == fetched_before  # every article settled: none asked for
    assert "nothing changed in staging or in the integration store" in again.stdout
    for line in again.stdout.splitlines():
        if line[:7] in MONTHS:
            assert line.count("no change") == 2 and " success " in line, line
    # the months were really run again by Airflow (reprocess completed), still one run per month
    counts = dict(query(airflow_metadata_url, "SELECT dag_id, count(*) FROM dag_run GROUP BY dag_id"))
    assert counts == {**{f"ingest_{s}": len(MONTHS) for s in SOURCES}, "integrate_articles": 2}


def test_month_of_a_run_is_local(registry) -> None:
    from portal_etl.orchestration.tools.backfill import month_of_interval

    # 2024-04-30 17:00 UTC is 1 May 00:00 local: the May run's interval start
    assert month_of_interval(datetime(2024, 4, 30, 17, 0, tzinfo=ZoneInfo("UTC"))) == "2024-05"
    assert month_of_interval(datetime(2024, 3, 31, 17, 0, tzinfo=ZoneInfo("UTC"))) == "2024-04"
    assert Month(2024, 4) == plan_months("2024-04", "2024-04", ["baodongnai"], registry=registry, now=NOW).months[0]
