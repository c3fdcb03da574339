"""The box's two listeners in one process: the worker side on the configured address (HTTPS
off loopback) and the kiosk side on 127.0.0.1 only. No proxy in front: the kiosk's loopback
check then sees the real peer, and the LAN listener has no kiosk route at all."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import uvicorn

from appliance.box.config import AppConfig
from appliance.box.secrets import credential_path

KIOSK_HOST = "127.0.0.1"


def listener_configs(config: AppConfig, worker_app: Any, kiosk_app: Any) -> list[uvicorn.Config]:
    """The uvicorn settings of both listeners (the worker side's with TLS when configured)."""
    tls: dict[str, Any] = {}
    if config.api.tls:
        tls = {"ssl_certfile": str(config.sync.cert_file),
               "ssl_keyfile": str(credential_path(config.sync.key_credential, config.credentials_dir)),
               "ssl_version": ssl.PROTOCOL_TLS_SERVER}
    return [
        uvicorn.Config(worker_app, host=config.api.host, port=config.api.port, log_level="info", **tls),
        uvicorn.Config(kiosk_app, host=KIOSK_HOST, port=config.api.kiosk_port, log_level="info"),
    ]


def serve(config: AppConfig, worker_app: Any, kiosk_app: Any) -> None:
    """Run both listeners until the process is told to stop; either one ending stops both."""
    servers = [uvicorn.Server(c) for c in listener_configs(config, worker_app, kiosk_app)]

    async def run() -> None:
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())
