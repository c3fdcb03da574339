"""A press on each button backend we can drive here starts a real recording of real audio
through PyAudio (PulseAudio null sink as the room), and the LED is on exactly while it listens."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from recorder.buttons import ButtonEvent, SerialButton, SimulatedButton
from recorder.led import Led, SerialLed, SimulatedLed
from recorder.pyaudio_source import PyAudioSource
from recorder.recorder import Recorder, RecorderState
from tests.pulse import VirtualMicrophone, virtual_microphone
from tests.test_buttons_serial import SimulatedBoard, pty_pair  # noqa: F401  (fixture)
from tests.test_pyaudio_capture import RATE, band_noise, peak_correlation, write_pcm

pytest.importorskip("pyaudio", reason="pyaudio is not installed (pip install pyaudio)")


@pytest.fixture
def mic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualMicrophone]:
    with virtual_microphone(tmp_path_factory.mktemp("pa")) as virtual:
        yield virtual


class RoomDriver:
    """What the core does with button events, reduced to the recorder: short starts, long stops."""

    def __init__(self, led: Led) -> None:
        self.chunks: list[bytes] = []
        self.handled = threading.Semaphore(0)
        self.led_while_audio: list[bool] = []
        self.led = led
        self.recorder = Recorder(
            source_factory=lambda: PyAudioSource(device="pulse", sample_rate=RATE, channels=1),
            led=led, on_audio=self._audio)

    def _audio(self, pcm: bytes) -> None:
        self.led_while_audio.append(self.led.is_on)
        self.chunks.append(pcm)

    def __call__(self, event: ButtonEvent) -> None:
        if event.kind == "long":
            self.recorder.stop()
        elif self.recorder.state is RecorderState.IDLE:
            self.recorder.start()
        self.handled.release()


def _record_one_take(mic: VirtualMicrophone, tmp_path: Path, driver: RoomDriver,
                     short: Callable[[], None], long: Callable[[], None]) -> None:
    reference = band_noise(2.0, seed=7)
    wav = write_pcm(tmp_path / "room.wav", [reference])
    short()
    assert driver.handled.acquire(timeout=5)
    assert driver.recorder.state is RecorderState.RECORDING and driver.led.is_on
    time.sleep(0.3)
    mic.play(wav)
    time.sleep(0.5)
    long()
    assert driver.handled.acquire(timeout=5)
    assert driver.recorder.state is RecorderState.IDLE and not driver.led.is_on
    recorded = np.frombuffer(b"".join(driver.chunks), dtype="<i2").astype(np.float64) / 32767
    score = peak_correlation(recorded, reference)
    assert score >= 0.9, f"recording does not match what was played (peak {score:.3f})"
    assert driver.led_while_audio and all(driver.led_while_audio), "audio arrived with the LED off"


def test_serial_board_press_records_the_room(mic: VirtualMicrophone, pty_pair: tuple[int, str],  # noqa: F811
                                             tmp_path: Path) -> None:
    master, port = pty_pair
    board = SimulatedBoard(master)
    holder: list[RoomDriver] = []
    button = SerialButton(port, on_event=lambda e: holder[0](e), long_press_s=0.5, debounce_ms=30)
    driver = RoomDriver(SerialLed(button))
    holder.append(driver)
    try:
        button.start()
        _record_one_take(mic, tmp_path, driver, short=lambda: board.hold(0.1), long=lambda: board.hold(0.7))
        assert board.board is not None and not board.board.led, "the board's own LED is off again"
    finally:
        driver.recorder.stop()
        button.stop()
        board.stop()


def test_simulated_button_press_records_the_room(mic: VirtualMicrophone, tmp_path: Path) -> None:
    led = SimulatedLed()
    driver = RoomDriver(led)
    button = SimulatedButton(driver)
    button.start()
    try:
        _record_one_take(mic, tmp_path, driver, short=lambda: button.press("short"),
                         long=lambda: button.press("long"))
        assert [on for _, on in led.history] == [True, False]
    finally:
        driver.recorder.stop()
        button.stop()
