"""Apply the numbered SQL migrations in ``sql/`` exactly once each, in order.

Applied migrations are recorded with a checksum; editing one after it ran is refused, because
migrations are append-only. An advisory lock makes concurrent runners (two workers starting at
once) take turns instead of racing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from portal_etl import settings
from portal_etl.db.connection import connect
from portal_etl.vocabulary import MIGRATION_LOCK_KEY

log = logging.getLogger(__name__)

SQL_DIR = settings.SQL_DIR
_NAME_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover(sql_dir: Path = SQL_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(sql_dir.glob("*.sql")):
        match = _NAME_RE.match(path.name)
        if not match:
            continue  # report queries and other SQL files live beside migrations
        migrations.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in migrations]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"two migrations share a number in {sql_dir}")
    return migrations


def migrate(dsn: str | None = None, sql_dir: Path = SQL_DIR) -> list[str]:
    """Apply pending migrations; returns the names applied (empty when up to date)."""
    applied_now: list[str] = []
    conn = connect(dsn, "portal-etl-migrate", role=None)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            cur.execute(
                """CREATE TABLE IF NOT EXISTS public.portal_etl_migrations (
                       version integer PRIMARY KEY, name text NOT NULL,
                       checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            cur.execute("SELECT version, name, checksum FROM public.portal_etl_migrations")
            done = {row[0]: (row[1], row[2]) for row in cur.fetchall()}
            for migration in discover(sql_dir):
                if migration.version in done:
                    name, checksum = done[migration.version]
                    if checksum != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.path.name} changed after it was applied "
                            f"(append a new migration instead of editing {name})"
                        )
                    continue
                log.info("applying migration %s", migration.path.name)
                cur.execute(migration.sql)
                cur.execute(
                    "INSERT INTO public.portal_etl_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                    (migration.version, migration.name, migration.checksum),
                )
                applied_now.append(migration.path.name)
    finally:
        conn.close()
    return applied_now
