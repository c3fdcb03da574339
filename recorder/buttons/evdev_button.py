"""USB "big button" keyboards through Linux evdev: one key is the record button."""

from __future__ import annotations

import importlib
import select
import time
from collections.abc import Iterator
from typing import Any

from recorder.buttons.events import OnButtonEvent
from recorder.buttons.polled import WAIT_S, PolledButton
from recorder.errors import DeviceUnavailable

EV_KEY = 1
KEY_UP, KEY_DOWN = 0, 1  # value 2 (auto-repeat) is ignored: we time the hold ourselves


class EvdevButton(PolledButton):
    """Reads key events from `/dev/input/...`, grabbing the device so presses do not type."""

    def __init__(
        self,
        path: str,
        *,
        on_event: OnButtonEvent,
        key_code: int | None = None,
        long_press_s: float = 1.5,
        debounce_ms: int = 50,
    ) -> None:
        super().__init__(on_event=on_event, long_press_s=long_press_s, debounce_ms=debounce_ms)
        self.path = path
        self.key_code = key_code
        self._device: Any = None

    def start(self) -> None:
        """Open and grab the input device; raises `DeviceUnavailable` if it cannot."""
        try:
            evdev = importlib.import_module("evdev")
        except ImportError as exc:
            raise DeviceUnavailable(
                "evdev button: the evdev library is not installed; install it with: pip install evdev"
            ) from exc
        try:
            device = evdev.InputDevice(self.path)
        except FileNotFoundError as exc:
            raise DeviceUnavailable(f"evdev button: no input device at {self.path}") from exc
        except PermissionError as exc:
            raise DeviceUnavailable(
                f"evdev button: no permission to read {self.path} (udev rule / group 'input'?)"
            ) from exc
        except OSError as exc:
            raise DeviceUnavailable(f"evdev button: cannot open {self.path}: {exc}") from exc
        try:
            device.grab()
        except OSError as exc:
            device.close()
            raise DeviceUnavailable(f"evdev button: {self.path} is grabbed by another program: {exc}") from exc
        self._device = device
        self._start_reader("button-evdev")

    def __str__(self) -> str:
        return f"evdev button {self.path}"

    def _release(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            try:
                device.ungrab()
            except OSError:
                pass
            device.close()

    def _read_levels(self) -> Iterator[tuple[bool, float]]:
        device = self._device
        if device is None:
            return
        ready, _, _ = select.select([device.fd], [], [], WAIT_S)
        if not ready:
            return
        for event in device.read():
            if event.type != EV_KEY or event.value not in (KEY_UP, KEY_DOWN):
                continue
            if self.key_code is not None and event.code != self.key_code:
                continue
            # Kernel stamps are wall-clock; move them onto the monotonic clock the interpreter uses.
            yield event.value == KEY_DOWN, time.monotonic() - (time.time() - event.timestamp())
