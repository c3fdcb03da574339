"""How sure transcription was of what a sentence cites: a low score means "listen again".

A number is the one thing a misheard word turns into a wrong claim ("860" for "890").
So a number recognised without confidence is not written at all: it becomes a visible
gap (`UNSURE_NUMBER`) that the worker fills in after listening to the cited audio.
"""

from __future__ import annotations

import math
import re

from appliance.drafting.numbers import cardinal, ordinal
from appliance.transcript import Segment

LOW_LOGPROB = -1.0
"""A segment whose average token log-probability is below this is unreliable."""
LOW_WORD_PROBABILITY = 0.5
"""A number word recognised with less than this probability is not a confident number."""
NUMBER_WORD_PROBABILITY = 0.9
"""A number word below this probability is left out of the draft (a gap to fill in)."""
NUMBER_SEGMENT_LOGPROB = -0.5
"""In a segment recognised worse than this, no number is trusted, however sure the word."""
UNSURE_NUMBER = "[…]"
"""What stands in a sentence where a number was not heard with confidence."""
_ARTICLES = {"een", "één"}


def _token(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def is_number_token(token: str) -> bool:
    """Digits ("750", "2.670", "21ste") or a Dutch number word ("zevenhonderd", "derde")."""
    return bool(token) and (any(c.isdigit() for c in token) or cardinal(token) is not None
                            or ordinal(token) is not None)


def segment_confidence(segment: Segment) -> tuple[float, bool]:
    """(confidence 0..1, whether it is low) for one segment; 1.0 when no scores are known."""
    confidence = 1.0
    low = False
    if segment.avg_logprob is not None:
        confidence = min(1.0, math.exp(segment.avg_logprob))
        low = segment.avg_logprob < LOW_LOGPROB
    for word in segment.words:
        token = _token(word.word)
        if token not in _ARTICLES and is_number_token(token) and word.probability < LOW_WORD_PROBABILITY:
            confidence = min(confidence, word.probability)
            low = True
    return round(confidence, 3), low


def _unsure(segment: Segment, probability: float) -> bool:
    if segment.avg_logprob is not None and segment.avg_logprob < NUMBER_SEGMENT_LOGPROB:
        return True
    return probability < NUMBER_WORD_PROBABILITY


def _number_runs(segment: Segment) -> list[tuple[int, int, bool]]:
    """(start, end, unsure) in the text for each run of number words ("twee honderd", "2.670")."""
    text, cursor = segment.text, 0
    runs: list[tuple[int, int, bool]] = []
    scored: list[tuple[int, int]] = []
    joinable = False
    for word in segment.words:
        spoken = word.word.strip()
        at = text.find(spoken, cursor) if spoken else -1
        if at < 0:
            continue
        cursor = at + len(spoken)
        scored.append((at, cursor))
        token = _token(spoken)
        if token in _ARTICLES or not is_number_token(token):
            joinable = False
            continue
        core = re.search(r"[\w.,]*\w", spoken)
        start, end = (at + core.start(), at + core.end()) if core else (at, cursor)
        unsure = _unsure(segment, word.probability)
        if joinable and runs and not text[runs[-1][1]:start].strip(" -"):
            # One number said in several words is as unsure as its least sure word.
            runs[-1] = (runs[-1][0], end, runs[-1][2] or unsure)
        else:
            runs.append((start, end, unsure))
        joinable = True
    if segment.words:
        # A number in the text that no scored word covers has no score: it is not trusted.
        for match in re.finditer(r"\w[\w.,]*\w|\w", text):
            token = _token(match.group())
            if token not in _ARTICLES and is_number_token(token) \
                    and not any(a <= match.start() and match.end() <= b for a, b in scored):
                runs.append((match.start(), match.end(), True))
        runs.sort()
    return runs


def mask_unsure_numbers(segment: Segment) -> Segment:
    """The segment with every number not heard confidently replaced by `UNSURE_NUMBER`.

    Only segments with word scores are touched: a typed or reference transcript has none.
    """
    runs = [(start, end) for start, end, unsure in _number_runs(segment) if unsure]
    if not runs:
        return segment
    text, pieces, cursor = segment.text, [], 0
    for start, end in runs:
        pieces += [text[cursor:start], UNSURE_NUMBER]
        cursor = end
    pieces.append(text[cursor:])
    return segment.model_copy(update={"text": "".join(pieces)})
