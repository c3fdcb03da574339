"""`spreekkamer bench transcribe` over every evaluation conversation, with pooled figures.

One conversation is a noisy measure: on synthetic speech the base model is so unsure that a
moved chunk boundary flips words either way. This runs the benchmark on each conversation of
the evaluation folder (synthesizing its audio first when it is missing), each in a fresh
process, prints one JSON line per conversation, then one JSON object with the totals: compute
seconds summed, WER pooled over all reference words, the worst stop-to-transcript and peak RSS.

    .venv/bin/python scripts/bench_eval_audio.py --eval ../shared/eval --audio /tmp/evalaudio
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def ensure_audio(conversation: Path, audio_dir: Path, synth: Path, stereo: bool) -> Path:
    """The conversation's WAV (and .ref.json) in `audio_dir`, synthesized when missing."""
    wav = audio_dir / f"{conversation.stem}.wav"
    if not wav.is_file() or not wav.with_suffix(".ref.json").is_file():
        audio_dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(synth), str(conversation), "-o", str(audio_dir)]
        subprocess.run(cmd + (["--stereo"] if stereo else []), check=True, timeout=900)
    return wav


def bench_one(conversation: Path, wav: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "appliance.cli", "bench", "transcribe", str(wav),
           "--speedup", str(args.speedup), "--ref", str(wav.with_suffix(".ref.json")),
           "--conversation", str(conversation), "--score", str(args.eval / "score.py"),
           "--language", args.language]
    if args.model is not None:
        cmd += ["--model", str(args.model)]
    # Real-time playback plus two transcriptions; generous, but never unbounded.
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=3600 / args.speedup + 1800)
    if done.returncode != 0:
        raise SystemExit(f"{wav}: bench failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {"conversation": conversation.stem, **json.loads(done.stdout.strip().splitlines()[-1])}


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    words = sum(r["reference_words"] for r in runs)
    direct_cpu = sum(r["direct_compute_s"] for r in runs)
    stream_cpu = sum(r["streaming_compute_s"] for r in runs)
    direct_wer = sum(r["direct_wer"] * r["reference_words"] for r in runs) / words
    stream_wer = sum(r["streaming_wer"] * r["reference_words"] for r in runs) / words
    return {
        "conversations": len(runs),
        "audio_seconds": round(sum(r["audio_seconds"] for r in runs), 2),
        "direct_compute_s": round(direct_cpu, 2),
        "streaming_compute_s": round(stream_cpu, 2),
        "compute_ratio": round(stream_cpu / direct_cpu, 3),
        "stop_to_transcript_max_s": max(r["stop_to_transcript_s"] for r in runs),
        "peak_rss_max_mb": max(r["peak_rss_mb"] for r in runs),
        "reference_words": words,
        "direct_wer": round(direct_wer, 4),
        "streaming_wer": round(stream_wer, 4),
        "wer_ratio": round(stream_wer / direct_wer, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval",
                        help="folder with the conversations, synth.py and score.py")
    parser.add_argument("--audio", type=Path, default=Path("/tmp/evalaudio"),
                        help="where the synthesized audio is kept")
    parser.add_argument("--speedup", type=float, default=1.0)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--language", default="nl")
    parser.add_argument("--stereo", action="store_true", help="synthesize two-microphone audio")
    parser.add_argument("--only", nargs="*", default=None, help="conversation ids to run")
    args = parser.parse_args()
    conversations = sorted(p for p in args.eval.glob("*.json") if not p.name.endswith(".ref.json"))
    if args.only:
        conversations = [c for c in conversations if c.stem in args.only]
    if not conversations:
        raise SystemExit(f"{args.eval}: no conversations")
    runs = []
    for conv in conversations:
        wav = ensure_audio(conv, args.audio, args.eval / "synth.py", args.stereo)
        runs.append(bench_one(conv, wav, args))
        print(json.dumps(runs[-1]), flush=True)
    print(json.dumps({"total": pooled(runs)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
