"""Turns raw contact edges into presses: debounce by stability, then short vs long by duration."""

from __future__ import annotations

from recorder.buttons.events import ButtonEvent


class PressInterpreter:
    """Pure state machine shared by all hardware backends.

    A level counts only once it has been stable for `debounce_ms`, so contact bounce and two
    presses closer together than that are one press. A press held `long_press_s` emits 'long'
    at that moment (the worker sees the LED go out while still holding); a shorter press emits
    'short' on release. Times are seconds on the caller's monotonic clock.
    """

    def __init__(self, *, long_press_s: float, debounce_ms: int) -> None:
        if long_press_s <= 0 or debounce_ms < 0:
            raise ValueError("long_press_s must be > 0 and debounce_ms >= 0")
        self.long_press_s = long_press_s
        self.debounce_s = debounce_ms / 1000
        self._pressed = False
        self._candidate: tuple[bool, float] | None = None
        self._press_start = 0.0
        self._long_sent = False

    @property
    def pressed(self) -> bool:
        """The debounced level."""
        return self._pressed

    def feed(self, pressed: bool, at: float) -> list[ButtonEvent]:
        """A raw edge (or level sample) at time `at`; returns the presses it completes."""
        events = self.poll(at)
        if pressed == self._pressed:
            self._candidate = None  # a bounce back to the stable level
        elif self._candidate is None or self._candidate[0] != pressed:
            self._candidate = (pressed, at)
        return events + self.poll(at)

    def poll(self, now: float) -> list[ButtonEvent]:
        """Advance the clock with no new edge; call it every few tens of ms."""
        events: list[ButtonEvent] = []
        if self._candidate is not None and now - self._candidate[1] >= self.debounce_s:
            level, since = self._candidate
            self._candidate = None
            self._pressed = level
            if level:
                self._press_start, self._long_sent = since, False
            elif not self._long_sent:
                # Nobody polled while it was held: judge the press by its full duration.
                if since - self._press_start >= self.long_press_s:
                    events.append(ButtonEvent("long", self._press_start + self.long_press_s))
                else:
                    events.append(ButtonEvent("short", since))
        if self._pressed and not self._long_sent and now - self._press_start >= self.long_press_s:
            self._long_sent = True
            events.append(ButtonEvent("long", self._press_start + self.long_press_s))
        return events
