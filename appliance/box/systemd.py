"""systemd integration: READY=1 once models are loaded, and watchdog pings while healthy.

systemd-python is optional (a laptop has no systemd service manager for us); without it or
outside a unit (no $NOTIFY_SOCKET) these are no-ops.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading

log = logging.getLogger(__name__)


def _notify(message: str) -> None:
    if not os.environ.get("NOTIFY_SOCKET") or importlib.util.find_spec("systemd") is None:
        return
    from systemd import daemon

    daemon.notify(message)


def notify_ready() -> None:
    """Tell systemd the service is ready (Type=notify)."""
    _notify("READY=1")
    log.info("appliance ready")


def start_watchdog() -> None:
    """Ping the watchdog at half the interval systemd asks for ($WATCHDOG_USEC)."""
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec:
        return
    interval = int(usec) / 2_000_000

    def loop() -> None:
        while True:
            _notify("WATCHDOG=1")
            threading.Event().wait(interval)

    threading.Thread(target=loop, name="watchdog", daemon=True).start()
