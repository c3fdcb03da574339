"""A production box without its credentials refuses to record and says why (health + kiosk)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright import sync_api

from tests.broker import free_port

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "kiosk"


@pytest.mark.slow
def test_unprovisioned_box_refuses_and_explains(tmp_path: Path) -> None:
    port, kiosk_port = free_port(), free_port()
    conf = tmp_path / "box.toml"
    conf.write_text(
        'profile = "production"\n'
        f'credentials_dir = "{tmp_path / "creds"}"\n\n'
        f'[api]\nhost = "127.0.0.1"\nport = {port}\nkiosk_port = {kiosk_port}\n\n'
        f'[store]\ndata_dir = "{tmp_path / "data"}"\n\n'
        '[audio]\nsource = "pyaudio"\n\n'
        f'[sync]\nca_file = "{tmp_path / "ca.crt"}"\ncert_file = "{tmp_path / "dev.crt"}"\n'
        f'central_public_key = "{tmp_path / "c.pub"}"\ncentral_verify_key = "{tmp_path / "v.pub"}"\n'
    )
    proc = subprocess.Popen([sys.executable, "-m", "appliance.cli", "serve", "--config", str(conf)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                assert time.monotonic() < deadline, "service did not come up"
                time.sleep(0.2)
        assert health.status_code == 503
        problems = health.json()["problems"]
        assert any("certificate" in p for p in problems), problems
        assert str(tmp_path) not in health.text, "where the box keeps its keys is not for the network"
        assert httpx.get(f"{base}/api/kiosk/state").status_code == 503  # the kiosk is not on this side
        kiosk = f"http://127.0.0.1:{kiosk_port}"  # the kiosk side listens apart, on loopback
        assert httpx.get(f"{kiosk}/api/kiosk/state").json()["state"] == "out_of_service"
        assert httpx.post(f"{base}/api/contacts", json={"dossier_ref": "X", "template_id": "intake"}).status_code == 503
        assert not (tmp_path / "data").exists(), "nothing is stored on an unprovisioned box"
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", timeout=60_000, args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 800, "height": 480})
            page.goto(f"{kiosk}/kiosk")
            page.wait_for_selector("#view-unprovisioned:not([hidden])", timeout=15_000)
            assert "niet ingesteld" in page.inner_text("#view-unprovisioned")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "800x480-unprovisioned.png"))
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
