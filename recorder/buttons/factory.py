"""Builds the configured button backend and the LED that goes with it."""

from __future__ import annotations

import logging

from appliance.box.config import ButtonConfig
from recorder.buttons.evdev_button import EvdevButton
from recorder.buttons.events import Button, OnButtonEvent
from recorder.buttons.gpio_button import GpioButton
from recorder.buttons.serial_button import SerialButton
from recorder.buttons.simulated import SimulatedButton
from recorder.errors import DeviceUnavailable
from recorder.led import Led, SerialLed, SimulatedLed

log = logging.getLogger(__name__)


def build_button(cfg: ButtonConfig, on_event: OnButtonEvent) -> Button:
    """The backend named by `button.backend`; nothing is opened until `start()`."""
    timing = {"long_press_s": cfg.long_press_s, "debounce_ms": cfg.debounce_ms}
    if cfg.backend == "simulated":
        return SimulatedButton(on_event)
    if cfg.path is None:
        raise DeviceUnavailable(f"button.path: required for the {cfg.backend!r} button backend")
    if cfg.backend == "serial":
        return SerialButton(cfg.path, on_event=on_event, **timing)  # type: ignore[arg-type]
    if cfg.backend == "evdev":
        return EvdevButton(cfg.path, on_event=on_event, **timing)  # type: ignore[arg-type]
    if cfg.line is None:
        raise DeviceUnavailable("button.line: required for the 'gpio' button backend")
    return GpioButton(cfg.path, cfg.line, on_event=on_event, **timing)  # type: ignore[arg-type]


def build_led(button: Button) -> Led:
    """The recording LED that belongs to the button hardware.

    The serial board carries its own LED. The config has no GPIO LED line yet, and USB
    keyboards have none, so those get a simulated LED and a warning: the kiosk's on-screen
    indicator is then the only signal.
    """
    if isinstance(button, SerialButton):
        return SerialLed(button)
    if not isinstance(button, SimulatedButton):
        log.warning("no physical recording LED for %s; only the screen shows recording", type(button).__name__)
    return SimulatedLed()
