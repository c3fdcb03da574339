"""Button board logic, pure: debounce, line framing, host command parsing, LED safety timeout.

Runs unchanged on MicroPython (RP2040) and on the host for tests, so: no `machine` import,
no dataclasses, annotations as strings (MicroPython has no `typing`).

Wire protocol, ASCII lines ending in "\\n" (a "\\r" before it is ignored), at most 64 bytes:
  board -> host  HELLO spreekkamer-button <version>   at boot and in answer to HELLO?
                 BTN DOWN <ms> / BTN UP <ms>           debounced edges, <ms> = board clock
                 BEAT <ms>                             heartbeat, every HEARTBEAT_MS
                 OK LED 1 / OK LED 0                   LED command confirmed
                 LED OFF TIMEOUT                       LED switched off: host silent too long
                 ERR <reason>                          a line the board did not understand
  host -> board  HELLO? | LED 1 | LED 0 | PING
"""

try:
    from collections.abc import Callable  # for the string annotations; absent on MicroPython
except ImportError:  # MicroPython
    pass

BOARD_NAME = "spreekkamer-button"
FW_VERSION = "1.0.0"
DEBOUNCE_MS = 10
"""Contact bounce filter on the board; the host applies the configured press debounce on top."""
HEARTBEAT_MS = 1000
HOST_TIMEOUT_MS = 5000
"""With no line from the host for this long, a lit LED goes out: the host (and its mic) is gone."""
MAX_LINE = 64


def ticks_diff_plain(a: int, b: int) -> int:
    """a - b for a clock that never wraps (the host); MicroPython passes `time.ticks_diff`."""
    return a - b


class Debouncer:
    """Reports a level change once the new level has held for `stable_ms`."""

    def __init__(self, stable_ms: int, diff: "Callable[[int, int], int]" = ticks_diff_plain) -> None:
        self.stable_ms = stable_ms
        self.level = False
        self._diff = diff
        self._candidate = False
        self._since = 0
        self._pending = False

    def update(self, level: bool, now_ms: int) -> "bool | None":
        """Feed one sample; returns the new stable level when it changes, else None."""
        if level == self.level:
            self._pending = False
            return None
        if not self._pending or level != self._candidate:
            self._pending, self._candidate, self._since = True, level, now_ms
        if self._diff(now_ms, self._since) >= self.stable_ms:
            self._pending = False
            self.level = level
            return level
        return None


def encode_button(pressed: bool, ms: int) -> str:
    """One debounced edge as a line."""
    return ("BTN DOWN " if pressed else "BTN UP ") + str(ms) + "\n"


def encode_hello() -> str:
    """The handshake line."""
    return "HELLO " + BOARD_NAME + " " + FW_VERSION + "\n"


def parse_command(line: str) -> "tuple[str, bool]":
    """A host line as (command, argument); raises ValueError for anything else."""
    text = line.strip()
    if text == "HELLO?":
        return ("HELLO", False)
    if text == "PING":
        return ("PING", False)
    if text == "LED 1":
        return ("LED", True)
    if text == "LED 0":
        return ("LED", False)
    raise ValueError("unknown command")


class Board:
    """The whole board minus its pins: call `tick` every millisecond and `receive` with input."""

    def __init__(
        self,
        write: "Callable[[str], None]",
        set_led: "Callable[[bool], None]",
        now_ms: int,
        diff: "Callable[[int, int], int]" = ticks_diff_plain,
    ) -> None:
        self._write = write
        self._set_led = set_led
        self._diff = diff
        self._debouncer = Debouncer(DEBOUNCE_MS, diff)
        self._buffer = ""
        self._last_beat = now_ms
        self._last_host = now_ms
        self._now = now_ms
        self.led = False
        set_led(False)
        write(encode_hello())

    def tick(self, pressed: bool, now_ms: int) -> None:
        """Sample the button, send edges and heartbeats, enforce the LED safety timeout."""
        self._now = now_ms
        edge = self._debouncer.update(pressed, now_ms)
        if edge is not None:
            self._write(encode_button(edge, now_ms))
        if self._diff(now_ms, self._last_beat) >= HEARTBEAT_MS:
            self._last_beat = now_ms
            self._write("BEAT " + str(now_ms) + "\n")
        if self.led and self._diff(now_ms, self._last_host) >= HOST_TIMEOUT_MS:
            self._led(False)
            self._write("LED OFF TIMEOUT\n")

    def receive(self, text: str) -> None:
        """Characters from the host; complete lines are executed, overlong ones rejected."""
        for char in text:
            if char == "\n":
                line, self._buffer = self._buffer, ""
                self._handle(line.rstrip("\r"))
            elif len(self._buffer) < MAX_LINE:
                self._buffer += char
            else:
                self._buffer = ""
                self._write("ERR line too long\n")

    def _handle(self, line: str) -> None:
        self._last_host = self._now
        try:
            command, argument = parse_command(line)
        except ValueError:
            self._write("ERR unknown command\n")
            return
        if command == "HELLO":
            self._write(encode_hello())
        elif command == "LED":
            self._led(argument)
            self._write("OK LED " + ("1" if argument else "0") + "\n")

    def _led(self, on: bool) -> None:
        self._set_led(on)
        self.led = on
