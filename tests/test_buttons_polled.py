"""The reader loop the evdev and GPIO buttons share, driven by a scripted device."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from recorder.buttons import ButtonEvent
from recorder.buttons.polled import PolledButton


class ScriptedButton(PolledButton):
    """Plays (pressed, seconds-from-start) levels, then raises OSError like an unplugged device."""

    def __init__(self, script: list[tuple[bool, float]], on_event: list[ButtonEvent]) -> None:
        super().__init__(on_event=on_event.append, long_press_s=0.5, debounce_ms=20)
        self.script, self.released, self.t0 = list(script), threading.Event(), time.monotonic()

    def start(self) -> None:
        self._start_reader("button-scripted")

    def _read_levels(self) -> Iterator[tuple[bool, float]]:
        time.sleep(0.02)
        now = time.monotonic() - self.t0
        while self.script and self.script[0][1] <= now:
            pressed, at = self.script.pop(0)
            yield pressed, self.t0 + at
        if not self.script and now > 1.5:
            raise OSError("device gone")

    def _release(self) -> None:
        self.released.set()


@pytest.mark.allow_logged_errors
def test_short_and_long_presses_then_a_lost_device() -> None:
    events: list[ButtonEvent] = []
    button = ScriptedButton([(True, 0.1), (False, 0.2), (True, 0.4), (False, 1.2)], events)
    button.start()
    deadline = time.monotonic() + 5
    while button._running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not button._running, "a lost device ends the reader"
    assert [e.kind for e in events] == ["short", "long"]
    button.stop()
    button.stop()
    assert button.released.is_set()
