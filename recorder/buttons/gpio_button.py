"""A push button on a GPIO line (Jetson header, ...) through libgpiod v2 (`gpiod`)."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterator
from typing import Any

from recorder.buttons.events import OnButtonEvent
from recorder.buttons.polled import WAIT_S, PolledButton
from recorder.errors import DeviceUnavailable


class GpioButton(PolledButton):
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
        super().__init__(on_event=on_event, long_press_s=long_press_s, debounce_ms=debounce_ms)
        self.chip = chip
        self.line = line
        self._request: Any = None

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
        self._gpiod = gpiod
        self._start_reader("button-gpio")

    def __str__(self) -> str:
        return f"GPIO button {self.chip} line {self.line}"

    def _release(self) -> None:
        request, self._request = self._request, None
        if request is not None:
            request.release()

    def _read_levels(self) -> Iterator[tuple[bool, float]]:
        if self._request.wait_edge_events(datetime.timedelta(seconds=WAIT_S)):
            rising = self._gpiod.EdgeEvent.Type.RISING_EDGE
            for edge in self._request.read_edge_events():
                # libgpiod stamps edges with CLOCK_MONOTONIC, the clock we use too.
                yield edge.event_type == rising, edge.timestamp_ns / 1e9
