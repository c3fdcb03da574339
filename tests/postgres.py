"""Test helper: one real PostgreSQL cluster per test session, a fresh database per test.

The cluster lives in test-artifacts/ (git-ignored) and listens on a Unix socket only. Helpers
that build a receiver config from a test's tmp_path get that test's database from
`database_for(tmp_path)`, so two receivers of one test share one database.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from appliance.box.secrets import write_secret
from central.dossiers.devcluster import DevCluster
from central.dossiers.sealing import STORAGE_KEY

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_cluster: DevCluster | None = None
_databases: dict[str, str] = {}


def cluster() -> DevCluster:
    """The session's cluster, started on first use (removed by the conftest at session end)."""
    global _cluster
    if _cluster is None:
        ARTIFACTS.mkdir(exist_ok=True)
        _cluster = DevCluster(ARTIFACTS / f"postgres-{os.getpid()}")
        _cluster.start()
    return _cluster


def database_for(folder: Path) -> str:
    """The conninfo of the database that belongs to `folder` (created on first use)."""
    name = "t_" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:20]
    if name not in _databases:
        _databases[name] = cluster().create_database(name)
    return _databases[name]


def storage_credentials(folder: Path) -> Path:
    """A credentials folder holding a `central-storage-key` (one per folder, made once)."""
    creds = folder / "central-credentials"
    if not (creds / STORAGE_KEY).exists():
        write_secret(creds / STORAGE_KEY, secrets.token_hex(32).encode())
    return creds


def remove_cluster() -> None:
    """Stop and delete the session's cluster, if one was started."""
    global _cluster
    if _cluster is not None:
        _cluster.remove()
        _cluster = None
        _databases.clear()


def database_text(url: str) -> str:
    """Every row of every table as JSON text: what someone with the database alone can read."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return "\n".join(
            str(row[0])
            for table in tables
            for row in conn.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')
        )


def web_database_for(folder: Path) -> str:
    """The same database as `database_for(folder)`, as the workers' screen's role."""
    owner = database_for(folder)
    dbname = owner.split("dbname=")[1].split()[0]
    return cluster().conninfo(dbname, web=True)
