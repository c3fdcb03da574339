"""Transcription while the conversation runs, so that stop only waits for the last window.

The recorder calls `feed` with PCM frames from its own thread; one worker thread takes the
pauses out as they are decided (`SpeechTrack`) and decodes each 30 s window of speech as soon
as it is complete, exactly as faster-whisper decodes that window of the whole recording
(`decode_window`): the streamed transcript is the whole-file one, ready sooner. `finish`
decodes what is left; `cancel` (consent revoked) stops at once and drops everything held.

Over 300 lines on purpose: the worker thread's loop, the decode after stop and its re-decode
rules, and the window sizing share one set of invariants (what is held, what is decoded with
which settings), which read best together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from appliance.transcript import Segment, Transcript
from appliance.transcription.audio import pcm16_to_float, to_mono
from appliance.transcription.heap import release_freed_memory
from appliance.transcription.speakers import label_speakers
from appliance.transcription.speech_track import SpeechTrack
from appliance.transcription.whisper import Transcriber, Window

log = logging.getLogger(__name__)


FULL_WINDOW_S = 30.0
"""Whisper's window; with it a stream decodes exactly the windows of the whole file."""
MIN_WINDOW_S = 10.0
"""Smaller windows, for a box too slow for full ones within the latency budget, waste calls."""
EDGE = 320
"""Samples past the window's end, so its last spectrogram frames are those of the whole file."""
ADAPT_AFTER = 3
"""Windows decoded before their speed may shrink the windows: one says little about a box (the
first of a conversation is the slowest, and on this 2-core CPU it alone once shrank them all)."""
GREEDY_SHARE = 0.5
"""The time of a greedy decode as a share of the same window's decode with a beam of 5
(0.46–0.54 on the evaluation audio, base model, 2-core CPU)."""
SKIPPED_SPEECH_S = 5.0
"""Speech without text in the decode after stop (and more than half of it) beyond which greedy
decoding is taken to have skipped it; pauses within speech and a dropped loop leave less."""
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
        latency_budget_s: float = 4.5,
        window_s: float | None = None,
        fallback: bool = True,
        stop_beam_size: int | None = None,
    ) -> None:
        """`latency_budget_s`: how long decoding the last window may take after stop. Windows
        are full (30 s) unless this box decodes them too slowly for that; then they shrink,
        and the transcript is no longer exactly the whole-file one. A fixed `window_s` turns
        this off. `fallback=False` turns temperature fallback off even where the transcriber's
        configuration has it on, so that the same audio always gives the same transcript.
        `stop_beam_size`: a narrower beam for what is decoded after stop, while the worker
        waits (None: the transcriber's own); with it the last window reads differently from
        the whole-file one."""
        if sample_rate != 16000:
            raise ValueError(f"Whisper needs 16000 Hz audio, got {sample_rate} Hz")
        if channels not in (1, 2):
            raise ValueError(f"expected 1 or 2 channels, got {channels}")
        self._transcriber = transcriber
        self.sample_rate, self.channels, self.language = sample_rate, channels, language
        self._on_segment = on_segment
        self._fallback = fallback
        self._stop_beam_size = stop_beam_size
        self._sizer = WindowSizer(latency_budget_s, fixed_s=window_s,
                                  stop_share=GREEDY_SHARE if stop_beam_size == 1 else 1.0)
        self.window_lengths: list[float] = []
        """Seconds of speech in each window decoded while recording (the benchmark reports
        them: windows shorter than 30 s read differently from the whole-file ones)."""
        self._track = SpeechTrack(sample_rate=sample_rate)
        self._cond = threading.Condition()
        self._pending = bytearray()  # fed, not yet taken by the worker
        self._batch_bytes = int(BATCH_S * sample_rate) * 2 * channels
        self._fed_bytes = 0
        self._closing = False
        self._cancelled = False
        self._error: BaseException | None = None
        self._segments: list[Segment] = []
        self._idle = False  # the worker waits for audio: every complete window is decoded
        self._stopped = False
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
                self._cond.notify_all()

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
            self._cond.notify_all()
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

    def settle(self, timeout: float) -> bool:
        """Wait until every window complete so far is decoded; False on timeout. For
        benchmarks that fast-forward a recording and must then go on as if it had played live."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._stopped or (self._idle and len(self._pending) < self._batch_bytes),
                timeout,
            )

    def cancel(self, timeout: float = 5.0) -> bool:
        """Stop now and forget all audio and text; True when the worker has stopped in time."""
        with self._cond:
            self._cancelled = True
            self._pending = bytearray()
            self._segments = []
            self._cond.notify_all()
        self._worker.join(timeout)
        return not self._worker.is_alive()

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    self._idle = True
                    self._cond.notify_all()  # for settle()
                    while not (len(self._pending) >= self._batch_bytes or self._closing
                               or self._cancelled):
                        self._cond.wait()
                    self._idle = False
                    if self._cancelled:
                        break
                    frame_bytes = 2 * self.channels
                    usable = len(self._pending) - len(self._pending) % frame_bytes
                    data = bytes(self._pending[:usable])
                    del self._pending[:usable]
                    # feed() refuses audio once closing, so nothing can follow this batch.
                    closing = self._closing
                self._track.push(pcm16_to_float(data, self.channels))
                # Once stop is pressed, whole windows still waiting go with the rest below.
                while not (self._cancelled or self._closing) and self._window_ready():
                    # Once stop is pressed the worker waits on this window too, and after a
                    # revocation it is thrown away: no re-decoding then.
                    self._decode(fallback=self._fallback and (
                        lambda: not (self._closing or self._cancelled)))
                if closing or self._cancelled:
                    break
            if not self._cancelled:
                self._track.end()
                # The worker is waiting for all that is left: no temperature fallback, whose
                # re-decoding can take several times as long on a hard passage, and the stop
                # beam width. (A window the model ran away on leaves a whole window behind it:
                # with the configured beam, evaluatie-01 stopped at 211.9 s took 11.5 s.)
                self._decode(fallback=False, to_end=True, beam_size=self._stop_beam_size)
        except BaseException as exc:  # surfaced by finish(); a worker must never die silently
            log.exception("streaming transcription failed")
            self._error = exc
        finally:
            self._track.discard()
            with self._cond:
                self._stopped = True
                self._cond.notify_all()

    def _window_ready(self) -> bool:
        return self._track.held >= round(self._sizer.window_s * self.sample_rate) + EDGE

    def _decode(
        self, *, fallback: bool | Callable[[], bool], to_end: bool = False, beam_size: int | None = None
    ) -> None:
        window_s = self._sizer.window_s
        window_samples = round(window_s * self.sample_rate)
        frames, context = self._track.window(None if to_end else window_samples + EDGE)
        if len(frames) - context == 0:
            return
        if not to_end and window_s < FULL_WINDOW_S:
            frames = frames[:context + window_samples]  # a short window ends at its length
        if not to_end:
            self.window_lengths.append(round(window_s, 2))
        start_s = self._track.start_s
        began = time.monotonic()
        mono = to_mono(frames)
        window = self._transcriber.decode_window(
            mono, context=context, to_end=to_end,
            should_stop=lambda: self._cancelled, fallback=fallback, beam_size=beam_size,
        )
        speech_s = (len(frames) - context) / self.sample_rate
        untranscribed = speech_s - sum(seg.end - seg.start for seg in window.segments)
        skipped = untranscribed > max(SKIPPED_SPEECH_S, speech_s / 2)
        if to_end and beam_size is not None and skipped and not self._cancelled:
            # Greedy decoding sometimes writes one sentence for many (on a test conversation
            # one of 16 s of speech) and faster-whisper takes the rest for silence. The audio
            # here is speech by voice activity, so it is decoded again with the beam.
            log.info("%.1f s of speech left without text after stop; decoding it with the beam",
                     untranscribed)
            window = self._transcriber.decode_window(
                mono, context=context, to_end=True,
                should_stop=lambda: self._cancelled, fallback=False,
            )
        if not to_end and not window.ran_away:
            self._sizer.decoded(time.monotonic() - began)
        segments = self._in_stream_time(window, start_s, frames[context:])
        self._track.advance(window.advance)
        with self._cond:
            if self._cancelled:
                return
            first = len(self._segments) + 1
            segments = [seg.model_copy(update={"id": f"s{first + i}"}) for i, seg in enumerate(segments)]
            self._segments.extend(segments)
        for seg in segments:
            if self._on_segment is not None:
                self._on_segment(seg)
        log.debug("window at %.1f s of speech: %d segments, next %.2f s on", start_s,
                  len(segments), window.advance / self.sample_rate)
        release_freed_memory()  # a 90-minute conversation must not grow the process

    def _in_stream_time(self, window: Window, start_s: float, frames: np.ndarray) -> list[Segment]:
        """The window's segments with stream times (and speakers, from the stereo frames)."""
        segments = window.segments
        if self.channels == 2:
            segments = label_speakers(segments, frames)
        out = []
        for seg in segments:
            words = tuple(
                w.model_copy(update={
                    "start": round(self._track.stream_time(start_s + w.start), 3),
                    "end": round(self._track.stream_time(start_s + w.end, like=start_s + w.start), 3),
                })
                for w in seg.words
            )
            begin = words[0].start if words else round(self._track.stream_time(start_s + seg.start), 3)
            end = words[-1].end if words else round(
                self._track.stream_time(start_s + seg.end, like=start_s + seg.start), 3)
            out.append(seg.model_copy(update={"words": words, "start": begin, "end": max(begin, end)}))
        return out

class WindowSizer:
    """How much speech goes into each window decoded while recording: a full 30 s window
    (exactly the whole-file windows) unless this box could not decode one after stop within
    the latency budget; then shorter ones, which shorten the wait at some cost in accuracy."""

    def __init__(self, budget_s: float, *, fixed_s: float | None = None, stop_share: float = 1.0) -> None:
        """`stop_share`: the time of the decode after stop as a share of a window's decode
        while recording (`GREEDY_SHARE` when the last window is decoded greedily). A fixed
        window length (`fixed_s`) never changes."""
        self._budget_s = budget_s
        self._adaptive = fixed_s is None
        self._stop_share = stop_share
        self.window_s = _clamp(FULL_WINDOW_S if fixed_s is None else fixed_s, 1.0, FULL_WINDOW_S)
        self._rates: list[float] = []

    def decoded(self, took_s: float) -> None:
        """A window of `window_s` took `took_s` to decode (not one the model ran away on)."""
        if not self._adaptive:
            return
        # The median of recent windows: one hard passage re-decoded by fallback must not shrink
        # every following window. (Windows the model ran away on are not counted at all: on
        # this 2-core CPU the first window of a conversation running away shrank every window
        # after it, and short windows cost more per second, so they stayed short.)
        self._rates = [*self._rates[-4:], took_s * self._stop_share / self.window_s]
        if len(self._rates) < ADAPT_AFTER:
            return
        rate = float(np.median(self._rates))
        self.window_s = _clamp(self._budget_s / rate, MIN_WINDOW_S, FULL_WINDOW_S)
        log.debug("decoding after stop %.3f s per audio s; window now %.1f s", rate, self.window_s)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def float_to_pcm16(audio: np.ndarray) -> bytes:
    """float32 [-1, 1] frames back to 16-bit little-endian PCM (for tests and the benchmark);
    the exact inverse of `pcm16_to_float`, so a streamed file is the same audio as the file."""
    scaled = np.rint(np.clip(audio, -1.0, 32767 / 32768) * 32768.0)
    return bytes(scaled.astype("<i2").tobytes())
