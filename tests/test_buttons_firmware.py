"""The button board's firmware logic, run on the host with a fake pin and clock."""

from __future__ import annotations

from firmware_config.button_board.protocol import (
    DEBOUNCE_MS,
    FW_VERSION,
    HEARTBEAT_MS,
    HOST_TIMEOUT_MS,
    MAX_LINE,
    Board,
    Debouncer,
    parse_command,
)


class Harness:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.led_pin: list[bool] = []
        self.board = Board(self.out.append, self.led_pin.append, now_ms=0)

    def run(self, pressed: bool, start: int, end: int) -> None:
        for ms in range(start, end):
            self.board.tick(pressed, ms)


def test_boot_says_hello_with_led_off() -> None:
    h = Harness()
    assert h.out == [f"HELLO spreekkamer-button {FW_VERSION}\n"]
    assert h.led_pin == [False]


def test_debouncer_needs_a_stable_level() -> None:
    d = Debouncer(10)
    assert d.update(True, 0) is None
    assert d.update(False, 3) is None  # bounce
    assert d.update(True, 5) is None
    assert d.update(True, 14) is None
    assert d.update(True, 15) is True
    assert d.update(True, 40) is None


def test_bouncy_press_gives_one_down_and_one_up() -> None:
    h = Harness()
    for ms, level in enumerate([True, False, True, False, True]):
        h.board.tick(level, 100 + ms)
    h.run(True, 105, 300)
    h.board.tick(False, 300)
    h.board.tick(True, 302)
    h.run(False, 303, 400)
    edges = [line for line in h.out if line.startswith("BTN")]
    assert edges == [f"BTN DOWN {104 + DEBOUNCE_MS}\n", f"BTN UP {303 + DEBOUNCE_MS}\n"]


def test_heartbeat_every_second() -> None:
    h = Harness()
    h.run(False, 1, 3 * HEARTBEAT_MS + 1)
    assert [line for line in h.out if line.startswith("BEAT")] == ["BEAT 1000\n", "BEAT 2000\n", "BEAT 3000\n"]


def test_led_commands_are_confirmed() -> None:
    h = Harness()
    h.board.receive("LED 1\r\nLED 0\nLED 1\n")
    assert h.led_pin == [False, True, False, True]
    assert h.out[1:] == ["OK LED 1\n", "OK LED 0\n", "OK LED 1\n"]


def test_commands_can_arrive_in_pieces() -> None:
    h = Harness()
    for char in "HEL", "LO?", "\n":
        h.board.receive(char)
    assert h.out[-1].startswith("HELLO spreekkamer-button")


def test_bad_and_overlong_lines_are_rejected_without_effect() -> None:
    h = Harness()
    h.board.receive("LED 2\nled 1\n" + "X" * (MAX_LINE + 5) + "\n")
    assert h.led_pin == [False]
    assert "ERR unknown command\n" in h.out and "ERR line too long\n" in h.out


def test_led_goes_out_when_the_host_falls_silent() -> None:
    h = Harness()
    h.board.tick(False, 10)
    h.board.receive("LED 1\n")
    h.run(False, 11, HOST_TIMEOUT_MS)
    assert h.board.led
    h.board.receive("PING\n")  # a living host keeps it lit
    h.run(False, HOST_TIMEOUT_MS, 2 * HOST_TIMEOUT_MS - 10)
    assert h.board.led
    h.run(False, 2 * HOST_TIMEOUT_MS - 10, 2 * HOST_TIMEOUT_MS + 10)
    assert not h.board.led and h.led_pin[-1] is False
    assert "LED OFF TIMEOUT\n" in h.out


def test_parse_command() -> None:
    assert parse_command("LED 1") == ("LED", True)
    assert parse_command(" PING ") == ("PING", False)
