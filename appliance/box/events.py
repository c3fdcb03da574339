"""A change counter that wakes live screens (SSE) when anything in the room changes.

Worker threads (recorder, transcription, relay) call `notify()`; SSE handlers `await wait(...)`.
Screens then fetch the current state, so a missed wake-up never leaves them wrong for long.
"""

from __future__ import annotations

import asyncio
import threading


class Changes:
    """Monotonic version number; waiters on any event loop are woken from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    @property
    def version(self) -> int:
        """The current version; compare with what a screen last saw."""
        with self._lock:
            return self._version

    def notify(self) -> None:
        """Something changed."""
        with self._lock:
            self._version += 1
            waiters = list(self._waiters)
        for loop, fut in waiters:
            loop.call_soon_threadsafe(_resolve, fut)

    async def wait(self, seen: int, timeout: float) -> int:
        """Wait until the version differs from `seen` or the timeout passes; return the version."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        entry = (loop, fut)
        with self._lock:
            if self._version != seen:
                return self._version
            self._waiters.add(entry)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(entry)
        return self.version


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
