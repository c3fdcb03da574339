"""USB "big button" keyboards through Linux evdev: one key is the record button."""

from __future__ import annotations

import importlib
import logging
import select
import threading
import time
from typing import Any

from recorder.buttons.events import OnButtonEvent
from recorder.buttons.press import PressInterpreter
from recorder.errors import DeviceUnavailable

log = logging.getLogger(__name__)

EV_KEY = 1
KEY_UP, KEY_DOWN = 0, 1  # value 2 (auto-repeat) is ignored: we time the hold ourselves


class EvdevButton:
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
        self.path = path
        self.key_code = key_code
        self._on_event = on_event
        self._interpreter = PressInterpreter(long_press_s=long_press_s, debounce_ms=debounce_ms)
        self._device: Any = None
        self._running = False
        self._thread: threading.Thread | None = None

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
        self._device, self._running = device, True
        self._thread = threading.Thread(target=self._run, name="button-evdev", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and release the device; idempotent."""
        self._running = False
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._thread = None
        device, self._device = self._device, None
        if device is not None:
            try:
                device.ungrab()
            except OSError:
                pass
            device.close()

    def _run(self) -> None:
        device = self._device
        while self._running and device is not None:
            try:
                ready, _, _ = select.select([device.fd], [], [], 0.02)
                if ready:
                    for event in device.read():
                        self._handle(event)
            except OSError as exc:
                log.error("evdev button %s lost: %s", self.path, exc)
                self._running = False
                return
            for press in self._interpreter.poll(time.monotonic()):
                self._on_event(press)

    def _handle(self, event: Any) -> None:
        if event.type != EV_KEY or event.value not in (KEY_UP, KEY_DOWN):
            return
        if self.key_code is not None and event.code != self.key_code:
            return
        # Kernel stamps are wall-clock; move them onto the monotonic clock the interpreter uses.
        at = time.monotonic() - (time.time() - event.timestamp())
        for press in self._interpreter.feed(event.value == KEY_DOWN, at):
            self._on_event(press)
