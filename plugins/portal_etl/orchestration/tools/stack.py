"""``portal-etl stack up | status | down``: the local Airflow stack, left running in the background.

Why: to watch runs in the UI an engineer needs the api-server, scheduler and dag-processor
running with the project's environment, and ``backfill``, ``ingest`` and ``process`` should then
use that Airflow instead of starting their own. ``up`` starts the components with
:class:`~portal_etl.orchestration.tools.components.AirflowStack` (the code that also starts backfill's
private stack), lets them outlive the command, and records each in ``var/stack`` (or
``$PORTAL_ETL_STACK_DIR``): ``<component>.pid``, ``<component>.log`` and ``stack.json`` (port,
Airflow home, the JWT secret the components share, so a component restarted later still accepts
the others' tokens). ``status`` reads those files; ``down`` stops what they name.

**No regular schedules.** The scheduler runs with ``[scheduler] use_job_schedule = False``, as in
backfill's private stack. With it on, every unpaused DAG would start by itself as soon as the
stack is up: ``monthly_report`` has ``catchup=True`` from 2023-03, so a fresh metadata DB would
queue one report run per month since then, and each ``ingest_*`` DAG (``catchup=False``) a run of
the last complete month against its site. Here runs come only from ``portal-etl backfill``,
``ingest`` and ``process``, and from the UI's Trigger button. Asset-triggered runs are off too:
trigger ``integrate_articles`` or ``review_queue`` from the UI, or run ``portal-etl process``.

**No triggerer:** no task of the project defers. The review DAG's ``HITLOperator`` waits in
Airflow 3.3's ``awaiting_input`` state without a trigger (``tests/test_stack.py`` checks that no
task is deferrable, so adding one fails a test instead of hanging a run).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import requests

from portal_etl import settings
from portal_etl.orchestration.tools.components import STOP_GRACE_SECONDS, AirflowStack, ComponentError

log = logging.getLogger("portal_etl.stack")

STACK_DIR_ENV = settings.STACK_DIR_ENV
COMPONENTS = ("api-server", "scheduler", "dag-processor")
DEFAULT_PORT = 8080  # Airflow's own default; `stack up --port N` when something else has it
STARTUP_TIMEOUT = 240.0  # a cold start (db migrate included) took ~20 s here; allow for a busy machine
STACK_ENV = {"AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}  # see the module docstring
_HEALTH_KEYS = {"scheduler": "scheduler", "dag-processor": "dag_processor"}


class StackError(RuntimeError):
    """The stack could not be started or stopped; the message says what to do."""


@dataclass(frozen=True)
class ComponentState:
    name: str
    pid: int | None
    health: str | None  # "healthy", "unhealthy", or None when nobody answered

    @property
    def running(self) -> bool:
        return self.pid is not None


@dataclass(frozen=True)
class StackStatus:
    url: str | None
    directory: Path
    components: list[ComponentState]
    started: list[str]  # what this call started (``up`` only)

    @property
    def running(self) -> bool:
        return all(c.running for c in self.components)

    @property
    def healthy(self) -> bool:
        return all(c.running and c.health == "healthy" for c in self.components)

    def render(self) -> str:
        api_up = any(c.name == "api-server" and c.running for c in self.components)
        lines = [f"Airflow UI: {self.url if self.url and api_up else '(not running)'}"]
        for c in self.components:
            state = "running" if c.running else "stopped"
            pid = f"pid {c.pid}" if c.pid else "-"
            lines.append(f"  {c.name:<14} {state:<8} {pid:<10} {c.health or '-'}")
        lines.append(f"logs: {self.directory}/<component>.log")
        return "\n".join(lines)


# --- the files under var/stack ---------------------------------------------------------------


def stack_dir() -> Path:
    return settings.stack_dir()


def pid_file(directory: Path, name: str) -> Path:
    return directory / f"{name}.pid"


def load_state(directory: Path) -> dict[str, Any]:
    path = directory / "stack.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_state(directory: Path, state: dict[str, Any]) -> None:
    path = directory / "stack.json"
    tmp = path.with_suffix(".tmp")
    # it holds the JWT secret: readable by the owner only
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=2)
    tmp.replace(path)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One ``up`` or ``down`` at a time: two at once would start every component twice."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _command_words(pid: int) -> list[str]:
    """The words of a live process's command line; empty for a zombie or a process gone."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return []
        return " ".join(proc.cmdline()).replace("/", " ").split()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def is_airflow(pid: int) -> bool:
    return "airflow" in _command_words(pid)


def is_component(pid: int, name: str) -> bool:
    """Is ``pid`` a live ``airflow <name>`` process? A zombie (exited, not yet reaped) is not.

    The command line is checked because a pid file can outlive its process and the pid be
    reused by an unrelated one, which must never be reported as ours, let alone stopped. The
    api-server retitles itself ``airflow api_server -- host:…``, hence the underscore spelling.
    """
    words = _command_words(pid)
    return "airflow" in words and (name in words or name.replace("-", "_") in words)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def live_components(directory: Path) -> dict[str, int]:
    """The components whose pid file names a live process (read only: see :func:`clean_stale`)."""
    pids = {name: _read_pid(pid_file(directory, name)) for name in COMPONENTS}
    return {name: pid for name, pid in pids.items() if pid is not None and is_component(pid, name)}


def clean_stale(directory: Path) -> None:
    """Remove the pid files of components that died, and kill what they left behind.

    A component killed hard (OOM, ``kill -9``) leaves its forked children running: the
    scheduler's LocalExecutor workers. They are still in the dead component's process group.
    """
    for name in COMPONENTS:
        path = pid_file(directory, name)
        pid = _read_pid(path) if path.exists() else None
        if not path.exists() or (pid is not None and is_component(pid, name)):
            continue
        log.info("removing stale pid file %s (no airflow %s with pid %s)", path, name, pid)
        if pid is not None and any(is_airflow(member) for member in group_members(pid)):
            log.warning("killing what the dead airflow %s (pid %d) left running in its group", name, pid)
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        path.unlink(missing_ok=True)


# --- talking to it ---------------------------------------------------------------------------


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def running_url(directory: Path | None = None) -> str | None:
    """The URL of the stack's api-server when ``stack up`` left one running, else None."""
    directory = directory or stack_dir()
    port = load_state(directory).get("port")
    return base_url(port) if port and "api-server" in live_components(directory) else None


def health(url: str) -> dict[str, str]:
    """Each running component's health from ``/api/v2/monitor/health`` (empty if no answer)."""
    try:
        answer = requests.get(f"{url}/api/v2/monitor/health", timeout=10).json()
    except (requests.RequestException, ValueError):
        return {}
    out = {"api-server": "healthy"}
    for name, key in _HEALTH_KEYS.items():
        out[name] = (answer.get(key) or {}).get("status") or "unhealthy"
    return out


def status(directory: Path | None = None, started: list[str] | None = None) -> StackStatus:
    directory = directory or stack_dir()
    live = live_components(directory)
    port = load_state(directory).get("port")
    url = base_url(port) if port else None
    healths = health(url) if url and "api-server" in live else {}
    states = [ComponentState(n, live.get(n), healths.get(n) if n in live else None) for n in COMPONENTS]
    return StackStatus(url, directory, states, started or [])


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


# --- up / down -------------------------------------------------------------------------------


def up(port: int | None = None, directory: Path | None = None, timeout: float = STARTUP_TIMEOUT) -> StackStatus:
    """Start what is not running, wait until every component is healthy; start nothing twice."""
    directory = directory or stack_dir()
    with _locked(directory):
        clean_stale(directory)
        live = live_components(directory)
        state = load_state(directory)
        if "api-server" in live:
            if not state.get("port"):
                raise StackError(f"{directory}/stack.json is missing: `portal-etl stack down`, then up again")
            if port and port != state["port"]:
                raise StackError(
                    f"the stack's api-server already listens on port {state.get('port')}; "
                    "`portal-etl stack down` first to change the port"
                )
            port = state["port"]
        else:
            port = port or state.get("port") or DEFAULT_PORT
            if not _port_is_free(port):
                raise StackError(
                    f"port {port} is in use by another program: choose another with `portal-etl stack up --port N`"
                )
        # one secret for every component of the stack, kept while any of them runs (64 bytes:
        # PyJWT warns about shorter HMAC keys)
        secret = (state.get("jwt_secret") if live else None) or secrets.token_urlsafe(64)
        env = {**STACK_ENV, "AIRFLOW__API_AUTH__JWT_SECRET": secret}
        home = settings.airflow_home()
        missing = [c for c in COMPONENTS if c not in live]
        stack = AirflowStack(
            home,
            env,
            components=missing,
            port=port,
            migrate="api-server" in missing,
            startup_timeout=timeout,
            log_dir=directory,
        )
        save_state(
            directory,
            {
                "port": port,
                "url": stack.base_url,
                "airflow_home": str(home),
                "jwt_secret": secret,
            },
        )
        try:
            if missing:
                stack.start()  # stops what it started if any of it fails
                for name, proc in stack.processes.items():
                    pid_file(directory, name).write_text(f"{proc.pid}\n")
            stack.wait_healthy(components=COMPONENTS)
        except ComponentError as exc:  # one line: what failed (its first line) and why (its last)
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            errors = [line for line in lines[1:] if "error" in line.lower() and not line.startswith("(Background")]
            # without Python class names ("sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) …")
            reason = re.sub(r"^(\(?[\w.]+(Error|Exception)\)?:?\s*)+", "", (errors or lines)[-1])
            why = f": {reason}" if len(lines) > 1 else ""
            raise StackError(f"{lines[0].rstrip(':')}{why} (logs in {directory})") from exc
    return status(directory, started=missing)


def stop_group(pid: int, name: str, grace: float = STOP_GRACE_SECONDS) -> None:
    """SIGTERM the component, wait up to ``grace`` seconds, then SIGKILL its whole process group.

    ``up`` starts each component in its own session, so its group holds it and every process it
    forked (LocalExecutor workers, uvicorn children), which must not outlive it.
    """
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while is_component(pid, name) and time.monotonic() < deadline:
        time.sleep(0.2)
    if is_component(pid, name):
        log.warning("airflow %s (pid %d) ignored SIGTERM for %.0fs; killing it", name, pid, grace)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for proc in psutil.process_iter(["pid", "status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(proc.pid)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return members


def down(directory: Path | None = None, grace: float = STOP_GRACE_SECONDS) -> list[str]:
    """Stop every component of the stack; return the names of those that were running."""
    directory = directory or stack_dir()
    with _locked(directory):
        clean_stale(directory)
        live = live_components(directory)
        for name in reversed(COMPONENTS):  # the api-server last: workers report to it until the end
            if name in live:
                stop_group(live[name], name, grace)
        deadline = time.monotonic() + 5  # SIGKILL is delivered asynchronously: give it a moment
        while True:
            left = {name: group_members(pid) for name, pid in live.items()}
            left = {name: pids for name, pids in left.items() if pids}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if left:
            raise StackError(f"processes still running after SIGKILL: {left}")
        for name in live:
            pid_file(directory, name).unlink(missing_ok=True)
    return [n for n in COMPONENTS if n in live]
