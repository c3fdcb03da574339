"""A PostgreSQL cluster of its own for the dev profile, the tests and the benchmarks.

Debian's `postgresql` binaries, an unprivileged owner (initdb refuses root: as root the cluster
runs as the `postgres` system user), data in the given folder and no TCP listener: clients
reach it on a Unix socket inside that folder, which only its owner (and root) can enter.
Production uses the OCMW's own PostgreSQL; see docs/central.md.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "postgres"
ADMIN_ROLE = "spreekkamer_admin"
APP_ROLE = "spreekkamer"
WEB_ROLE = "spreekkamer_web"  # the workers' screen: row-level security applies to it
_PORT = 5432  # only names the socket file; there is no TCP listener
_TIMEOUT_S = 60


class ClusterError(Exception):
    """The cluster could not be created, started or stopped; says which command failed."""


class DevCluster:
    """One cluster in `folder` (`data/` and the socket); `start()` creates it on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "run"

    def conninfo(self, dbname: str = "postgres", *, admin: bool = False, web: bool = False) -> str:
        """libpq connection string for a database of this cluster: as the owner (receivers),
        the screen's role (`web`) or the superuser (`admin`)."""
        user = ADMIN_ROLE if admin else WEB_ROLE if web else APP_ROLE
        return f"host={self.socket_dir} port={_PORT} dbname={dbname} user={user}"

    def start(self) -> None:
        """Create the cluster if needed, then start it and wait until it accepts connections."""
        if not (self.data / "PG_VERSION").exists():
            self._init()
        if not self.running():
            self._run(
                PG_BIN / "pg_ctl", "-D", self.data, "-w", "-t", str(_TIMEOUT_S),
                "-l", self.folder / "postgres.log", "-o", f"-k {self.socket_dir} -p {_PORT}",
                "start",
            )
        self._psql(  # clusters made by an older version lack the screen's role
            "DO $$ BEGIN"
            f" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN"
            f" CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF;"
            f" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WEB_ROLE}') THEN"
            f" CREATE ROLE {WEB_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast` rolls back open transactions; `immediate` is a crash)."""
        if self.running():
            self._run(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", mode, "stop")

    def running(self) -> bool:
        """Does pg_ctl see a live server on this data folder?"""
        if not (self.data / "PG_VERSION").exists():
            return False
        done = subprocess.run(
            self._as_owner(PG_BIN / "pg_ctl", "-D", self.data, "status"),
            capture_output=True, timeout=_TIMEOUT_S, check=False,
        )
        return done.returncode == 0

    def create_database(self, name: str) -> str:
        """A new, empty database owned by the application role; returns its conninfo."""
        _check_name(name)
        self._psql(f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        return self.conninfo(name)

    def ensure_database(self, name: str) -> str:
        """`create_database` unless the database exists already (the dev profile's restarts)."""
        _check_name(name)
        done = subprocess.run(
            ["/usr/bin/psql", "-X", "-At", "-d", self.conninfo(admin=True), "-c",
             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True, text=True, timeout=_TIMEOUT_S, check=False,
        )
        if done.returncode != 0:
            raise ClusterError(f"psql failed: {done.stderr.strip()}")
        return self.conninfo(name) if done.stdout.strip() == "1" else self.create_database(name)

    def drop_database(self, name: str) -> None:
        """Drop a database made by `create_database` (disconnecting its clients)."""
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.socket_dir.mkdir(exist_ok=True, mode=0o700)
        owner = _owner()
        if owner is not None:
            for path in (self.folder, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run(
            PG_BIN / "initdb", "-D", self.data, "-U", ADMIN_ROLE, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            # Unix socket only; small memory, quick shutdown: a developer's or a test's cluster.
            conf.write("listen_addresses = ''\nshared_buffers = 32MB\nmax_connections = 50\n"
                       "unix_socket_permissions = 0700\nfsync = on\n")


    def _psql(self, sql: str) -> None:
        self._run("/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                  "-d", self.conninfo(admin=True), "-c", sql, as_owner=False)

    def _run(self, *argv: object, as_owner: bool = True) -> None:
        cmd = self._as_owner(*argv) if as_owner else [str(a) for a in argv]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClusterError(f"{cmd[0]}: {exc}") from exc
        if done.returncode != 0:
            raise ClusterError(f"{' '.join(cmd)} failed: {(done.stderr or done.stdout).strip()}")

    def _as_owner(self, *argv: object) -> list[str]:
        args = [str(a) for a in argv]
        return ["runuser", "-u", SYSTEM_USER, "--", *args] if _owner() is not None else args


def _check_name(name: str) -> None:
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ClusterError(f"database name {name!r} must be ASCII letters, digits and '_'")


def _owner() -> pwd.struct_passwd | None:
    """The system user the cluster runs as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError as exc:
        raise ClusterError(
            f"running as root needs the {SYSTEM_USER!r} user of Debian's postgresql package"
        ) from exc
