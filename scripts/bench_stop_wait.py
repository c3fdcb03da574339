"""Stop-to-transcript at many stop moments of the same recordings.

How long the worker waits after stop depends on where the stop falls: just after a window
started decoding, the rest of that window and then the tail are decoded; just before the next
window was due, a tail of almost a full window. One benchmark run measures one such moment;
this measures STOPS of them per recording. Each stop point is reached by playing the recording
from its start, `--speedup` times faster than real time until LEAD seconds before the stop and
in real time from there, so that at the stop the transcriber is where a live conversation
would have left it. `--at-window-start` presses stop instead the moment the next window after
each stop point begins decoding, the worst moment there is. Prints one JSON object: every wait,
and their median and maximum.

    .venv/bin/python scripts/bench_stop_wait.py /tmp/evalaudio/*.wav --stops 4
    .venv/bin/python scripts/bench_stop_wait.py /tmp/evalaudio/*.wav --stops 3 --at-window-start
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from appliance.box.config import TranscriptionConfig
from appliance.transcript import ModelStamp, Segment
from appliance.transcription.audio import SAMPLE_RATE, read_wav
from appliance.transcription.models import resolve_model
from appliance.transcription.streaming import StreamingTranscriber, float_to_pcm16
from appliance.transcription.whisper import WhisperTranscriber, Window

FRAME_S = 0.03


class _WindowWatch:
    """The transcriber, with an event set whenever a window decoded while recording begins."""

    def __init__(self, inner: WhisperTranscriber) -> None:
        self._inner = inner
        self.began = threading.Event()

    def transcribe(self, audio: np.ndarray, *, fallback: bool | Callable[[], bool] = True) -> list[Segment]:
        return self._inner.transcribe(audio, fallback=fallback)

    def decode_window(self, audio: np.ndarray, **kwargs: Any) -> Window:
        if not kwargs.get("to_end"):
            self.began.set()
        return self._inner.decode_window(audio, **kwargs)

    def stamp(self) -> ModelStamp:
        return self._inner.stamp()


def wait_after_stop(
    transcriber: WhisperTranscriber,
    frames: np.ndarray,
    stop_s: float,
    *,
    speedup: float,
    lead_s: float,
    at_window_start: bool = False,
) -> tuple[float, float]:
    """Play `frames` up to `stop_s` (fast, then the last `lead_s` in real time), press stop and
    return (the second of the recording stop was pressed at, the seconds until the transcript
    is there). `at_window_start` plays on in real time past `stop_s` and presses stop the moment
    the next window begins decoding: the longest wait, that whole window and then the rest."""
    watch = _WindowWatch(transcriber)
    stream = StreamingTranscriber(watch, channels=frames.shape[1],
                                  stop_beam_size=transcriber.stop_beam_size)
    step = int(FRAME_S * SAMPLE_RATE)
    at = int(stop_s * SAMPLE_RATE)
    end = len(frames) if at_window_start else at
    slow_from = max(0, at - int(lead_s * SAMPLE_RATE))
    clock = time.monotonic()
    fed = 0
    for start in range(0, end, step):
        if at_window_start and start >= at:
            if start < at + step:
                watch.began.clear()  # only a window that begins from here on counts
            elif watch.began.is_set():
                break
        if start == slow_from // step * step:
            # Played fast, the worker may have fallen behind; playing live, it keeps up.
            if not stream.settle(timeout=600):
                raise TimeoutError("the transcriber did not catch up within 600 s")
            clock = time.monotonic()
        pace = 1.0 if start >= slow_from else speedup
        fed = min(start + step, end)
        clock += (fed - start) / SAMPLE_RATE / pace
        if (delay := clock - time.monotonic()) > 0:
            time.sleep(delay)
        stream.feed(float_to_pcm16(frames[start:fed]))
    stopped = time.monotonic()
    stream.finish(timeout=600)
    return fed / SAMPLE_RATE, time.monotonic() - stopped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", type=Path, nargs="+", help="16 kHz WAV recordings")
    parser.add_argument("--stops", type=int, default=4, help="stop moments per recording")
    parser.add_argument("--lead", type=float, default=45.0, help="real-time seconds before stop")
    parser.add_argument("--speedup", type=float, default=4.0, help="pace before the lead")
    parser.add_argument(
        "--fallback", choices=["auto", "on", "off"], default="auto", help="temperature fallback"
    )
    parser.add_argument(
        "--stop-beam", default="auto", help="beam width after stop: 'auto' or a number"
    )
    parser.add_argument(
        "--at-window-start", action="store_true",
        help="press stop the moment the next window begins decoding (the longest wait)",
    )
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--language", default="nl")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    cfg = TranscriptionConfig(
        model_dir=args.model,
        language=args.language,
        temperature_fallback=args.fallback,
        stop_beam_size=args.stop_beam if args.stop_beam == "auto" else int(args.stop_beam),
    )
    transcriber = WhisperTranscriber(resolve_model(cfg), cfg)
    waits = []
    for path in args.audio:
        frames = read_wav(path)
        length_s = len(frames) / SAMPLE_RATE
        first = min(length_s, args.lead + 30.0)  # at least one full window before the first stop
        for k in range(args.stops):
            stop_s = first + (length_s - first) * (k + 1) / args.stops
            pressed_s, waited = wait_after_stop(
                transcriber,
                frames,
                stop_s,
                speedup=args.speedup,
                lead_s=args.lead,
                at_window_start=args.at_window_start,
            )
            waits.append(
                {"audio": path.name, "stop_s": round(pressed_s, 1), "wait_s": round(waited, 2)}
            )
            print(json.dumps(waits[-1]), file=sys.stderr, flush=True)
    values = [w["wait_s"] for w in waits]
    print(
        json.dumps(
            {
                "temperature_fallback": transcriber.fallback,
                "stop_beam_size": transcriber.stop_beam_size or cfg.beam_size,
                "stops": waits,
                "median_wait_s": round(statistics.median(values), 2),
                "max_wait_s": max(values),
                "over_5_s": sum(v > 5.0 for v in values),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
