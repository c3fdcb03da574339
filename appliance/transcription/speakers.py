"""Speaker labels from a two-microphone recording: worker on the left, client on the right.

The label comes only from which microphone is louder over a segment's span. There are no
voiceprints and nothing is compared across contacts.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from appliance.transcript import Segment, Speaker, Word

# A segment is attributed only when one channel is clearly louder (3 dB in energy).
_MARGIN = 10 ** (3 / 10)
MIN_TURN_WORDS = 3


def speaker_for_span(stereo: np.ndarray, start: int, end: int) -> Speaker:
    """'worker' / 'client' by channel energy over samples [start, end), else 'unknown'."""
    span = stereo[max(0, start):max(0, end)]
    if span.ndim != 2 or span.shape[1] != 2 or len(span) == 0:
        return "unknown"
    energy = (span.astype(np.float64) ** 2).sum(axis=0)
    left, right = float(energy[0]), float(energy[1])
    if left > right * _MARGIN:
        return "worker"
    if right > left * _MARGIN:
        return "client"
    return "unknown"


def label_speakers(
    segments: list[Segment], stereo: np.ndarray, *, offset_s: float = 0.0, sample_rate: int = 16000
) -> list[Segment]:
    """Copies of `segments` with `speaker` set; `stereo` starts at absolute time `offset_s`.

    Whisper sometimes runs two turns into one segment; such a segment is split where the
    louder microphone changes between its words, and the ids are renumbered in order."""

    def speaker_between(a: float, b: float) -> Speaker:
        return speaker_for_span(stereo, round((a - offset_s) * sample_rate), round((b - offset_s) * sample_rate))

    labelled: list[Segment] = []
    for seg in segments:
        runs = _runs_by_speaker(seg, speaker_between) if seg.words else []
        if len(runs) <= 1:
            labelled.append(seg.model_copy(update={"speaker": speaker_between(seg.start, seg.end)}))
            continue
        for speaker, words in runs:
            labelled.append(seg.model_copy(update={
                "speaker": speaker, "words": tuple(words), "start": words[0].start, "end": words[-1].end,
                "text": "".join(w.word for w in words).strip()}))
    return _renumbered(labelled) if len(labelled) != len(segments) else labelled


def _runs_by_speaker(seg: Segment, speaker_between: Callable[[float, float], Speaker]) -> list[tuple[Speaker, list[Word]]]:
    """Consecutive words of one louder microphone; an undecided word stays with the run before it."""
    runs: list[tuple[Speaker, list[Word]]] = []
    for word in seg.words:
        who = speaker_between(word.start, word.end)
        if runs and (who == "unknown" or who == runs[-1][0]):
            runs[-1][1].append(word)
        elif runs and runs[-1][0] == "unknown":
            runs[-1] = (who, [*runs[-1][1], word])
        else:
            runs.append((who, [word]))
    # Two or three words on the other microphone are more likely crosstalk than a turn.
    merged: list[tuple[Speaker, list[Word]]] = []
    for who, words in runs:
        if merged and (len(words) < MIN_TURN_WORDS or who == merged[-1][0]):
            merged[-1][1].extend(words)
        else:
            merged.append((who, list(words)))
    return merged


def _renumbered(segments: list[Segment]) -> list[Segment]:
    match = re.fullmatch(r"(\D*)(\d+)", segments[0].id) if segments else None
    if match is None:
        return segments
    prefix, first = match.group(1), int(match.group(2))
    return [seg.model_copy(update={"id": f"{prefix}{first + i}"}) for i, seg in enumerate(segments)]
