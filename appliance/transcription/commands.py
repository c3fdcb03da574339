"""`spreekkamer transcribe`, `spreekkamer models …` and `spreekkamer bench transcribe`.

`register(subparsers)` adds them to the CLI's argparse tree. Each handler returns an exit
status: 0 ok, 1 a check failed (checksum mismatch), 2 unusable input (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from appliance.box.config import ConfigError, TranscriptionConfig, load_config
from appliance.transcription.audio import AudioFormatError
from appliance.transcription.models import (
    MANIFEST,
    ModelError,
    bundled_model_dir,
    describe,
    resolve_model,
    verify,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the transcription subcommands to the `spreekkamer` command line."""
    p = subparsers.add_parser("transcribe", help="transcribe a 16 kHz WAV to transcript JSON")
    p.add_argument("audio", type=Path, help="16 kHz 16-bit WAV, mono or stereo (worker left)")
    p.add_argument("--out", type=Path, required=True, help="transcript JSON to write")
    _model_args(p)
    p.set_defaults(handler=transcribe_handler)

    models = subparsers.add_parser("models", help="Whisper models on this box")
    msub = models.add_subparsers(dest="models_command", required=True)
    ml = msub.add_parser("list", help="the models this box knows, one JSON line each")
    ml.add_argument("--config", type=Path, default=None,
                    help="appliance TOML: also lists its model and the models installed beside it")
    ml.set_defaults(handler=models_list_handler)
    mv = msub.add_parser("verify", help="check a model folder against its checksum")
    mv.add_argument("dir", type=Path, nargs="?", default=None,
                    help="model folder (the configured or else the bundled model when omitted)")
    mv.add_argument("--config", type=Path, default=None, help="appliance TOML")
    mv.set_defaults(handler=models_verify_handler)

    bench = subparsers.add_parser("bench", help="benchmarks")
    bsub = bench.add_subparsers(dest="bench_command", required=True)
    bt = bsub.add_parser("transcribe", help="whole-file versus streaming transcription")
    bt.add_argument("audio", type=Path)
    bt.add_argument("--speedup", type=float, default=1.0,
                    help="play the file this many times faster than real time")
    bt.add_argument("--ref", type=Path, default=None, help="reference .ref.json (for WER)")
    bt.add_argument("--conversation", type=Path, default=None, help="conversation JSON")
    bt.add_argument("--score", type=Path, default=None,
                    help="the evaluation's score.py (default ../shared/eval/score.py)")
    _model_args(bt)
    bt.set_defaults(handler=bench_transcribe_handler)


def _model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=None,
                        help="CTranslate2 Whisper model folder (default: the bundled model)")
    parser.add_argument("--language", default="nl", help="spoken language (never auto-detected)")


def _config(args: argparse.Namespace) -> TranscriptionConfig:
    return TranscriptionConfig(model_dir=args.model, language=args.language)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def transcribe_handler(args: argparse.Namespace) -> int:
    """Transcribe AUDIO into the evaluation's transcript JSON (plus words and model stamp)."""
    from appliance.transcription.whisper import transcribe_file

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        transcript = transcribe_file(args.audio, _config(args))
    except (ModelError, AudioFormatError, ValueError) as exc:
        return _fail(str(exc))
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(transcript.model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(args.out)  # never a half-written transcript
    print(f"{args.out}: {len(transcript.segments)} segments, {transcript.audio_seconds} s audio")
    return 0


def models_list_handler(args: argparse.Namespace) -> int:
    """One JSON line per model folder: the bundled model, the configured one and the others
    installed beside it (`spreekkamer-provision models install` puts them in one folder).
    Reads manifests; `models verify` is what hashes `model.bin` afresh."""
    try:
        configured = load_config(args.config).transcription.model_dir if args.config else None
    except ConfigError as exc:
        return _fail(str(exc))
    folders = [bundled_model_dir()]
    if configured is not None:
        folders.append(configured)
        if configured.parent.is_dir():
            folders += sorted(d for d in configured.parent.iterdir() if (d / MANIFEST).is_file())
    in_use = (configured or bundled_model_dir()).expanduser().resolve()
    seen: set[Path] = set()
    for folder in folders:
        path = folder.expanduser().resolve()
        if path in seen:
            continue
        seen.add(path)
        line: dict[str, object] = {"path": str(path), "in_use": path == in_use}
        try:
            info = describe(path)
        except ModelError as exc:
            hint = ("python -m provisioning.models assemble" if path == bundled_model_dir().resolve()
                    else "spreekkamer-provision models install")
            print(json.dumps({**line, "state": "unusable", "error": str(exc), "hint": hint}))
            continue
        print(json.dumps({**line, "state": "ready", "name": info.name, "version": info.version,
                          "sha256": info.sha256, "languages": list(info.languages),
                          "compute_types": list(info.compute_types)}))
    return 0


def models_verify_handler(args: argparse.Namespace) -> int:
    """Hash a model folder afresh and compare with its manifest (or the bundled checksum)."""
    try:
        if args.dir is not None:
            info = describe(args.dir)
        else:
            cfg = load_config(args.config).transcription if args.config else TranscriptionConfig()
            info = describe(cfg.model_dir or bundled_model_dir())
    except (ModelError, ConfigError) as exc:
        return _fail(str(exc))
    if not verify(info):
        print(f"{info.path}: checksum MISMATCH, expected {info.sha256}", file=sys.stderr)
        return 1
    print(f"{info.path}: ok ({info.name} {info.version}, sha256 {info.sha256})")
    return 0


def bench_transcribe_handler(args: argparse.Namespace) -> int:
    """Print one JSON object comparing whole-file and streaming transcription."""
    from appliance.transcription.bench import DEFAULT_SCORE, as_json, run_bench
    from appliance.transcription.whisper import WhisperTranscriber

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.speedup <= 0:
        return _fail("--speedup must be positive")
    score = args.score if args.score is not None else DEFAULT_SCORE
    if args.ref is not None and not score.is_file():
        return _fail(f"{score}: score.py not found (give --score)")
    try:
        cfg = _config(args)
        transcriber = WhisperTranscriber(resolve_model(cfg), cfg)
        result = run_bench(transcriber, args.audio, speedup=args.speedup, ref=args.ref,
                           conversation=args.conversation, score_py=score)
    except (ModelError, AudioFormatError, ValueError) as exc:
        return _fail(str(exc))
    print(as_json(result))
    return 0
