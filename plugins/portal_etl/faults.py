"""Failpoints: named places where the fault tests kill the process with SIGKILL. Test-only.

A kill test sets ``PORTAL_ETL_FAILPOINT=name[:n][,name[:n]...]``; the n-th time (default 1st)
this process passes ``failpoint(name)``, it SIGKILLs itself, as an OOM killer or a lost worker
would: no ``finally``, no rollback sent, no exception handler runs. With
``PORTAL_ETL_FAILPOINT_ONCE_DIR`` set, each failpoint fires once across processes (it leaves a
marker file there first), so the retry Airflow starts after the kill runs to the end.

``name:n:raise`` raises :class:`FailpointError` there instead: a task that fails with an
exception, so Airflow's own retry runs in the same process (``dag.test``), where a SIGKILL would
take the test down with it.

Unset (production), ``failpoint`` is one dictionary lookup and does nothing.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from portal_etl import settings

ENV = settings.FAILPOINT_ENV
ONCE_DIR_ENV = settings.FAILPOINT_ONCE_DIR_ENV

_hits: dict[str, int] = {}


class FailpointError(RuntimeError):
    """An armed ``name:n:raise`` failpoint fired."""


def _armed_modes() -> dict[str, tuple[int, str]]:
    """The failpoints named in the environment: the hit that fires each, and ``kill`` or ``raise``."""
    spec = settings.failpoint_spec() or ""
    out: dict[str, tuple[int, str]] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, rest = part.partition(":")
        nth, _, mode = rest.partition(":")
        out[name] = (int(nth) if nth else 1, mode or "kill")
    return out


def _claim(name: str) -> bool:
    """True when this process may fire ``name``: no once-directory, or its marker is new."""
    once_dir = settings.failpoint_once_dir()
    if not once_dir:
        return True
    try:
        fd = os.open(Path(once_dir) / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode("ascii"))
    os.fsync(fd)
    os.close(fd)
    return True


def failpoint(name: str) -> None:
    """SIGKILL this process (or raise, ``name:n:raise``) when ``name`` is armed and this is its n-th hit."""
    if settings.failpoint_spec() is None:
        return
    armed = _armed_modes().get(name)
    if armed is None:
        return
    nth, mode = armed
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] == nth and _claim(name):
        if mode == "raise":
            raise FailpointError(f"failpoint {name} fired on hit {nth}")
        os.kill(os.getpid(), signal.SIGKILL)
