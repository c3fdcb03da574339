"""Whisper behind a one-method interface: float32 audio in, cited-ready segments out.

The model loads once in `WhisperTranscriber.__init__` (before the service reports ready);
`transcribe` blocks, so async callers run it with `asyncio.to_thread`.

Over 300 lines on purpose: the whole-file and the one-window decode, their shared settings and
the loop guards are the one place faster-whisper is called, and must stay the same call.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from appliance.box.config import TranscriptionConfig
from appliance.transcript import ModelStamp, Segment, Transcript, Word
from appliance.transcription.audio import SAMPLE_RATE, read_wav, to_mono
from appliance.transcription.guards import is_loop, kept_indices, looping_runs
from appliance.transcription.models import ModelInfo, choose_device, resolve_model
from appliance.transcription.speakers import label_speakers
from appliance.transcription.vad import MIN_SILENCE_MS
from appliance.transcription.windows import HOP, WindowDone, WindowHooks

if TYPE_CHECKING:
    from faster_whisper.transcribe import Segment as FwSegment

log = logging.getLogger(__name__)

NO_SPEECH_THRESHOLD = 0.6
COMPRESSION_RATIO_THRESHOLD = 2.4
LOG_PROB_THRESHOLD = -1.0
TEMPERATURES = (0.0, 0.2, 0.4)
"""Fallback temperatures when a decode looks poor. Sampling hotter than 0.4 mostly produces
invented text (and decodes to the length limit, the main cost on a CPU box); the repetition
guard below handles the loops the hotter fallbacks were meant to break."""


class Transcriber(Protocol):
    """Anything that turns 16 kHz mono float32 audio into segments."""

    def transcribe(self, audio: np.ndarray, *, fallback: bool | Callable[[], bool] = True) -> list[Segment]:
        """A whole recording's segments s1, s2, … `fallback=False` decodes at temperature 0 only
        (bounded time); a callable is asked before each re-decode whether one is still worth it."""
        ...

    def decode_window(
        self,
        audio: np.ndarray,
        *,
        context: int = 0,
        to_end: bool = False,
        should_stop: Callable[[], bool] | None = None,
        fallback: bool | Callable[[], bool] = True,
        beam_size: int | None = None,
    ) -> Window:
        """One window of speech already freed of pauses (see `WhisperTranscriber.decode_window`)."""
        ...

    def stamp(self) -> ModelStamp:
        """Which model and settings produced the segments."""
        ...


@dataclass(frozen=True)
class Window:
    """A decoded window: segments timed from the window's start (ids w1, w2, …) and where the
    next window starts (samples after this one's start)."""

    segments: list[Segment]
    advance: int
    ran_away: bool = False
    """The model repeated itself (the guard dropped the loop), which runs decoding on to the
    token limit: how long such a window took says nothing about how fast this box decodes."""


class WhisperTranscriber:
    """faster-whisper with pinned language, VAD, word timestamps and loop/silence guards."""

    def __init__(self, model: ModelInfo, cfg: TranscriptionConfig) -> None:
        from faster_whisper import WhisperModel  # deferred: loads CTranslate2

        self.model = model
        self.cfg = cfg
        self.device, self.compute_type = choose_device(cfg)
        self.fallback = fallback_enabled(cfg.temperature_fallback, self.device)
        """Whether temperature fallback is used at all; a call's `fallback` can only narrow it."""
        self.stop_beam_size = stop_beam_size(cfg, self.device)
        """A narrower beam for what is decoded after stop, while the worker waits (or None)."""
        self._lock = threading.Lock()  # one decode at a time: CPU threads are the bottleneck
        self._whisper = WhisperModel(
            str(model.path),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=cfg.cpu_threads,
            local_files_only=True,
        )
        self._hooks = WindowHooks(self._whisper)
        log.info("loaded %s %s on %s/%s", model.name, model.version, self.device, self.compute_type)

    def stamp(self) -> ModelStamp:
        """Model name, version, checksum and how it ran, for the report's transparency note."""
        return ModelStamp(
            name=self.model.name,
            version=self.model.version,
            sha256=self.model.sha256,
            device=self.device,
            compute_type=self.compute_type,
        )

    def transcribe(self, audio: np.ndarray, *, fallback: bool | Callable[[], bool] = True) -> list[Segment]:
        """Segments s1, s2, … in time order; silence gives an empty list.

        With `fallback`, where the configuration turns it on (`self.fallback`), a window whose
        text looks unreliable is decoded again at higher temperatures (several times the cost);
        without it, the first result is kept and the loop guard below drops what repeats. A
        callable `fallback` is asked before each re-decode (the streaming transcriber stops
        them once the worker pressed stop)."""
        audio = _mono(audio)
        if len(audio) < SAMPLE_RATE // 10:
            return []
        with self._lock:
            self._hooks.begin()
            fw_segments = self._decode(audio, None, fallback, vad=True)
        return guarded_segments(fw_segments, "s")[0]

    def decode_window(
        self,
        audio: np.ndarray,
        *,
        context: int = 0,
        to_end: bool = False,
        should_stop: Callable[[], bool] | None = None,
        fallback: bool | Callable[[], bool] = True,
        beam_size: int | None = None,
    ) -> Window:
        """Decode the first window of `audio` (speech with its pauses already taken out, after
        `context` samples of what came before it) as faster-whisper decodes that window of a
        whole file; `to_end` decodes every window up to the end instead. `beam_size` replaces
        the configured one for this call."""
        audio = _mono(audio)
        if len(audio) - context < SAMPLE_RATE // 10:
            return Window([], max(0, len(audio) - context))
        with self._lock:
            self._hooks.begin(context=context, windows=None if to_end else 1)
            fw_segments = self._decode(audio, should_stop, fallback, vad=False, beam_size=beam_size)
            next_seek = self._hooks.next_seek
        segments, looped = guarded_segments(fw_segments, "w")
        advance = len(audio) - context if next_seek is None else next_seek * HOP
        return Window(segments, advance, ran_away=looped)

    def _decode(
        self,
        audio: np.ndarray,
        should_stop: Callable[[], bool] | None,
        fallback: bool | Callable[[], bool],
        *,
        vad: bool,
        beam_size: int | None = None,
    ) -> list[FwSegment]:
        """faster-whisper's segments for `audio` (caller holds the lock). The generator decodes
        lazily, window by window: a stop is checked between segments."""
        raw, _info = self._whisper.transcribe(
            audio,
            language=self.cfg.language,
            task="transcribe",
            beam_size=beam_size or self.cfg.beam_size,
            best_of=self.cfg.best_of,
            word_timestamps=True,
            vad_filter=vad,
            vad_parameters={"min_silence_duration_ms": MIN_SILENCE_MS} if vad else None,
            condition_on_previous_text=False,
            repetition_penalty=self.cfg.repetition_penalty,
            no_speech_threshold=NO_SPEECH_THRESHOLD,
            compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
            log_prob_threshold=LOG_PROB_THRESHOLD,
            temperature=_schedule(fallback if self.fallback else False),
        )
        segments: list[FwSegment] = []
        try:
            for fw in raw:
                if should_stop is not None and should_stop():
                    return []
                segments.append(fw)
        except WindowDone:
            pass  # the one window asked for is decoded; the hook stopped the next one
        return segments


def _mono(audio: np.ndarray) -> np.ndarray:
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"expected mono audio, got shape {audio.shape}")
    return audio


class _FallbackSchedule(list[float]):
    """Temperatures that offer a hotter re-decode only while `allowed()` says so.

    faster-whisper walks the temperature list afresh for each 30 s window and takes the next
    one only after a decode failed its checks, so asking here, at that moment, decides whether
    a re-decode happens. When refused, faster-whisper keeps the best result it already has."""

    def __init__(self, temperatures: tuple[float, ...], allowed: Callable[[], bool]) -> None:
        super().__init__(temperatures)
        self._allowed = allowed

    def __iter__(self) -> Iterator[float]:
        for i, temperature in enumerate(super().__iter__()):
            if i > 0 and not self._allowed():
                return
            yield temperature


def fallback_enabled(setting: str, device: str) -> bool:
    """`transcription.temperature_fallback` on this device: 'auto' is on with CUDA only. On a
    CPU a re-decode costs seconds, and one under way when stop is pressed cannot be stopped."""
    return setting == "on" or (setting == "auto" and device == "cuda")


def stop_beam_size(cfg: TranscriptionConfig, device: str) -> int | None:
    """`transcription.stop_beam_size` on this device, or None where it is `beam_size` itself.
    'auto' is greedy on a CPU, where the last window after stop decodes in about half the time
    (a beam of 5 took 3.4 s for a typical window of the base model on 2 cores, greedy 1.7 s, and
    a repetition loop run to the token limit 4.6–5.3 s against 2.7 s), and `beam_size` on CUDA."""
    beam = (cfg.beam_size if device == "cuda" else 1) if cfg.stop_beam_size == "auto" else cfg.stop_beam_size
    return None if beam == cfg.beam_size else beam


def _schedule(fallback: bool | Callable[[], bool]) -> list[float]:
    if callable(fallback):
        return _FallbackSchedule(TEMPERATURES, fallback)
    return list(TEMPERATURES) if fallback else [TEMPERATURES[0]]


def guarded_segments(fw_segments: list[FwSegment], prefix: str) -> tuple[list[Segment], bool]:
    """Our segments (ids prefix1, prefix2, …) from faster-whisper's, without repetition loops,
    and whether there was one. Loops are looked for window by window, so that a stream, decoded
    a window at a time, drops what the whole file drops."""
    segments: list[Segment] = []
    looped = False
    for _, window in itertools.groupby(fw_segments, key=lambda fw: fw.seek):
        group = list(window)
        repeated = looping_runs([fw.text for fw in group])
        if repeated:
            log.warning("dropped %d segments repeating one another %.1f s into the audio decoded",
                        len(repeated), group[min(repeated)].start)
        looped = looped or bool(repeated)
        for i, fw in enumerate(group):
            if _is_loop(fw):
                log.warning("dropped a repetition loop %.1f s into the audio decoded", fw.start)
                looped = True
                continue
            seg = None if i in repeated else _to_segment(fw, f"{prefix}{len(segments) + 1}")
            if seg is not None:
                segments.append(seg)
    return segments, looped


def _is_loop(fw: FwSegment) -> bool:
    return bool(fw.words) and is_loop([w.word for w in fw.words or []])


def _to_segment(fw: FwSegment, seg_id: str) -> Segment | None:
    """Our Segment from faster-whisper's (not a loop: see `guarded_segments`), or None for
    empty text."""
    words = [
        Word(start=round(w.start, 3), end=round(w.end, 3),
             word=w.word, probability=round(w.probability, 4))
        for w in (fw.words or [])
    ]
    if words:
        words = [words[i] for i in kept_indices([w.word for w in words])]
        text = "".join(w.word for w in words).strip()
    else:
        text = fw.text.strip()
    if not text:
        return None
    start = words[0].start if words else fw.start
    end = words[-1].end if words else fw.end
    return Segment(
        id=seg_id,
        start=round(max(0.0, start), 3),
        end=round(max(start, end), 3),
        text=text,
        words=tuple(words),
        avg_logprob=round(fw.avg_logprob, 4),
        no_speech_prob=round(fw.no_speech_prob, 4),
    )


def transcribe_file(
    path: Path, cfg: TranscriptionConfig, transcriber: WhisperTranscriber | None = None
) -> Transcript:
    """Transcribe a 16 kHz 16-bit WAV; a stereo file gets worker/client labels by channel."""
    frames = read_wav(path)
    if transcriber is None:
        transcriber = WhisperTranscriber(resolve_model(cfg), cfg)
    segments = transcriber.transcribe(to_mono(frames))
    if frames.shape[1] == 2:
        segments = label_speakers(segments, frames)
    return Transcript(
        segments=tuple(segments),
        language=cfg.language,
        model=transcriber.stamp(),
        audio_seconds=round(len(frames) / SAMPLE_RATE, 3),
    )
