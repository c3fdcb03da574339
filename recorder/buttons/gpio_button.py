"""A push button on a GPIO line (Jetson header, ...) through libgpiod v2 (`gpiod`)."""

from __future__ import annotations

import datetime
import importlib
import logging
import threading
import time
from typing import Any

from recorder.buttons.events import OnButtonEvent
from recorder.buttons.press import PressInterpreter
from recorder.errors import DeviceUnavailable

log = logging.getLogger(__name__)


class GpioButton:
    """Edge events from one line, button to ground with the pull-up on (pressed = low)."""

    def __init__(
        self,
        chip: str,
        line: int,
        *,
        on_event: OnButtonEvent,
        long_press_s: float = 1.5,
        debounce_ms: int = 50,
    ) -> None:
        self.chip = chip
        self.line = line
        self._on_event = on_event
        self._interpreter = PressInterpreter(long_press_s=long_press_s, debounce_ms=debounce_ms)
        self._request: Any = None
        self._running = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Request the line with edge detection; raises `DeviceUnavailable` if it cannot."""
        try:
            gpiod: Any = importlib.import_module("gpiod")
        except ImportError as exc:
            raise DeviceUnavailable(
                "GPIO button: the gpiod library (libgpiod v2 Python bindings) is not installed; "
                "install it with: pip install gpiod"
            ) from exc
        settings = gpiod.LineSettings(
            direction=gpiod.line.Direction.INPUT,
            edge_detection=gpiod.line.Edge.BOTH,
            bias=gpiod.line.Bias.PULL_UP,
            active_low=True,
            # The kernel filters contact bounce; the interpreter still applies the press debounce.
            debounce_period=datetime.timedelta(milliseconds=5),
        )
        try:
            self._request = gpiod.request_lines(
                self.chip, consumer="spreekkamer-button", config={self.line: settings}
            )
        except (OSError, ValueError) as exc:
            raise DeviceUnavailable(f"GPIO button {self.chip} line {self.line}: {exc}") from exc
        self._gpiod, self._running = gpiod, True
        self._thread = threading.Thread(target=self._run, name="button-gpio", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and release the line; idempotent."""
        self._running = False
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._thread = None
        request, self._request = self._request, None
        if request is not None:
            request.release()

    def _run(self) -> None:
        rising = self._gpiod.EdgeEvent.Type.RISING_EDGE
        while self._running:
            try:
                if self._request.wait_edge_events(datetime.timedelta(milliseconds=20)):
                    for edge in self._request.read_edge_events():
                        # libgpiod stamps edges with CLOCK_MONOTONIC, the clock we use too.
                        at = edge.timestamp_ns / 1e9
                        for press in self._interpreter.feed(edge.event_type == rising, at):
                            self._on_event(press)
            except OSError as exc:
                log.error("GPIO button %s line %s lost: %s", self.chip, self.line, exc)
                self._running = False
                return
            for press in self._interpreter.poll(time.monotonic()):
                self._on_event(press)
