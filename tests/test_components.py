"""AirflowStack: Airflow's own components as subprocesses, with one environment, stopped cleanly."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
import requests

from portal_etl.orchestration.tools.components import AirflowStack, component_env


def test_every_component_gets_the_same_home_and_the_execution_api_of_the_stack(tmp_path: Path) -> None:
    env = component_env(tmp_path, {"AIRFLOW__CORE__PARALLELISM": "3"}, 8123)
    assert env["AIRFLOW_HOME"] == str(tmp_path)
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"
    assert env["AIRFLOW__CORE__PARALLELISM"] == "3"  # the caller's value wins over the default
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)  # `airflow` spawns `airflow`
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"]


def test_unknown_components_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="webserver"):
        AirflowStack(tmp_path, {}, components=("api-server", "webserver"))


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.e2e
def test_an_api_server_alone_answers_without_login_and_stops(tmp_path: Path) -> None:
    env = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}"}
    with AirflowStack(tmp_path / "home", env, components=("api-server",), migrate=True) as stack:
        assert stack.health()["metadatabase"]["status"] == "healthy"
        dags = stack.api("GET", "/api/v2/dags")  # SIMPLE_AUTH_MANAGER_ALL_ADMINS: no token needed
        assert "dags" in dags
        with pytest.raises(requests.HTTPError, match="404"):
            stack.api("GET", "/api/v2/dags/no_such_dag")
        process = stack.processes["api-server"]
        port = stack.port
        assert stack.log_file("api-server").exists()
    assert process.poll() is not None
    assert not port_is_open(port)
