"""How sure transcription was of what a sentence cites: a low score means "listen again"."""

from __future__ import annotations

import math
import re

from appliance.drafting.numbers import cardinal
from appliance.transcript import Segment

LOW_LOGPROB = -1.0
"""A segment whose average token log-probability is below this is unreliable."""
LOW_WORD_PROBABILITY = 0.5
"""A number word recognised with less than this probability is not a confident number."""


def segment_confidence(segment: Segment) -> tuple[float, bool]:
    """(confidence 0..1, whether it is low) for one segment; 1.0 when no scores are known."""
    confidence = 1.0
    low = False
    if segment.avg_logprob is not None:
        confidence = min(1.0, math.exp(segment.avg_logprob))
        low = segment.avg_logprob < LOW_LOGPROB
    for word in segment.words:
        token = re.sub(r"[^\w]", "", word.word.lower())
        if token and (token.isdigit() or cardinal(token) is not None) and word.probability < LOW_WORD_PROBABILITY:
            confidence = min(confidence, word.probability)
            low = True
    return round(confidence, 3), low
