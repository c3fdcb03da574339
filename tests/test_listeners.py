"""Two listeners: the worker side (HTTPS off loopback) has no kiosk route, and the kiosk side
listens on loopback only, so nothing on the network can answer or revoke for the client."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from fastapi.testclient import TestClient
from pydantic import ValidationError

from appliance.api.app import create_apps
from appliance.api.listeners import KIOSK_HOST, listener_configs
from appliance.api.unprovisioned import create_unprovisioned_app
from appliance.box.config import ApiConfig, AppConfig
from tests.box import box_config
from tests.ports import free_port
from tests.test_provisioning import Fleet, fleet  # noqa: F401 - the provisioned organisation


def _unbuilt() -> None:
    raise AssertionError("the routes are compared without starting the appliance")


def test_the_worker_side_has_no_kiosk_route() -> None:
    worker_app, kiosk_app = create_apps(_unbuilt)
    kiosk_routes = [(method.upper(), path) for path, ops in kiosk_app.openapi()["paths"].items()
                    for method in ops if path.startswith("/api/kiosk")] + [("GET", "/kiosk")]
    assert {("POST", "/api/kiosk/consent"), ("POST", "/api/kiosk/revoke"), ("GET", "/api/kiosk/state"),
            ("GET", "/api/kiosk/events")} <= set(kiosk_routes)
    lan = TestClient(worker_app)  # no lifespan: the appliance is not built
    for method, route in kiosk_routes:
        path = route.replace("{lang}", "nl").replace("{key}", "question")
        answer = lan.request(method, path, json={})
        assert answer.status_code in (404, 405), (method, path, answer.status_code)
    assert not [p for p in worker_app.openapi()["paths"] if "kiosk" in p]


def test_the_kiosk_side_listens_on_loopback_whatever_the_worker_side_does(tmp_path: Path) -> None:
    config = box_config(tmp_path)
    lan = config.model_copy(update={"profile": "production",
                                    "api": ApiConfig(host="0.0.0.0", port=8443, tls=True, kiosk_port=8081)})
    worker, kiosk = listener_configs(lan, object(), object())
    assert (worker.host, worker.port, worker.ssl_certfile) == ("0.0.0.0", 8443, str(config.sync.cert_file))
    assert worker.ssl_keyfile and Path(worker.ssl_keyfile).name == "tls-key"
    assert (kiosk.host, kiosk.port, kiosk.ssl_certfile) == (KIOSK_HOST, 8081, None) and KIOSK_HOST == "127.0.0.1"


def test_the_worker_side_off_loopback_must_use_tls(tmp_path: Path) -> None:
    data = box_config(tmp_path).model_dump()
    data.update(profile="production", api={"host": "0.0.0.0", "port": 8443, "tls": False})
    data["audio"] = {**data["audio"], "source": "pyaudio"}
    with pytest.raises(ValidationError, match="must use TLS"):
        AppConfig.model_validate(data)


def _serve(config: uvicorn.Config) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "listener did not start"
        time.sleep(0.05)
    return server, thread


def test_the_worker_side_answers_https_with_the_box_certificate_and_refuses_plain_http(tmp_path: Path) -> None:
    config = box_config(tmp_path)
    port = free_port()
    config = config.model_copy(update={"api": ApiConfig(port=port, tls=True, kiosk_port=free_port())})
    app = create_unprovisioned_app(["test"], "nl")
    server, thread = _serve(listener_configs(config, app, app)[0])
    try:
        answer = httpx.get(f"https://127.0.0.1:{port}/health", verify=str(config.sync.ca_file), timeout=10)
        assert answer.status_code == 503  # served, over TLS, by a certificate the org's CA signed
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_enrolment_gives_the_box_a_server_certificate_for_its_addresses(fleet: Fleet) -> None:  # noqa: F811
    from tests.test_provisioning import provision

    out = fleet.root / "bundle-https"
    assert provision(["device", "enrol", str(fleet.org), "--device", "room-https", "--profile", "nuc-cpu",
                      "--out", str(out), "--address", "spreekkamer-3.ocmw.example", "--address", "10.20.0.7"]) == 0
    cert = x509.load_pem_x509_certificate((out / "pki" / "device.crt").read_bytes())
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in usage and ExtendedKeyUsageOID.CLIENT_AUTH in usage
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"room-https", "room-https.local", "spreekkamer-3.ocmw.example"} <= set(names.get_values_for_type(x509.DNSName))
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["10.20.0.7"]
    toml = (out / "config.toml").read_text()
    assert "tls = true" in toml and "kiosk_port = 8081" in toml


@pytest.mark.parametrize("reserved", ["flags", "receiver"])
def test_a_device_cannot_be_named_after_central_topics(fleet: Fleet, reserved: str) -> None:  # noqa: F811
    from tests.test_provisioning import provision

    assert provision(["device", "enrol", str(fleet.org), "--device", reserved, "--profile", "dev",
                      "--out", str(fleet.root / f"bundle-{reserved}")]) != 0
    assert not (fleet.root / f"bundle-{reserved}").exists()
