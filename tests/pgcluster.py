"""A private PostgreSQL cluster for tests that restart the server or need password logins.

initdb + pg_ctl on a free port in a temporary directory, run as the ``postgres`` OS user when
the tests run as root (initdb refuses root). The superuser connects over the Unix socket with
trust; TCP logins use ``host_auth`` (``trust``, or ``scram-sha-256`` to make passwords count).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from portal_etl.orchestration.tools.components import free_port


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL bin directory (Debian layout, then PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if found:
        return Path(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivateCluster:
    def __init__(self, host_auth: str = "trust") -> None:
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL binaries not found")
        self.root = Path(tempfile.mkdtemp(prefix="portal-etl-pg-", dir="/tmp"))
        self.data, self.sock, self.log = self.root / "data", self.root / "run", self.root / "postgres.log"
        self.sock.mkdir()
        self.port = free_port()
        self.host_auth = host_auth
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, *extra, action)

    def start(self) -> PrivateCluster:
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                f"--auth-host={self.host_auth}",
            )
        self._pg_ctl("start")
        return self

    def restart(self) -> None:
        """A fast restart: open sessions are terminated and their transactions rolled back."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "fast")

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def admin_dsn(self, database: str = "postgres") -> str:
        """The superuser over the Unix socket (trust)."""
        return f"postgresql://postgres@/{database}?host={self.sock}&port={self.port}"

    def tcp_dsn(self, user: str, database: str, password: str | None = None) -> str:
        auth = f"{quote(user, safe='')}:{quote(password, safe='')}" if password else quote(user, safe="")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"
