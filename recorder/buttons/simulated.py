"""A button without hardware: pressed by the core's HTTP API, or from a terminal keyboard."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

from recorder.buttons.events import ButtonEvent, OnButtonEvent, PressKind

log = logging.getLogger(__name__)

KEYBOARD_HELP = "Enter = korte druk (start/pauze/hervat), l + Enter = lange druk (stop), q + Enter = stoppen"


class SimulatedButton:
    """`press(kind)` delivers an event at once; keyboard mode reads lines from `stream`."""

    def __init__(
        self, on_event: OnButtonEvent, *, keyboard: bool = False, stream: TextIO | None = None
    ) -> None:
        self._on_event = on_event
        self._keyboard = keyboard
        self._stream = stream if stream is not None else sys.stdin
        self._running = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin accepting presses (and reading the keyboard in keyboard mode)."""
        self._running = True
        if self._keyboard and self._thread is None:
            self._thread = threading.Thread(target=self._read_keys, name="button-keys", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop accepting presses; the keyboard thread ends at its next line or end of input."""
        self._running = False

    def press(self, kind: PressKind) -> ButtonEvent:
        """Deliver one press as if the worker pushed the button; returns the event."""
        if kind not in ("short", "long"):
            raise ValueError(f"a press is 'short' or 'long', not {kind!r}")
        if not self._running:
            raise RuntimeError("the simulated button is not started")
        event = ButtonEvent(kind, time.monotonic())
        self._on_event(event)
        return event

    def _read_keys(self) -> None:
        for line in self._stream:
            if not self._running:
                break
            key = line.strip().lower()
            if key == "q":
                break
            if key in ("", "s"):
                self.press("short")
            elif key == "l":
                self.press("long")
            else:
                log.info("unknown key %r; %s", key, KEYBOARD_HELP)
        self._running = False
