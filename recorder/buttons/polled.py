"""What the evdev and GPIO buttons share: a reader thread that turns level changes into presses.

A backend opens its device in `start()`, then calls `_start_reader`; `_read_levels` waits up
to `WAIT_S` and yields (pressed, monotonic time) pairs; `_release` closes the device.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from recorder.buttons.events import OnButtonEvent
from recorder.buttons.press import PressInterpreter

log = logging.getLogger(__name__)

WAIT_S = 0.02
"""How long one read waits; long presses are judged between reads, so it bounds their delay."""


class PolledButton:
    """Base of buttons read by a thread of their own; `stop()` is idempotent."""

    def __init__(self, *, on_event: OnButtonEvent, long_press_s: float, debounce_ms: int) -> None:
        self._on_event = on_event
        self._interpreter = PressInterpreter(long_press_s=long_press_s, debounce_ms=debounce_ms)
        self._running = False
        self._thread: threading.Thread | None = None

    def _start_reader(self, name: str) -> None:
        self._running = True
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and release the device; idempotent."""
        self._running = False
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._thread = None
        self._release()

    def _run(self) -> None:
        while self._running:
            try:
                for pressed, at in self._read_levels():
                    for press in self._interpreter.feed(pressed, at):
                        self._on_event(press)
            except OSError as exc:
                log.error("%s lost: %s", self, exc)
                self._running = False
                return
            for press in self._interpreter.poll(time.monotonic()):
                self._on_event(press)

    def _read_levels(self) -> Iterable[tuple[bool, float]]:
        raise NotImplementedError

    def _release(self) -> None:
        raise NotImplementedError
