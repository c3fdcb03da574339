"""Recorder lifecycle: the LED is on exactly while the microphone is open, on every path."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from recorder.errors import DeviceUnavailable, RecorderError
from recorder.led import SimulatedLed
from recorder.recorder import Recorder, RecorderState
from recorder.wav_source import WavSource

WAIT_S = 5.0


def write_wav(path: Path, seconds: float, *, channels: int = 1, rate: int = 16000) -> Path:
    """A sine WAV of the given length."""
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    data = np.repeat(mono[:, None], channels, axis=1)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(data.tobytes())
    return path


class SpySource:
    """Wraps a real WavSource and logs open/close times, checking the LED at each moment."""

    def __init__(self, inner: WavSource, led: SimulatedLed, *, fail_open: bool = False,
                 fail_read_after: int | None = None) -> None:
        self.inner, self.led = inner, led
        self.sample_rate, self.channels = inner.sample_rate, inner.channels
        self.fail_open, self.fail_read_after = fail_open, fail_read_after
        self.is_open = False
        self.reads = 0
        self.led_off_while_open: list[str] = []

    def open(self) -> None:
        if not self.led.is_on:
            self.led_off_while_open.append("open")
        if self.fail_open:
            raise DeviceUnavailable("microphone unplugged")
        self.inner.open()
        self.is_open = True

    def read(self) -> bytes | None:
        if not self.led.is_on:
            self.led_off_while_open.append("read")
        self.reads += 1
        if self.fail_read_after is not None and self.reads > self.fail_read_after:
            raise DeviceUnavailable("microphone read failed")
        return self.inner.read()

    def close(self) -> None:
        self.inner.close()
        if self.is_open and not self.led.is_on:
            self.led_off_while_open.append("close")
        self.is_open = False


class Rig:
    """A recorder over spy sources, collecting frames and end/error notices."""

    def __init__(self, wav: Path, *, speedup: float = 10.0, **spy_kwargs: object) -> None:
        self.led = SimulatedLed()
        self.sources: list[SpySource] = []
        self.frames: list[bytes] = []
        self.ended = threading.Event()
        self.errors: list[Exception] = []
        self.errored = threading.Event()

        def factory() -> SpySource:
            spy = SpySource(WavSource(wav, speedup=speedup), self.led, **spy_kwargs)  # type: ignore[arg-type]
            self.sources.append(spy)
            return spy

        def on_error(exc: Exception) -> None:
            self.errors.append(exc)
            self.errored.set()

        self.recorder = Recorder(source_factory=factory, led=self.led, on_audio=self.frames.append,
                                 on_end=self.ended.set, on_error=on_error)

    @property
    def source(self) -> SpySource:
        return self.sources[-1]

    def assert_invariant(self) -> None:
        assert self.led.is_on == self.source.is_open
        assert self.source.led_off_while_open == []


def wait_for(predicate: object, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def test_led_follows_the_microphone_through_every_transition(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 5.0))
    rec = rig.recorder
    assert rec.state is RecorderState.IDLE and not rig.led.is_on
    rec.start()
    assert rec.state is RecorderState.RECORDING
    rig.assert_invariant()
    assert rig.led.is_on
    wait_for(lambda: len(rig.frames) >= 3)
    rec.pause()
    rig.assert_invariant()
    assert not rig.led.is_on and rec.state is RecorderState.PAUSED
    paused_count = len(rig.frames)
    time.sleep(0.1)
    assert len(rig.frames) == paused_count, "frames arrived while paused"
    rec.resume()
    rig.assert_invariant()
    assert rig.led.is_on
    wait_for(lambda: len(rig.frames) > paused_count)
    rec.stop()
    rig.assert_invariant()
    assert not rig.led.is_on and rec.state is RecorderState.IDLE
    stopped_count = len(rig.frames)
    time.sleep(0.1)
    assert len(rig.frames) == stopped_count
    rec.stop()  # idempotent
    assert [on for _, on in rig.led.history] == [True, False, True, False]
    assert all(len(f) == 480 * 2 for f in rig.frames), "30 ms mono chunks at 16 kHz"


def test_resume_continues_the_wav_where_pause_left_it(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 0.9), speedup=50)
    rig.recorder.start()
    wait_for(lambda: len(rig.frames) >= 5)
    rig.recorder.pause()
    rig.recorder.resume()
    assert rig.ended.wait(WAIT_S)
    assert sum(len(f) for f in rig.frames) == int(0.9 * 16000) * 2, "no audio lost or repeated"
    used = [s for s in rig.sources if s.reads]
    assert len(used) == 1, "pause/resume keeps the recording's source"


def test_end_of_wav_closes_mic_and_led_and_notifies(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 0.3), speedup=20)
    rig.recorder.start()
    assert rig.ended.wait(WAIT_S)
    wait_for(lambda: rig.recorder.state is RecorderState.IDLE)
    rig.assert_invariant()
    assert not rig.led.is_on
    first = rig.source
    rig.recorder.start()  # a new recording gets a fresh source
    assert rig.source is not first
    rig.assert_invariant()
    rig.recorder.stop()


def test_source_failing_on_open_leaves_led_off(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 1.0), fail_open=True)
    with pytest.raises(DeviceUnavailable, match="unplugged"):
        rig.recorder.start()
    assert not rig.led.is_on and not rig.source.is_open
    assert rig.recorder.state is RecorderState.IDLE
    assert rig.source.led_off_while_open == []


@pytest.mark.allow_logged_errors
def test_source_failing_on_read_leaves_led_off(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 2.0), fail_read_after=3)
    rig.recorder.start()
    assert rig.errored.wait(WAIT_S)
    wait_for(lambda: rig.recorder.state is RecorderState.IDLE)
    rig.assert_invariant()
    assert not rig.led.is_on
    assert isinstance(rig.recorder.last_error, DeviceUnavailable)
    assert len(rig.frames) == 3


@pytest.mark.allow_logged_errors
def test_failing_audio_consumer_still_closes_mic(tmp_path: Path) -> None:
    led = SimulatedLed()
    wav = write_wav(tmp_path / "a.wav", 1.0)
    sources: list[WavSource] = []
    errors: list[Exception] = []

    def factory() -> WavSource:
        sources.append(WavSource(wav, speedup=10))
        return sources[-1]

    def broken(_: bytes) -> None:
        raise ValueError("disk full")

    rec = Recorder(source_factory=factory, led=led, on_audio=broken, on_error=errors.append)
    rec.start()
    wait_for(lambda: rec.state is RecorderState.IDLE)
    assert not led.is_on and not sources[-1].is_open
    assert isinstance(errors[0], ValueError)


def test_led_that_cannot_light_keeps_the_mic_closed(tmp_path: Path) -> None:
    class DeadLed(SimulatedLed):
        def set(self, on: bool) -> None:
            if on:
                raise DeviceUnavailable("LED board gone")
            super().set(on)

    sources: list[WavSource] = []
    wav = write_wav(tmp_path / "a.wav", 1.0)

    def factory() -> WavSource:
        sources.append(WavSource(wav))
        return sources[-1]

    rec = Recorder(source_factory=factory, led=DeadLed(), on_audio=lambda _: None)
    with pytest.raises(DeviceUnavailable):
        rec.start()
    assert not sources[-1].is_open and rec.state is RecorderState.IDLE


@pytest.mark.parametrize(
    ("calls", "bad"),
    [([], "pause"), ([], "resume"), (["start"], "start"), (["start"], "resume"),
     (["start", "pause"], "pause"), (["start", "pause"], "start")],
)
def test_illegal_calls_raise(tmp_path: Path, calls: list[str], bad: str) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 3.0))
    for name in calls:
        getattr(rig.recorder, name)()
    state_before = rig.recorder.state
    with pytest.raises(RecorderError, match=f"cannot {bad}"):
        getattr(rig.recorder, bad)()
    assert rig.recorder.state is state_before
    rig.assert_invariant()
    rig.recorder.stop()
    rig.assert_invariant()


def test_stop_from_a_paused_recording(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "a.wav", 3.0))
    rig.recorder.start()
    rig.recorder.pause()
    rig.recorder.stop()
    assert rig.recorder.state is RecorderState.IDLE
    rig.assert_invariant()
    with pytest.raises(RecorderError):
        rig.recorder.resume()


def test_stereo_sources_report_two_channels(tmp_path: Path) -> None:
    rig = Rig(write_wav(tmp_path / "s.wav", 0.5, channels=2), speedup=20)
    assert rig.recorder.channels == 2 and rig.recorder.sample_rate == 16000
    rig.recorder.start()
    assert rig.ended.wait(WAIT_S)
    assert all(len(f) == 480 * 2 * 2 for f in rig.frames[:-1])


def test_stuck_read_is_closed_forcibly_and_led_goes_off(tmp_path: Path) -> None:
    release = threading.Event()
    wav = write_wav(tmp_path / "a.wav", 3.0)

    class StuckSource(WavSource):
        def read(self) -> bytes | None:
            release.wait(WAIT_S)  # a driver that hangs until the device comes back
            return super().read()

    sources: list[WavSource] = []

    def factory() -> WavSource:
        sources.append(StuckSource(wav, speedup=10))
        return sources[-1]

    led = SimulatedLed()
    frames: list[bytes] = []
    rec = Recorder(source_factory=factory, led=led, on_audio=frames.append, join_timeout_s=0.2)
    rec.start()
    with pytest.raises(RecorderError, match="did not stop"):
        rec.pause()
    assert not led.is_on and not sources[-1].is_open
    rec.stop()
    assert rec.state is RecorderState.IDLE
    rec.start()
    release.set()  # the old thread wakes up and must neither deliver nor touch the LED
    time.sleep(0.2)
    assert led.is_on and sources[-1].is_open
    rec.stop()
    assert not led.is_on
