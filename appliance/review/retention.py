"""The retention sweep: delivered reports leave the box once central has held them long enough."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 3600.0


class RetentionSweep:
    """Runs `sweep` at start and every hour on a thread of its own, until `stop`."""

    def __init__(self, sweep: Callable[[], int], *, every_s: float = SWEEP_EVERY_S) -> None:
        self._sweep = sweep
        self._every_s = every_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention-sweep", daemon=True)

    def start(self) -> None:
        """Begin sweeping."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the sweep in progress, if any."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                removed = self._sweep()
                if removed:
                    log.info("retention: %d delivered report(s) removed from the box", removed)
            except Exception:  # a failed sweep is retried at the next one, and said loudly
                log.exception("retention sweep failed")
            self._stopped.wait(self._every_s)
