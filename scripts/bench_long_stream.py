"""Memory of a long streaming transcription: RSS sampled while a conversation of MINUTES plays.

The recordings given are played one after the other, again and again, until the stream is
MINUTES long, through the same streaming transcriber the appliance uses, `--speedup` times
faster than real time (keep it low enough for this box to keep up, as a microphone would
need: otherwise audio waiting for Whisper piles up by design). Prints one JSON object: RSS at
each tenth of the stream, the growth from the first to the last tenth, the longest backlog
and the stop-to-transcript wait.

    .venv/bin/python scripts/bench_long_stream.py /tmp/evalaudio/*.wav --minutes 90 --speedup 4
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from appliance.box.config import TranscriptionConfig
from appliance.transcription.audio import SAMPLE_RATE, read_wav, to_mono
from appliance.transcription.models import resolve_model
from appliance.transcription.streaming import StreamingTranscriber, float_to_pcm16
from appliance.transcription.whisper import WhisperTranscriber

FRAME_S = 0.03


def rss_mb() -> float:
    """Resident memory now (not the peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", type=Path, nargs="+", help="16 kHz WAV files, played in turn")
    parser.add_argument("--minutes", type=float, default=90.0)
    parser.add_argument("--speedup", type=float, default=4.0)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--language", default="nl")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    clips = [to_mono(read_wav(p)) for p in args.audio]
    cfg = TranscriptionConfig(model_dir=args.model, language=args.language)
    transcriber = WhisperTranscriber(resolve_model(cfg), cfg)
    stream = StreamingTranscriber(transcriber, stop_beam_size=transcriber.stop_beam_size)
    total = int(args.minutes * 60 * SAMPLE_RATE)
    step = int(FRAME_S * SAMPLE_RATE)
    samples: list[dict[str, float]] = []
    backlog_s = 0.0
    fed, clip_i, pos = 0, 0, 0
    t0 = time.monotonic()
    next_sample = 0
    while fed < total:
        clip = clips[clip_i % len(clips)]
        frame = clip[pos:pos + min(step, total - fed)]
        pos += len(frame)
        if pos >= len(clip):
            clip_i, pos = clip_i + 1, 0
        due = t0 + fed / SAMPLE_RATE / args.speedup
        if (delay := due - time.monotonic()) > 0:
            time.sleep(delay)
        stream.feed(float_to_pcm16(frame))
        fed += len(frame)
        if fed >= next_sample:
            done_s = stream.segments[-1].end if stream.segments else 0.0
            backlog_s = max(backlog_s, fed / SAMPLE_RATE - done_s)
            samples.append({"audio_min": round(fed / SAMPLE_RATE / 60, 1), "rss_mb": round(rss_mb(), 1)})
            next_sample += total // 10
    stopped = time.monotonic()
    transcript = stream.finish(timeout=600)
    waited = time.monotonic() - stopped
    first, last = samples[1]["rss_mb"], samples[-1]["rss_mb"]  # [0] is before the model warmed up
    print(json.dumps({
        "audio_minutes": round(fed / SAMPLE_RATE / 60, 1),
        "speedup": args.speedup,
        "segments": len(transcript.segments),
        "rss_mb": samples,
        "rss_growth_mb": round(last - first, 1),
        "rss_growth_per_hour_mb": round((last - first) / max(1e-9, (samples[-1]["audio_min"]
                                                                     - samples[1]["audio_min"]) / 60), 1),
        "max_backlog_s": round(backlog_s, 1),
        "stop_to_transcript_s": round(waited, 2),
        "text_kb": round(sum(len(s.text) for s in transcript.segments) / 1024, 1),
        "max_rss_mb": float(np.max([s["rss_mb"] for s in samples])),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
