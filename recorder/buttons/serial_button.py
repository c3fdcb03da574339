"""The USB-serial button board (RP2040): presses in, LED commands out, handshake and heartbeat."""

from __future__ import annotations

import importlib
import logging
import queue
import threading
import time
from typing import Any

from recorder.buttons.board_link import BoardClock, BoardLine, parse_board_line
from recorder.buttons.events import ButtonEvent, OnButtonEvent
from recorder.buttons.press import PressInterpreter
from recorder.errors import DeviceUnavailable

log = logging.getLogger(__name__)


class SerialButton:
    """Reads presses from the board and switches its LED (`set_led`, confirmed by the board).

    A lost board (USB unplugged) is reopened every `reconnect_s`; the LED state is restored.
    The host pings every `ping_s` so the board can switch a lit LED off if the host dies.
    Events are delivered from their own thread, so `on_event` may call `set_led` (via the
    recorder) without blocking the reader that has to receive the board's confirmation.
    """

    def __init__(
        self,
        port: str,
        *,
        on_event: OnButtonEvent,
        long_press_s: float = 1.5,
        debounce_ms: int = 50,
        baudrate: int = 115200,
        handshake_timeout_s: float = 2.0,
        ack_timeout_s: float = 0.5,
        heartbeat_timeout_s: float = 3.0,
        ping_s: float = 1.0,
        reconnect_s: float = 1.0,
    ) -> None:
        self.port = port
        self._on_event = on_event
        self._interpreter = PressInterpreter(long_press_s=long_press_s, debounce_ms=debounce_ms)
        self._baudrate = baudrate
        self._handshake_timeout_s = handshake_timeout_s
        self._ack_timeout_s = ack_timeout_s
        self._heartbeat_timeout_s = heartbeat_timeout_s
        self._ping_s = ping_s
        self._reconnect_s = reconnect_s
        self._serial: Any = None
        self._write_lock = threading.Lock()
        self._ack = threading.Condition()
        self._acked: str | None = None
        self._led = False
        self._running = False
        self._thread: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None
        self._events: queue.Queue[ButtonEvent] = queue.Queue()
        self._clock = BoardClock()
        self._buffer = b""
        self._last_seen = 0.0
        self.firmware_version: str | None = None

    @property
    def alive(self) -> bool:
        """Whether the board has been heard from within the heartbeat timeout."""
        return self._serial is not None and time.monotonic() - self._last_seen < self._heartbeat_timeout_s

    def start(self) -> None:
        """Open the port and shake hands; raises `DeviceUnavailable` when no board answers."""
        if self._running:
            return
        self._connect()
        self._running = True
        self._thread = threading.Thread(target=self._run, name="button-serial", daemon=True)
        self._dispatcher = threading.Thread(target=self._dispatch, name="button-events", daemon=True)
        self._thread.start()
        self._dispatcher.start()

    def stop(self) -> None:
        """Stop reading and close the port; idempotent."""
        self._running = False
        for thread in (self._thread, self._dispatcher):
            if thread is not None and thread is not threading.current_thread():
                thread.join(2.0)
        self._thread = self._dispatcher = None
        self._close()

    def set_led(self, on: bool) -> None:
        """Switch the board's LED and wait for its confirmation."""
        value = "1" if on else "0"
        with self._ack:
            self._acked = None
            self._write(f"LED {value}\n")
            confirmed = self._ack.wait_for(lambda: self._acked == value, self._ack_timeout_s)
        if not confirmed:
            raise DeviceUnavailable(f"button board on {self.port}: LED {value} not confirmed")
        self._led = on

    def _connect(self) -> None:
        serial = _import_serial()
        try:
            port = serial.Serial(self.port, self._baudrate, timeout=0.05, write_timeout=1.0)
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"button board: cannot open {self.port}: {exc}") from exc
        self._serial, self._buffer = port, b""
        try:
            self._write("HELLO?\n")
            deadline = time.monotonic() + self._handshake_timeout_s
            while time.monotonic() < deadline:
                for line in self._read_lines():
                    if line.kind == "HELLO":
                        self.firmware_version = line.text
                        log.info("button board on %s, firmware %s", self.port, line.text)
                        return
        except (serial.SerialException, OSError) as exc:
            self._close()
            raise DeviceUnavailable(f"button board on {self.port}: {exc}") from exc
        self._close()
        raise DeviceUnavailable(
            f"no button board answered on {self.port} within {self._handshake_timeout_s} s "
            "(is the firmware flashed and the port right?)"
        )

    def _run(self) -> None:
        serial = _import_serial()
        next_ping = 0.0
        while self._running:
            try:
                if self._serial is None:
                    self._reconnect()
                    continue
                for line in self._read_lines():
                    self._handle(line)
                now = time.monotonic()
                self._emit(self._interpreter.poll(now))
                if now >= next_ping:
                    self._write("PING\n")
                    next_ping = now + self._ping_s
            except (serial.SerialException, OSError, DeviceUnavailable) as exc:
                log.warning("button board on %s lost: %s", self.port, exc)
                self._close()

    def _dispatch(self) -> None:
        while self._running:
            try:
                event = self._events.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._on_event(event)
            except Exception:  # a failing handler must not silence the button
                log.exception("handling button event %s failed", event)

    def _reconnect(self) -> None:
        time.sleep(self._reconnect_s)
        if not self._running:
            return
        try:
            self._connect()
        except DeviceUnavailable as exc:
            log.debug("button board still unavailable: %s", exc)
            return
        # The board restarts with its LED off; put back what the recorder last asked for.
        if self._led:
            self._write("LED 1\n")

    def _read_lines(self) -> list[BoardLine]:
        port = self._serial
        if port is None:
            return []
        self._buffer += port.read(max(1, port.in_waiting))
        lines: list[BoardLine] = []
        while b"\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n", 1)
            self._last_seen = time.monotonic()
            try:
                lines.append(parse_board_line(raw.decode("ascii", "replace")))
            except ValueError as exc:
                log.warning("button board on %s: %s", self.port, exc)
        if len(self._buffer) > 256:
            self._buffer = b""  # garbage without line ends (wrong baud rate, noise)
        return lines

    def _handle(self, line: BoardLine) -> None:
        if line.ms is not None:
            self._clock.observe(line.ms, time.monotonic())
        if line.kind in ("DOWN", "UP") and line.ms is not None:
            self._emit(self._interpreter.feed(line.kind == "DOWN", self._clock.to_host(line.ms)))
        elif line.kind == "OK_LED":
            with self._ack:
                self._acked = line.text
                self._ack.notify_all()
        elif line.kind == "LED_TIMEOUT":
            log.warning("button board on %s switched its LED off: host silent too long", self.port)
        elif line.kind == "ERR":
            log.warning("button board on %s rejected a line: %s", self.port, line.text)

    def _emit(self, events: list[ButtonEvent]) -> None:
        for event in events:
            self._events.put(event)

    def _write(self, text: str) -> None:
        port = self._serial
        if port is None:
            raise DeviceUnavailable(f"button board on {self.port} is not connected")
        with self._write_lock:
            port.write(text.encode("ascii"))

    def _close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except OSError:
                pass


def _import_serial() -> Any:
    try:
        return importlib.import_module("serial")
    except ImportError as exc:
        raise DeviceUnavailable(
            "serial button: the pyserial library is not installed; install it with: pip install pyserial"
        ) from exc
