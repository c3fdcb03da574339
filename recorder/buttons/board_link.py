"""Host side of the button board's line protocol: parsing lines and mapping the board's clock."""

from __future__ import annotations

from dataclasses import dataclass

BOARD_NAME = "spreekkamer-button"
CLOCK_RESET_S = 1.0
"""A board clock that jumps back by more than this (reboot, 2^30 ms wrap) is re-synchronised."""


@dataclass(frozen=True)
class BoardLine:
    """One parsed line from the board: `kind` is HELLO, DOWN, UP, BEAT, OK_LED, LED_TIMEOUT or ERR."""

    kind: str
    ms: int | None = None
    text: str = ""


def parse_board_line(raw: str) -> BoardLine:
    """Parse one line; raises ValueError for anything outside the protocol."""
    parts = raw.strip().split()
    match parts:
        case ["HELLO", name, version] if name == BOARD_NAME:
            return BoardLine("HELLO", text=version)
        case ["BTN", "DOWN" | "UP" as edge, ms] if ms.isdigit():
            return BoardLine(edge, int(ms))
        case ["BEAT", ms] if ms.isdigit():
            return BoardLine("BEAT", int(ms))
        case ["OK", "LED", "0" | "1" as value]:
            return BoardLine("OK_LED", text=value)
        case ["LED", "OFF", "TIMEOUT"]:
            return BoardLine("LED_TIMEOUT")
        case ["ERR", *reason]:
            return BoardLine("ERR", text=" ".join(reason))
    raise ValueError(f"not a button board line: {raw.strip()!r}")


class BoardClock:
    """Maps board milliseconds to host `time.monotonic()` seconds.

    The offset is the smallest (host - board) seen, which is the one with the least USB latency,
    so press durations come from the board's own clock, not from when lines happened to arrive.
    """

    def __init__(self) -> None:
        self._offset: float | None = None

    def observe(self, board_ms: int, host_now: float) -> None:
        """Learn from a line stamped `board_ms` that arrived at `host_now`."""
        sample = host_now - board_ms / 1000
        if self._offset is None or sample < self._offset or sample - self._offset > CLOCK_RESET_S:
            self._offset = sample

    def to_host(self, board_ms: int) -> float:
        """The host time of a board timestamp (call `observe` first)."""
        if self._offset is None:
            raise RuntimeError("board clock not synchronised yet")
        return board_ms / 1000 + self._offset
