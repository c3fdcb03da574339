"""Start, pause, resume and stop the microphone, keeping the LED on exactly while it is open."""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable

from recorder.errors import RecorderError
from recorder.led import Led
from recorder.sources import AudioSource

log = logging.getLogger(__name__)


class RecorderState(enum.Enum):
    """Where the recorder is in its lifecycle."""

    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"


class Recorder:
    """Streams PCM chunks from a fresh source per recording to `on_audio`.

    The LED goes on before the microphone opens and off after it closes, on every path
    (errors included), so the room can never be recorded without the lamp showing it.
    `on_end` is called when the source runs out (a WAV file); `on_error` when a read fails.
    Pause closes the microphone; resume reopens the same source (a WAV continues where it was).
    """

    def __init__(
        self,
        *,
        source_factory: Callable[[], AudioSource],
        led: Led,
        on_audio: Callable[[bytes], None],
        on_end: Callable[[], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        join_timeout_s: float = 2.0,
    ) -> None:
        self._factory = source_factory
        self._led = led
        self._on_audio = on_audio
        self._on_end = on_end
        self._on_error = on_error
        self._join_timeout_s = join_timeout_s
        self._lock = threading.RLock()
        self._state = RecorderState.IDLE
        self._source: AudioSource | None = None
        self._thread: threading.Thread | None = None
        self._halt_event = threading.Event()
        self._run_id = 0
        self.last_error: Exception | None = None
        probe = source_factory()
        self.sample_rate: int = probe.sample_rate
        self.channels: int = probe.channels

    @property
    def state(self) -> RecorderState:
        """IDLE, RECORDING or PAUSED."""
        return self._state

    def start(self) -> None:
        """Open a fresh microphone stream (LED on) and begin delivering chunks."""
        with self._lock:
            if self._state is not RecorderState.IDLE:
                raise RecorderError(f"cannot start: the recorder is {self._state.value}")
            source = self._factory()
            self._open(source)
            self._source = source
            self.sample_rate, self.channels = source.sample_rate, source.channels
            self.last_error = None
            self._state = RecorderState.RECORDING
            self._spawn(source)

    def pause(self) -> None:
        """Close the microphone (LED off); no chunks are delivered after this returns."""
        with self._lock:
            if self._state is not RecorderState.RECORDING:
                raise RecorderError(f"cannot pause: the recorder is {self._state.value}")
            try:
                self._halt()
            finally:
                self._state = RecorderState.PAUSED  # the mic is closed even when halting failed

    def resume(self) -> None:
        """Reopen the microphone of the current recording (LED on)."""
        with self._lock:
            if self._state is not RecorderState.PAUSED or self._source is None:
                raise RecorderError(f"cannot resume: the recorder is {self._state.value}")
            self._open(self._source)
            self._state = RecorderState.RECORDING
            self._spawn(self._source)

    def stop(self) -> None:
        """End the recording: microphone closed, LED off; a no-op when already idle."""
        with self._lock:
            if self._state is RecorderState.RECORDING:
                try:
                    self._halt()
                finally:
                    self._state = RecorderState.IDLE
                    self._source = None
            self._state = RecorderState.IDLE
            self._source = None

    def _open(self, source: AudioSource) -> None:
        # LED first: if the lamp cannot be lit, the microphone must not open.
        self._led.set(True)
        try:
            source.open()
        except BaseException:
            self._close_quietly(source)
            self._led.set(False)
            raise

    def _spawn(self, source: AudioSource) -> None:
        self._run_id += 1
        self._halt_event = threading.Event()
        self._thread = threading.Thread(
            target=self._capture,
            args=(source, self._halt_event, self._run_id),
            name="recorder-capture",
            daemon=True,
        )
        self._thread.start()

    def _halt(self) -> None:
        """Stop the capture thread; it closes the source and switches the LED off itself."""
        thread, source = self._thread, self._source
        self._halt_event.set()
        if thread is None or thread is threading.current_thread():
            # Called from inside on_audio: the loop sees the event and cleans up on its way out.
            if source is not None:
                self._close_quietly(source)
            self._led.set(False)
            return
        thread.join(self._join_timeout_s)
        if thread.is_alive():
            # A read is stuck in the driver: close from here and disown the thread.
            self._run_id += 1
            self._thread = None
            if source is not None:
                self._close_quietly(source)
            self._led.set(False)
            raise RecorderError(
                f"the capture thread did not stop within {self._join_timeout_s} s; "
                "the microphone was closed forcibly"
            )

    def _capture(self, source: AudioSource, halt: threading.Event, run_id: int) -> None:
        ended = False
        error: Exception | None = None
        try:
            while not halt.is_set():
                chunk = source.read()
                if chunk is None:
                    ended = True
                    break
                if self._run_id != run_id:
                    break  # disowned after a stuck read: the recorder has moved on
                # A chunk read before a pause is still delivered: it was captured with the LED on.
                self._on_audio(chunk)
        except Exception as exc:  # noqa: BLE001 - any failure must still close mic and LED
            error = exc
            if self._run_id == run_id:
                log.error("audio capture failed: %s", exc)
            else:  # a disowned thread whose source was closed under it: expected, not news
                log.debug("disowned capture thread ended: %s", exc)
        finally:
            self._close_quietly(source)
            if self._run_id == run_id:
                try:
                    self._led.set(False)
                except Exception as exc:  # noqa: BLE001 - nothing to raise to in this thread
                    log.error("could not switch the recording LED off: %s", exc)
        if (ended or error is not None) and self._become_idle(halt, run_id):
            self.last_error = error
            self._notify(error)

    def _become_idle(self, halt: threading.Event, run_id: int) -> bool:
        """After a natural end or error: mark idle unless an API call is already halting us."""
        while not self._lock.acquire(timeout=0.05):
            if halt.is_set():
                return False
        try:
            if self._run_id != run_id or halt.is_set():
                return False
            self._state = RecorderState.IDLE
            self._source = None
            return True
        finally:
            self._lock.release()

    def _notify(self, error: Exception | None) -> None:
        if error is not None:
            if self._on_error is not None:
                self._on_error(error)
        elif self._on_end is not None:
            self._on_end()

    @staticmethod
    def _close_quietly(source: AudioSource) -> None:
        try:
            source.close()
        except Exception as exc:  # noqa: BLE001 - closing must never mask the original problem
            log.warning("closing the audio source failed: %s", exc)
