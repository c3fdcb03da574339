"""The `draft` and `eval` commands of the appliance CLI."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from pydantic import ValidationError

from appliance.drafting.engine import draft_report
from appliance.drafting.evaluation import evaluate, format_table, load_scorer
from appliance.drafting.templates import TemplateError, load_template
from appliance.transcript import Segment, Transcript

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCORER = REPO_ROOT / ".." / "shared" / "eval" / "score.py"
DEFAULT_CACHE = Path(".spreekkamer") / "eval-cache"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `draft` and `eval` to the CLI's subcommands."""
    draft = subparsers.add_parser("draft", help="draft a report from a transcript (JSON) in a template")
    draft.add_argument("--template", required=True, help="template id, e.g. intake")
    draft.add_argument("--transcript", required=True, type=Path, help="transcript JSON")
    draft.add_argument("--out", required=True, type=Path, help="where to write the draft JSON")
    draft.add_argument("--templates-dir", type=Path, default=None, help="extra folder of template files")
    draft.set_defaults(handler=draft_handler)

    ev = subparsers.add_parser("eval", help="draft and score a folder of evaluation conversations")
    ev.add_argument("dir", type=Path, help="folder of conversations (*.json)")
    ev.add_argument("--transcripts-from", choices=("reference", "audio"), default="reference",
                    help="'reference': the reference transcript; 'audio': transcribe the synthesised audio")
    ev.add_argument("--model", type=Path, default=None, help="Whisper model folder (audio mode)")
    ev.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="path to score.py")
    ev.add_argument("--synth", type=Path, default=None, help="path to synth.py (default: next to the scorer)")
    ev.add_argument("--cache", type=Path, default=None,
                    help=f"folder for synthesised audio and timing (default: {DEFAULT_CACHE}/mono or /stereo)")
    ev.add_argument("--stereo", action="store_true",
                    help="audio mode: synthesise stereo, worker left and client right, so segments carry speakers")
    ev.add_argument("--transcripts", type=Path, default=None,
                    help="audio mode: folder of <id>.json transcripts, reused when there and written when made")
    ev.add_argument("--templates-dir", type=Path, default=None, help="extra folder of template files")
    ev.set_defaults(handler=eval_handler)

    bench = subparsers.add_parser("draft-bench", help="time drafting a long transcript made of evaluation conversations")
    bench.add_argument("dir", type=Path, nargs="?", default=DEFAULT_SCORER.parent,
                       help="folder of conversations (*.json) whose turns make the transcript")
    bench.add_argument("--minutes", type=float, default=60.0, help="length of the transcript in minutes")
    bench.add_argument("--template", default="intake", help="template id")
    bench.set_defaults(handler=bench_handler)


def draft_handler(args: argparse.Namespace) -> int:
    """Read a transcript, draft, write the draft; 2 on bad input, with the reason on stderr."""
    try:
        template = load_template(args.template, args.templates_dir)
        transcript = Transcript.model_validate_json(Path(args.transcript).read_text(encoding="utf-8"))
    except (TemplateError, OSError, ValidationError) as exc:
        print(f"draft: {exc}", file=sys.stderr)
        return 2
    draft = draft_report(template, transcript)
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(json.loads(draft.model_dump_json()), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)  # never leave a half-written draft
    sentences = sum(len(s.sentences) for s in draft.sections)
    print(f"draft: {sentences} sentences in sections, {len(draft.unassigned)} unassigned, "
          f"{len(draft.excluded)} excluded -> {out}")
    return 0


def eval_handler(args: argparse.Namespace) -> int:
    """Score every conversation in a folder and print the table."""
    if not Path(args.dir).is_dir():
        print(f"eval: not a folder: {args.dir}", file=sys.stderr)
        return 2
    try:
        scorer = load_scorer(Path(args.scorer))
        synth = Path(args.synth) if args.synth else Path(args.scorer).with_name("synth.py")
        cache = Path(args.cache) if args.cache else DEFAULT_CACHE / ("stereo" if args.stereo else "mono")
        rows = evaluate(Path(args.dir), scorer, cache, synth, args.transcripts_from, args.model,
                        args.templates_dir, stereo=args.stereo, transcripts=args.transcripts)
    except (OSError, ImportError, ValueError, KeyError, TemplateError, subprocess.SubprocessError) as exc:
        print(f"eval: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"eval: no conversations (*.json) in {args.dir}", file=sys.stderr)
        return 2
    print(format_table(rows))
    return 0


def bench_handler(args: argparse.Namespace) -> int:
    """Draft a transcript of `--minutes` (turns of the conversations, laid out at speaking pace)
    twice and print the second time: what a running service with warm caches takes."""
    paths = sorted(p for p in Path(args.dir).glob("*.json") if not p.name.endswith(".ref.json"))
    try:
        turns = [t for p in paths for t in json.loads(p.read_text(encoding="utf-8"))["turns"]]
        template = load_template(args.template)
    except (OSError, ValueError, KeyError, TemplateError) as exc:
        print(f"draft-bench: {exc}", file=sys.stderr)
        return 2
    if not turns:
        print(f"draft-bench: no conversations (*.json) in {args.dir}", file=sys.stderr)
        return 2
    segments: list[Segment] = []
    t = 0.0
    while t < args.minutes * 60:
        for turn in turns:
            if t >= args.minutes * 60:
                break
            length = max(1.0, 0.06 * len(turn["text"]))
            segments.append(Segment(id=f"s{len(segments) + 1}", start=t, end=t + length,
                                    speaker=turn["speaker"], text=turn["text"]))
            t += length + 0.6
    transcript = Transcript(segments=tuple(segments))
    draft_report(template, transcript)
    start = time.perf_counter()
    draft = draft_report(template, transcript)
    elapsed = time.perf_counter() - start
    placed = sum(len(s.sentences) for s in draft.sections)
    print(f"draft-bench: {t / 60:.0f}-minute transcript, {len(segments)} segments, {placed} sentences placed: "
          f"{elapsed:.3f} s")
    return 0
