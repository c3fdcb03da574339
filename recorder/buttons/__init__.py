"""The record button: backends (simulated, serial board, evdev, GPIO) behind one event type."""

from recorder.buttons.evdev_button import EvdevButton
from recorder.buttons.events import Button, ButtonEvent, OnButtonEvent, PressKind
from recorder.buttons.factory import build_button, build_led
from recorder.buttons.gpio_button import GpioButton
from recorder.buttons.press import PressInterpreter
from recorder.buttons.serial_button import SerialButton
from recorder.buttons.simulated import SimulatedButton

__all__ = [
    "Button",
    "ButtonEvent",
    "EvdevButton",
    "GpioButton",
    "OnButtonEvent",
    "PressInterpreter",
    "PressKind",
    "SerialButton",
    "SimulatedButton",
    "build_button",
    "build_led",
]
