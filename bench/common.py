"""Shared pieces of the benchmark sections: the result record and the per-run context.

Sections import only this module, so a figure is always recorded the same way and scratch
resources (databases, the replica) are created and cleaned up in one place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOORS_ENV = "BENCH_FLOORS"  # another floors file (the quick-run test uses one that must break)


@dataclass
class Result:
    """One measured figure, with the anchor it is compared with (measured in the same run)."""

    section: str
    name: str
    value: float
    unit: str
    anchor: float | None = None
    anchor_name: str | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    detail: dict = field(default_factory=dict)


@dataclass
class Timing:
    """Wall and process CPU seconds of one ``BenchContext.timer()`` block (filled on exit)."""

    wall: float = 0.0
    cpu: float = 0.0


def _replica_fingerprint() -> str:
    """Hash of the generator's code (themes included) and the registry it reads, so a cached replica is
    rebuilt when they change."""
    digest = hashlib.sha256()
    replica = REPO / "replica" / "portal_replica"
    for path in [*sorted(replica.rglob("*.py")), REPO / "config" / "sources.yaml"]:
        digest.update(path.relative_to(REPO).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class BenchContext:
    """What a section gets from the runner: mode, paths, PostgreSQL and cached inputs."""

    mode: str
    repo: Path
    work_dir: Path
    pg_base: str
    _scratch: list[str] = field(default_factory=list)

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    def _admin(self):
        import psycopg2

        conn = psycopg2.connect(f"{self.pg_base}/postgres", connect_timeout=10)
        conn.autocommit = True
        return conn

    def _recreate(self, db: str, *, utf8: bool) -> None:
        """Drop ``db`` (ending its connections) and create it empty."""
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))
                cur.execute(f'DROP DATABASE IF EXISTS "{db}"')
                cur.execute(f'CREATE DATABASE "{db}"' + (" ENCODING 'UTF8' TEMPLATE template0" if utf8 else ""))
        finally:
            conn.close()

    def _drop(self, dbs: list[str]) -> None:
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                for db in dbs:
                    cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))
                    cur.execute(f'DROP DATABASE IF EXISTS "{db}"')
        finally:
            conn.close()

    def scratch_db(self, name: str) -> str:
        """Create (dropping first) a migrated database ``bench_<name>_<pid>``; dropped at the end of the run.

        The pid keeps two bench runs at once (a developer's and the test's) out of each other's
        databases: dropping one terminates every connection to it.
        """
        from portal_etl.db import migrate

        db = f"bench_{name}_{os.getpid()}"
        self._recreate(db, utf8=True)
        if db not in self._scratch:
            self._scratch.append(db)
        dsn = f"{self.pg_base}/{db}"
        migrate(dsn)
        return dsn

    @contextmanager
    def empty_db(self, name: str) -> Iterator[str]:
        """An empty database ``bench_<name>_<pid>`` for the block (Airflow's metadata: a
        scheduler and an api-server share it), dropped after it."""
        db = f"bench_{name}_{os.getpid()}"
        self._recreate(db, utf8=False)
        try:
            yield f"{self.pg_base}/{db}"
        finally:
            self._drop([db])

    def drop_scratch(self) -> None:
        """Drop every database made by ``scratch_db`` (called by the runner at the end)."""
        if self._scratch:
            self._drop(self._scratch)
            self._scratch.clear()

    def default_replica(self) -> Path:
        """The default scenario (``ScenarioParams()``): ``replica("default")``."""
        return self.replica("default")

    def replica(self, theme: str = "default") -> Path:
        """The default scenario rendered in ``theme`` (``ScenarioParams(theme=theme)``), generated once
        and cached under work_dir per theme (``replica-<theme>``).

        Every theme has the same items, URLs and texts (the truth); only the markup differs. Rebuilt
        when the generator's code (themes included) changes; a file lock per theme makes concurrent
        bench runs (and tests that run the bench) wait for one build instead of writing the same tree
        at once.
        """
        import fcntl

        from portal_replica.generator import ScenarioParams, generate

        params = ScenarioParams(theme=theme)  # ValueError for an unknown theme
        out = self.work_dir / f"replica-{theme}"
        stamp = out / ".bench-stamp"
        want = json.dumps({"params": params.as_json(), "code": _replica_fingerprint()}, sort_keys=True, default=str)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with open(self.work_dir / f"replica-{theme}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stamp.exists() and stamp.read_text(encoding="utf-8") == want and (out / "manifest.json").exists():
                return out
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            generate(params, out)
            stamp.write_text(want, encoding="utf-8")
        return out

    @contextmanager
    def timer(self) -> Iterator[Timing]:
        """Measure wall time and this process's CPU time (user + system) of the block."""
        timing = Timing()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        try:
            yield timing
        finally:
            timing.wall = time.perf_counter() - wall0
            timing.cpu = time.process_time() - cpu0


def default_pg_base() -> str:
    """The PostgreSQL server to use: BENCH_PG_URL, else TEST_PG_URL, else the local trust server."""
    base = os.environ.get("BENCH_PG_URL") or os.environ.get("TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432"
    return base.rstrip("/")


def floors_path() -> Path:
    """The accuracy floors file: $BENCH_FLOORS, else bench/floors.json."""
    return Path(os.environ.get(FLOORS_ENV) or REPO / "bench" / "floors.json")


def load_floors() -> dict[str, float]:
    """``{"section/name": minimum}`` from the floors file (empty when there is none)."""
    path = floors_path()
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("floors", {})
