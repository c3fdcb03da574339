"""Transcription while the conversation runs, so that stop only waits for the last few seconds.

The recorder calls `feed` with PCM frames from its own thread; one worker thread scores voice
activity, cuts chunks at pauses (`StreamChunker`) and transcribes them. `finish` transcribes
what is left; `cancel` (consent revoked) stops at once and drops everything held.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from appliance.transcript import Segment, Transcript
from appliance.transcription.audio import pcm16_to_float, to_mono
from appliance.transcription.chunker import Chunk, StreamChunker
from appliance.transcription.speakers import label_speakers
from appliance.transcription.whisper import Transcriber

log = logging.getLogger(__name__)


INITIAL_TARGET_S = 20.0
"""Chunk size before the decoding speed of this box is known."""
MIN_TARGET_S, MAX_TARGET_S = 12.0, 27.0
"""Smaller chunks waste Whisper calls; larger ones no longer fit one 30 s window."""
BATCH_S = 0.25
"""Audio gathered before the worker scores it: waking for every 30 ms frame cost more CPU in
voice-activity calls and copies than it saved in latency."""


class StreamClosed(RuntimeError):
    """Audio fed after `finish` or `cancel` was called."""


class StreamingTranscriber:
    """Live transcription of one contact's recording; segment ids s1, s2, … stay stable."""

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        sample_rate: int = 16000,
        channels: int = 1,
        language: str = "nl",
        on_segment: Callable[[Segment], None] | None = None,
        latency_budget_s: float = 3.5,
        target_chunk_s: float | None = None,
    ) -> None:
        """`latency_budget_s`: how long the last chunk may take to decode after stop; chunk size
        follows from the measured decoding speed. A fixed `target_chunk_s` turns that off."""
        if sample_rate != 16000:
            raise ValueError(f"Whisper needs 16000 Hz audio, got {sample_rate} Hz")
        if channels not in (1, 2):
            raise ValueError(f"expected 1 or 2 channels, got {channels}")
        self._transcriber = transcriber
        self.sample_rate, self.channels, self.language = sample_rate, channels, language
        self._on_segment = on_segment
        self._budget_s = latency_budget_s
        self._adaptive = target_chunk_s is None
        self._rates: list[float] = []
        self._chunker = StreamChunker(
            sample_rate=sample_rate,
            target_chunk_s=INITIAL_TARGET_S if target_chunk_s is None else target_chunk_s,
        )
        self._cond = threading.Condition()
        self._pending = bytearray()  # fed, not yet taken by the worker
        self._batch_bytes = int(BATCH_S * sample_rate) * 2 * channels
        self._fed_bytes = 0
        self._closing = False
        self._cancelled = False
        self._error: BaseException | None = None
        self._segments: list[Segment] = []
        self._worker = threading.Thread(target=self._run, name="streaming-transcriber", daemon=True)
        self._worker.start()

    def feed(self, pcm: bytes) -> None:
        """Queue 16-bit little-endian PCM (interleaved when stereo); safe from any thread."""
        with self._cond:
            if self._cancelled:
                return  # frames still in flight after a revocation are dropped, not an error
            if self._closing:
                raise StreamClosed("audio fed after finish()")
            self._pending += pcm
            self._fed_bytes += len(pcm)
            if len(self._pending) >= self._batch_bytes:
                self._cond.notify()

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Segments transcribed so far, in time order."""
        with self._cond:
            return tuple(self._segments)

    @property
    def audio_seconds(self) -> float:
        """Length of the audio fed so far."""
        return self._fed_bytes / (2 * self.channels * self.sample_rate)

    def finish(self, timeout: float) -> Transcript:
        """Transcribe what is left and return the whole transcript; TimeoutError when late."""
        with self._cond:
            if self._cancelled:
                raise StreamClosed("stream was cancelled")
            self._closing = True
            self._cond.notify()
        self._worker.join(timeout)
        if self._worker.is_alive():
            raise TimeoutError(f"transcription not finished within {timeout} s")
        if self._error is not None:
            raise RuntimeError("streaming transcription failed") from self._error
        stamp = getattr(self._transcriber, "stamp", None)
        return Transcript(
            segments=tuple(self._segments),
            language=self.language,
            model=stamp() if stamp else None,
            audio_seconds=round(self.audio_seconds, 3),
        )

    def cancel(self, timeout: float = 5.0) -> bool:
        """Stop now and forget all audio and text; True when the worker has stopped in time."""
        with self._cond:
            self._cancelled = True
            self._pending = bytearray()
            self._segments = []
            self._cond.notify()
        self._worker.join(timeout)
        return not self._worker.is_alive()

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not (len(self._pending) >= self._batch_bytes or self._closing
                               or self._cancelled):
                        self._cond.wait()
                    if self._cancelled:
                        break
                    frame_bytes = 2 * self.channels
                    usable = len(self._pending) - len(self._pending) % frame_bytes
                    data = bytes(self._pending[:usable])
                    del self._pending[:usable]
                    # feed() refuses audio once closing, so nothing can follow this batch.
                    closing = self._closing
                for chunk in self._chunker.push(pcm16_to_float(data, self.channels)):
                    # Once stop is pressed the worker waits on this chunk too, and after a
                    # revocation it is thrown away: no re-decoding then.
                    self._transcribe(chunk, fallback=lambda: not (self._closing or self._cancelled))
                if closing or self._cancelled:
                    break
            if not self._cancelled:
                last = self._chunker.flush()
                if last is not None:
                    # The worker is waiting for this one: no temperature fallback, whose re-decoding
                    # can take several times as long on a hard passage.
                    self._transcribe(last, fallback=False)
        except BaseException as exc:  # surfaced by finish(); a worker must never die silently
            log.exception("streaming transcription failed")
            self._error = exc
        finally:
            self._chunker.discard()

    def _adapt(self, took_s: float, audio_s: float) -> None:
        """Size the next chunks so decoding one stays within the latency budget on this box."""
        if not self._adaptive or audio_s < 3.0:
            return
        # The median of recent chunks: one hard passage re-decoded by fallback must not shrink
        # every following chunk (small chunks waste Whisper calls).
        self._rates = [*self._rates[-4:], took_s / audio_s]
        rate = float(np.median(self._rates))
        target = _clamp(self._budget_s / rate, MIN_TARGET_S, MAX_TARGET_S)
        self._chunker.target_chunk_s = target
        log.debug("decoding %.2f s per audio s; chunk target now %.1f s", rate, target)

    def _transcribe(self, chunk: Chunk, *, fallback: bool | Callable[[], bool]) -> None:
        if self._cancelled:
            return
        offset_s = chunk.start_sample / self.sample_rate
        began = time.monotonic()
        segments = self._transcriber.transcribe(
            to_mono(chunk.frames),
            offset_s=offset_s,
            first_id=len(self._segments) + 1,
            should_stop=lambda: self._cancelled,
            fallback=fallback,
        )
        self._adapt(time.monotonic() - began, len(chunk.frames) / self.sample_rate)
        if self.channels == 2:
            segments = label_speakers(segments, chunk.frames, offset_s=offset_s)
        with self._cond:
            if self._cancelled:
                return
            self._segments.extend(segments)
        for seg in segments:
            if self._on_segment is not None:
                self._on_segment(seg)
        log.debug("chunk at %.1f s: %.1f s speech, %d segments", offset_s, chunk.speech_s,
                  len(segments))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def float_to_pcm16(audio: np.ndarray) -> bytes:
    """float32 [-1, 1] frames back to 16-bit little-endian PCM (for tests and the benchmark);
    the exact inverse of `pcm16_to_float`, so a streamed file is the same audio as the file."""
    scaled = np.rint(np.clip(audio, -1.0, 32767 / 32768) * 32768.0)
    return bytes(scaled.astype("<i2").tobytes())
