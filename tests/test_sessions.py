"""Login sessions over real HTTP: their lifetime is the configured one, and a live stream of
client data stops once the session behind it has ended."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from appliance.api import sse
from appliance.api.app import create_apps
from appliance.box.accounts import create_user, set_password
from appliance.box.config import ApiConfig
from appliance.service.wiring import build_appliance
from tests.box import box_config
from tests.ports import free_port
from tests.stack import _server_thread

PASSWORD = "correct horse battery"


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, httpx.Client]]:
    monkeypatch.setattr(sse, "PING_SECONDS", 0.3)  # the stream looks at its session this often
    config = box_config(tmp_path)
    config = config.model_copy(update={"api": ApiConfig(session_hours=1.5)})
    worker_app, _kiosk = create_apps(lambda: build_appliance(config, load_model=False, start_sync=False))
    port = free_port()
    server, thread = _server_thread(worker_app, port)
    appliance = worker_app.state.appliance
    create_user(appliance.store, "an.peeters", "An Peeters", "worker", PASSWORD)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        yield appliance, client
    finally:
        client.close()
        server.should_exit = True
        thread.join(timeout=30)


def _login(client: httpx.Client) -> None:
    client.post("/api/session", json={"username": "an.peeters", "password": PASSWORD}).raise_for_status()


def test_a_session_lives_as_long_as_the_configuration_says(box: tuple[Any, httpx.Client]) -> None:
    appliance, client = box
    _login(client)
    [row] = appliance.store.query("SELECT created_at, expires_at FROM sessions")
    lifetime = datetime.fromisoformat(row["expires_at"]) - datetime.fromisoformat(row["created_at"])
    assert lifetime.total_seconds() == pytest.approx(1.5 * 3600)


@pytest.mark.parametrize("how", ["logout", "password_change"])
def test_the_contact_stream_stops_when_its_session_ends(box: tuple[Any, httpx.Client], how: str) -> None:
    appliance, client = box
    _login(client)
    cid = client.post("/api/contacts", json={"dossier_ref": "D-2026-0101", "template_id": "intake"}).json()["id"]
    received: list[str] = []
    ended = threading.Event()

    def listen() -> None:
        with client.stream("GET", f"/api/contacts/{cid}/events", timeout=httpx.Timeout(10, read=30)) as answer:
            received.extend(answer.iter_lines())  # appended line by line as they arrive
        ended.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    deadline = time.monotonic() + 10
    while not any(line.startswith("data:") for line in received) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(line.startswith("data:") for line in received), "the stream sends the contact while logged in"
    assert not ended.is_set()
    if how == "logout":
        # Another tab of the same browser logs out: the same session, ended.
        token = client.cookies.get("spreekkamer_session")
        httpx.delete(f"{client.base_url}/api/session", cookies={"spreekkamer_session": token or ""}).raise_for_status()
    else:
        set_password(appliance.store, "an.peeters", "a brand new passphrase")
    assert ended.wait(5), "the stream went on after its session ended"
    assert client.get(f"/api/contacts/{cid}").status_code == 401


def test_an_oversized_body_is_refused_before_it_is_parsed(box: tuple[Any, httpx.Client]) -> None:
    from appliance.api.limits import WORKER_BODY_BYTES

    _appliance, client = box
    big = b'{"username": "' + b"a" * WORKER_BODY_BYTES + b'", "password": "x"}'
    assert client.post("/api/session", content=big, headers={"Content-Type": "application/json"}).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"username": "'
        for _ in range(WORKER_BODY_BYTES // 65536 + 1):
            yield b"a" * 65536
        yield b'"}'

    streamed = client.post("/api/session", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    _login(client)  # the box still answers
