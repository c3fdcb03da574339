"""Speaker labels from a two-microphone recording: worker on the left, client on the right.

The label comes only from which microphone is louder over a segment's span. There are no
voiceprints and nothing is compared across contacts.
"""

from __future__ import annotations

import numpy as np

from appliance.transcript import Segment, Speaker

# A segment is attributed only when one channel is clearly louder (3 dB in energy).
_MARGIN = 10 ** (3 / 10)


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
    """Copies of `segments` with `speaker` set; `stereo` starts at absolute time `offset_s`."""
    labelled = []
    for seg in segments:
        start = round((seg.start - offset_s) * sample_rate)
        end = round((seg.end - offset_s) * sample_rate)
        labelled.append(seg.model_copy(update={"speaker": speaker_for_span(stereo, start, end)}))
    return labelled
