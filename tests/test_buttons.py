"""Press interpretation, the simulated button, the factory, and clean failures of absent devices."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

import pytest

from appliance.box.config import ButtonConfig
from recorder.buttons import (
    ButtonEvent,
    EvdevButton,
    GpioButton,
    PressInterpreter,
    SerialButton,
    SimulatedButton,
    build_button,
    build_led,
)
from recorder.errors import DeviceUnavailable
from recorder.led import GpioLed, SerialLed, SimulatedLed


def kinds(events: list[ButtonEvent]) -> list[str]:
    return [e.kind for e in events]


def test_short_press_is_reported_on_release() -> None:
    p = PressInterpreter(long_press_s=1.5, debounce_ms=50)
    assert p.feed(True, 10.0) == []
    assert p.poll(10.2) == []
    events = p.feed(False, 10.3) + p.poll(10.36)
    assert kinds(events) == ["short"]
    assert events[0].at == pytest.approx(10.3)


def test_contact_bounce_is_one_press() -> None:
    p = PressInterpreter(long_press_s=1.5, debounce_ms=50)
    events: list[ButtonEvent] = []
    for i, level in enumerate([True, False, True, False, True]):  # 2 ms bounce on the way down
        events += p.feed(level, 1.0 + i * 0.002)
    events += p.poll(1.2)
    for i, level in enumerate([False, True, False]):  # and on the way up
        events += p.feed(level, 1.4 + i * 0.002)
    events += p.poll(1.5)
    assert kinds(events) == ["short"]


def test_presses_closer_than_debounce_are_one_press() -> None:
    p = PressInterpreter(long_press_s=1.5, debounce_ms=50)
    events = p.feed(True, 0.0) + p.poll(0.1) + p.feed(False, 0.2) + p.feed(True, 0.23)
    events += p.poll(0.3) + p.feed(False, 0.4) + p.poll(0.5)
    assert kinds(events) == ["short"]


def test_glitch_shorter_than_debounce_is_ignored() -> None:
    p = PressInterpreter(long_press_s=1.5, debounce_ms=50)
    events = p.feed(True, 0.0) + p.feed(False, 0.02) + p.poll(1.0)
    assert events == []
    assert not p.pressed


def test_two_separate_presses_are_two_events() -> None:
    p = PressInterpreter(long_press_s=1.5, debounce_ms=50)
    events = p.feed(True, 0.0) + p.feed(False, 0.2) + p.poll(0.3)
    events += p.feed(True, 0.5) + p.feed(False, 0.7) + p.poll(0.8)
    assert kinds(events) == ["short", "short"]


def test_long_press_fires_while_held_and_not_again_on_release() -> None:
    p = PressInterpreter(long_press_s=1.5, debounce_ms=50)
    assert p.feed(True, 0.0) == []
    assert p.poll(1.4) == []
    held = p.poll(1.51)
    assert kinds(held) == ["long"] and held[0].at == pytest.approx(1.5)
    assert p.feed(False, 3.0) + p.poll(3.1) == []


def test_long_press_without_polling_is_judged_on_release() -> None:
    p = PressInterpreter(long_press_s=1.0, debounce_ms=0)
    events = p.feed(True, 0.0) + p.feed(False, 2.0)
    assert kinds(events) == ["long"]


def test_zero_debounce_reports_at_once() -> None:
    p = PressInterpreter(long_press_s=1.0, debounce_ms=0)
    assert kinds(p.feed(True, 0.0) + p.feed(False, 0.1)) == ["short"]


def test_simulated_button_delivers_presses() -> None:
    got: list[ButtonEvent] = []
    button = SimulatedButton(got.append)
    with pytest.raises(RuntimeError, match="not started"):
        button.press("short")
    button.start()
    button.press("short")
    button.press("long")
    with pytest.raises(ValueError, match="'short' or 'long'"):
        button.press("double")  # type: ignore[arg-type]
    assert kinds(got) == ["short", "long"]


def test_simulated_button_keyboard_mode() -> None:
    got: list[ButtonEvent] = []
    done = threading.Event()

    def on_event(event: ButtonEvent) -> None:
        got.append(event)
        if len(got) == 3:
            done.set()

    button = SimulatedButton(on_event, keyboard=True, stream=io.StringIO("\nx\nl\ns\nq\n\n"))
    button.start()
    assert done.wait(5)
    assert kinds(got) == ["short", "long", "short"]


def test_factory_builds_each_backend_without_opening_it() -> None:
    def noop(_: ButtonEvent) -> None:
        return None

    assert isinstance(build_button(ButtonConfig(), noop), SimulatedButton)
    serial = build_button(ButtonConfig(backend="serial", path="/dev/ttyACM0"), noop)
    assert isinstance(serial, SerialButton) and isinstance(build_led(serial), SerialLed)
    assert isinstance(build_button(ButtonConfig(backend="evdev", path="/dev/input/event0"), noop), EvdevButton)
    gpio = build_button(ButtonConfig(backend="gpio", path="/dev/gpiochip0", line=17), noop)
    assert isinstance(gpio, GpioButton) and isinstance(build_led(gpio), SimulatedLed)


def test_factory_names_the_missing_setting() -> None:
    with pytest.raises(DeviceUnavailable, match="button.path: required"):
        build_button(ButtonConfig(backend="serial"), lambda _: None)
    with pytest.raises(DeviceUnavailable, match="button.line: required"):
        build_button(ButtonConfig(backend="gpio", path="/dev/gpiochip0"), lambda _: None)


def test_evdev_missing_device_is_device_unavailable(tmp_path: Path) -> None:
    button = EvdevButton(str(tmp_path / "event9"), on_event=lambda _: None)
    with pytest.raises(DeviceUnavailable, match="no input device at"):
        button.start()
    button.stop()


def test_evdev_non_input_file_is_device_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "event9"
    path.write_bytes(b"")
    with pytest.raises(DeviceUnavailable, match="evdev button"):
        EvdevButton(str(path), on_event=lambda _: None).start()


def test_evdev_without_library_is_device_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(DeviceUnavailable, match="evdev library is not installed"):
        EvdevButton("/dev/input/event0", on_event=lambda _: None).start()


def test_gpio_without_library_is_device_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gpiod", None)
    with pytest.raises(DeviceUnavailable, match="gpiod library"):
        GpioButton("/dev/gpiochip0", 17, on_event=lambda _: None).start()
    with pytest.raises(DeviceUnavailable, match="gpiod library"):
        GpioLed("/dev/gpiochip0", 18)


def test_serial_without_library_is_device_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "serial", None)
    with pytest.raises(DeviceUnavailable, match="pyserial library is not installed"):
        SerialButton("/dev/ttyACM0", on_event=lambda _: None).start()


def test_serial_missing_port_is_device_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable, match="cannot open"):
        SerialButton(str(tmp_path / "ttyACM9"), on_event=lambda _: None).start()
