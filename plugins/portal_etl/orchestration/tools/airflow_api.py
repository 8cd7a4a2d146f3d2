"""Reaching Airflow from the command line: the REST API of a running api-server, or a private
stack for one command, and the few calls every tool makes (DAG known, pause flag, alive).

Which Airflow: ``--airflow-api`` / PORTAL_ETL_AIRFLOW_API, else the stack ``portal-etl stack up``
left running (:func:`running_airflow`); a command that needs a scheduler and finds none starts
a private api-server + scheduler + dag-processor (:func:`open_airflow`) with ``[scheduler]
use_job_schedule = False``, so unpausing a DAG does not also start its regular schedule there
(the ``stack up`` stack runs the same way).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

import requests

from portal_etl import settings

log = logging.getLogger("portal_etl.airflow_api")

POLL_SECONDS = 3.0
DAG_APPEAR_TIMEOUT = 180.0  # a fresh dag-processor parses dags/ in ~20 s here; allow for a busy machine
API_ENV = settings.AIRFLOW_API_ENV
TOKEN_ENV = settings.AIRFLOW_TOKEN_ENV


class AirflowRunError(RuntimeError):
    """Runs could not be started or awaited; the message says what to do."""


class AirflowApi(Protocol):
    base_url: str

    def api(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any: ...


class RemoteAirflow:
    """The operator's running api-server (its scheduler and dag-processor do the work)."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def api(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base_url}{path}", json=json, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise requests.HTTPError(
                f"{method} {path}: {response.status_code} {response.text[:2000]}", response=response
            )
        return response.json() if response.content else None


def parse_time(value: str | None) -> datetime | None:
    """An instant as the REST API writes it (``Z`` for UTC)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def wait_for_dags(airflow: AirflowApi, dag_ids: list[str], timeout: float = DAG_APPEAR_TIMEOUT) -> None:
    """Wait until the dag-processor has serialized every DAG the runs need."""
    deadline = time.monotonic() + timeout
    missing = list(dag_ids)
    while missing and time.monotonic() < deadline:
        still = []
        for dag_id in missing:
            try:
                airflow.api("GET", f"/api/v2/dags/{dag_id}/details")
            except requests.HTTPError as exc:
                if exc.response is None or exc.response.status_code != 404:
                    raise
                still.append(dag_id)
        missing = still
        if missing:
            time.sleep(POLL_SECONDS)
    if missing:
        raise AirflowRunError(
            f"Airflow does not know the DAGs {missing} after {timeout:.0f}s: check the "
            "dag-processor log and `airflow dags list-import-errors`"
        )


def set_paused(airflow: AirflowApi, dag_id: str, paused: bool) -> bool:
    """Set a DAG's pause flag; return what it was."""
    was = bool(airflow.api("GET", f"/api/v2/dags/{dag_id}")["is_paused"])
    if was != paused:
        airflow.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": paused})
    return was


def check_alive(airflow: AirflowApi) -> None:
    """Raise if a component of a private stack has exited (the operator's Airflow: no check).

    Without it a scheduler or worker that died mid-backfill left the poll waiting, run states
    frozen, until the timeout.
    """
    check = getattr(airflow, "check_alive", None)
    if check is not None:
        check()


def running_airflow(api_url: str | None = None) -> RemoteAirflow | None:
    """An Airflow that is already running: ``api_url``, else PORTAL_ETL_AIRFLOW_API, else the
    stack ``portal-etl stack up`` left running; None when there is none."""
    from portal_etl.orchestration.tools.stack import running_url

    env_url, token = settings.airflow_api()
    api_url = api_url or env_url
    if api_url:
        return RemoteAirflow(api_url, token)
    stack_url = running_url()
    if stack_url:
        log.info("using the Airflow stack running at %s (portal-etl stack status)", stack_url)
        return RemoteAirflow(stack_url)
    return None


@contextmanager
def open_airflow(api_url: str | None = None) -> Iterator[AirflowApi]:
    """A running Airflow (see :func:`running_airflow`), else a private stack for the command."""
    running = running_airflow(api_url)
    if running is not None:
        yield running
        return
    from portal_etl.orchestration.tools.components import AirflowStack

    home = settings.airflow_home()
    # only backfill and manual runs here: unpausing must not also start the regular schedule
    env = {"AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}
    with AirflowStack(home, env, migrate=True) as stack:
        yield stack
