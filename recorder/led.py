"""The recording LED: on exactly while the microphone is open (the `Recorder` enforces that)."""

from __future__ import annotations

import importlib
import threading
import time
from typing import Any, Protocol

from recorder.errors import DeviceUnavailable


class Led(Protocol):
    """A lamp the worker and client can see; `set` raises `DeviceUnavailable` if it cannot."""

    @property
    def is_on(self) -> bool:
        """The state last set successfully."""

    def set(self, on: bool) -> None:
        """Switch the lamp on or off."""


class LedPort(Protocol):
    """Something that can switch a remote LED, such as the serial button board."""

    def set_led(self, on: bool) -> None:
        """Switch the remote LED; raises `DeviceUnavailable` if the device does not confirm."""


class SimulatedLed:
    """An LED in memory that keeps its history of (monotonic time, state) for tests and demos."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on = False
        self.history: list[tuple[float, bool]] = []

    @property
    def is_on(self) -> bool:
        """The current state."""
        return self._on

    def set(self, on: bool) -> None:
        """Record the new state and when it was set."""
        with self._lock:
            self._on = on
            self.history.append((time.monotonic(), on))


class SerialLed:
    """The LED on the USB button board, switched through the board's line protocol."""

    def __init__(self, port: LedPort) -> None:
        self._port = port
        self._on = False

    @property
    def is_on(self) -> bool:
        """The state the board last confirmed."""
        return self._on

    def set(self, on: bool) -> None:
        """Ask the board to switch and wait for its confirmation."""
        self._port.set_led(on)
        self._on = on


class GpioLed:
    """An LED on a GPIO line via libgpiod v2 (`gpiod`), imported only when built."""

    def __init__(self, chip: str, line: int, *, active_low: bool = False) -> None:
        try:
            gpiod: Any = importlib.import_module("gpiod")
        except ImportError as exc:
            raise DeviceUnavailable(
                "GPIO LED: the gpiod library (libgpiod v2 Python bindings) is not installed; "
                "install it with: pip install gpiod"
            ) from exc
        self._gpiod = gpiod
        self._line = line
        settings = gpiod.LineSettings(
            direction=gpiod.line.Direction.OUTPUT,
            active_low=active_low,
            output_value=gpiod.line.Value.INACTIVE,
        )
        try:
            self._request = gpiod.request_lines(
                chip, consumer="spreekkamer-led", config={line: settings}
            )
        except OSError as exc:
            raise DeviceUnavailable(f"GPIO LED {chip} line {line}: {exc}") from exc
        self._on = False

    @property
    def is_on(self) -> bool:
        """The state last written to the line."""
        return self._on

    def set(self, on: bool) -> None:
        """Drive the line."""
        value = self._gpiod.line.Value.ACTIVE if on else self._gpiod.line.Value.INACTIVE
        try:
            self._request.set_value(self._line, value)
        except OSError as exc:
            raise DeviceUnavailable(f"GPIO LED line {self._line}: {exc}") from exc
        self._on = on

    def close(self) -> None:
        """Release the line (the kernel then returns it to its default)."""
        self._request.release()
