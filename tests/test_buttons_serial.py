"""SerialButton against the real firmware logic over a pty pair: handshake, presses, LED."""

from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware_config.button_board.protocol import FW_VERSION, Board
from recorder.buttons import ButtonEvent, SerialButton
from recorder.errors import DeviceUnavailable
from recorder.led import SerialLed
from recorder.recorder import Recorder, RecorderState
from recorder.wav_source import WavSource
from tests.test_recorder import write_wav

WAIT_S = 5.0
BOARD_CLOCK_OFFSET_MS = 987_654  # the board's clock has nothing to do with the host's


class SimulatedBoard:
    """The firmware's `Board` on the master end of a pty, with a fake button pin."""

    def __init__(self, master: int, *, answers: bool = True) -> None:
        self.master = master
        self.pressed = False
        self.answers = answers
        self.board: Board | None = None
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _now(self) -> int:
        return int(time.monotonic() * 1000) + BOARD_CLOCK_OFFSET_MS

    def _write(self, line: str) -> None:
        os.write(self.master, line.encode("ascii"))

    def _run(self) -> None:
        if not self.answers:
            return
        self.board = Board(self._write, lambda on: None, self._now())
        while self._running:
            ready, _, _ = select.select([self.master], [], [], 0.001)
            if ready:
                try:
                    data = os.read(self.master, 256)
                except OSError:
                    return
                self.board.receive(data.decode("ascii"))
            self.board.tick(self.pressed, self._now())

    def hold(self, seconds: float) -> None:
        """Press with contact bounce, hold, release with bounce."""
        for level in (True, False, True, False, True):
            self.pressed = level
            time.sleep(0.002)
        time.sleep(seconds)
        for level in (False, True, False):
            self.pressed = level
            time.sleep(0.002)

    def stop(self) -> None:
        self._running = False
        self._thread.join(WAIT_S)


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    tty.setraw(slave)  # no echo: the board must not read its own lines back
    yield master, os.ttyname(slave)
    os.close(slave)
    os.close(master)


class Events:
    def __init__(self) -> None:
        self.got: list[ButtonEvent] = []
        self.cond = threading.Condition()

    def __call__(self, event: ButtonEvent) -> None:
        with self.cond:
            self.got.append(event)
            self.cond.notify_all()

    def wait(self, count: int) -> list[str]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.got) >= count, WAIT_S), self.got
            return [e.kind for e in self.got]


def test_handshake_presses_and_led(pty_pair: tuple[int, str]) -> None:
    master, port = pty_pair
    board = SimulatedBoard(master)
    events = Events()
    button = SerialButton(port, on_event=events, long_press_s=0.5, debounce_ms=30)
    try:
        button.start()
        assert button.firmware_version == FW_VERSION
        assert button.alive

        started = time.monotonic()
        board.hold(0.15)
        assert events.wait(1) == ["short"]
        # The event time comes from the board's clock, mapped onto the host's monotonic clock.
        assert started <= events.got[0].at <= time.monotonic()

        board.pressed = True
        assert events.wait(2) == ["short", "long"], "long fires while still held"
        board.pressed = False
        time.sleep(0.2)
        assert len(events.got) == 2, "release after a long press adds nothing"

        led = SerialLed(button)
        led.set(True)
        assert board.board is not None and board.board.led and led.is_on
        led.set(False)
        assert not board.board.led and not led.is_on
    finally:
        button.stop()
        board.stop()


def test_button_press_drives_recorder_and_board_led(pty_pair: tuple[int, str], tmp_path: Path) -> None:
    """The whole loop: a press on the board starts recording, the board's LED lights, a long
    press stops it and the LED goes out. The handler runs on the button's event thread."""
    master, port = pty_pair
    board = SimulatedBoard(master)
    wav = write_wav(tmp_path / "a.wav", 10.0)
    recorder: Recorder | None = None
    handled = threading.Semaphore(0)

    def on_event(event: ButtonEvent) -> None:
        assert recorder is not None
        if event.kind == "long":
            recorder.stop()
        elif recorder.state is RecorderState.IDLE:
            recorder.start()
        handled.release()

    button = SerialButton(port, on_event=on_event, long_press_s=0.5, debounce_ms=30)
    recorder = Recorder(source_factory=lambda: WavSource(wav), led=SerialLed(button),
                        on_audio=lambda _: None)
    try:
        button.start()
        board.hold(0.1)
        assert handled.acquire(timeout=WAIT_S)
        assert recorder.state is RecorderState.RECORDING
        assert board.board is not None and board.board.led
        board.hold(0.7)
        assert handled.acquire(timeout=WAIT_S)
        assert recorder.state is RecorderState.IDLE and not board.board.led
    finally:
        recorder.stop()
        button.stop()
        board.stop()


def test_silent_port_is_device_unavailable(pty_pair: tuple[int, str]) -> None:
    master, port = pty_pair
    board = SimulatedBoard(master, answers=False)
    button = SerialButton(port, on_event=lambda _: None, handshake_timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(DeviceUnavailable, match="no button board answered"):
        button.start()
    assert time.monotonic() - started < 2.0
    board.stop()


def test_led_without_confirmation_is_device_unavailable(pty_pair: tuple[int, str]) -> None:
    master, port = pty_pair
    board = SimulatedBoard(master)
    button = SerialButton(port, on_event=lambda _: None, ack_timeout_s=0.2)
    button.start()
    board.stop()  # the board stops answering (hung firmware)
    try:
        with pytest.raises(DeviceUnavailable, match="LED 1 not confirmed"):
            SerialLed(button).set(True)
    finally:
        button.stop()


def test_unplugged_board_is_reopened_and_led_restored(tmp_path: Path) -> None:
    """Like udev's /dev/spreekkamer-button symlink: the board goes away and comes back as a new tty."""
    link = tmp_path / "spreekkamer-button"
    master1, slave1 = os.openpty()
    tty.setraw(slave1)
    link.symlink_to(os.ttyname(slave1))
    board1 = SimulatedBoard(master1)
    events = Events()
    button = SerialButton(str(link), on_event=events, reconnect_s=0.1, long_press_s=0.5, debounce_ms=30)
    master2 = slave2 = -1
    try:
        button.start()
        button.set_led(True)
        board1.stop()
        os.close(master1)  # unplugged: the port now fails
        os.close(slave1)
        master2, slave2 = os.openpty()
        tty.setraw(slave2)
        link.unlink()
        link.symlink_to(os.ttyname(slave2))
        board2 = SimulatedBoard(master2)  # plugged in again: a fresh board, LED off
        deadline = time.monotonic() + WAIT_S
        while not (board2.board is not None and board2.board.led):
            assert time.monotonic() < deadline, "LED not restored after reconnect"
            time.sleep(0.02)
        board2.hold(0.1)
        assert events.wait(1) == ["short"]
        board2.stop()
    finally:
        button.stop()
        for fd in (master2, slave2):
            if fd >= 0:
                os.close(fd)
