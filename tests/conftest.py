"""Shared fixtures: demo audio, the whole running stack, and a guard against swallowed errors."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.dossiers.devcluster import DevCluster

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SHARED_EVAL = REPO.parent / "shared" / "eval"


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_errors = _ErrorCollector()
for _name in ("appliance", "recorder", "central"):
    logging.getLogger(_name).addHandler(_errors)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_logged_errors: the test expects errors to be logged")


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """An exception that was only logged is still a failure (unless the test expects it)."""
    _errors.records.clear()
    yield
    if request.node.get_closest_marker("allow_logged_errors"):
        return
    found = [f"{r.name}: {r.getMessage()}" for r in _errors.records]
    _errors.records.clear()
    if found:
        pytest.fail("errors were logged during the test:\n" + "\n".join(found))


@pytest.fixture(scope="session", autouse=True)
def _postgres_cluster_goes_away() -> Iterator[None]:
    """The PostgreSQL cluster that tests start on first use is removed after the session."""
    yield
    from tests.postgres import remove_cluster

    remove_cluster()


@pytest.fixture(scope="session")
def pg_cluster() -> DevCluster:
    """The session's real PostgreSQL cluster (Unix socket in test-artifacts/)."""
    from tests.postgres import cluster

    return cluster()


@pytest.fixture()
def central_db(tmp_path: Path) -> str:
    """A fresh database of the session cluster for this test; returns its conninfo."""
    from tests.postgres import database_for

    return database_for(tmp_path)


@pytest.fixture(scope="session")
def demo_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short synthetic Dutch intake conversation (espeak-ng), 16 kHz, on the room's two
    microphones (worker left, client right), so the transcript says who spoke."""
    from appliance.service.devprofile import ensure_demo_wav

    return ensure_demo_wav(tmp_path_factory.mktemp("demo") / "gesprek.wav", stereo=True)


@pytest.fixture(scope="session")
def appliance_server(demo_wav: Path) -> Iterator[object]:
    """Broker, receiver and appliance running on loopback, with a logged-in worker client."""
    from tests.stack import running_stack

    with running_stack(demo_wav) as stack:
        yield stack


@pytest.fixture(autouse=True)
def _free_room(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests share one running appliance, and a room is held by at most one contact that asks
    or records: each test starts with the room free, as a new client's conversation would."""
    yield
    if "appliance_server" in request.fixturenames:
        request.getfixturevalue("appliance_server").free_room()
