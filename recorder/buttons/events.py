"""What a record button reports, and what every button backend looks like."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

PressKind = Literal["short", "long"]


@dataclass(frozen=True)
class ButtonEvent:
    """One press: 'short' = start/pause/resume, 'long' = stop; `at` is `time.monotonic()`."""

    kind: PressKind
    at: float


OnButtonEvent = Callable[[ButtonEvent], None]


class Button(Protocol):
    """A button backend: delivers `ButtonEvent`s to its `on_event` between `start` and `stop`."""

    def start(self) -> None:
        """Open the device and begin reporting; raises `DeviceUnavailable` if it cannot."""

    def stop(self) -> None:
        """Stop reporting and release the device; idempotent."""
