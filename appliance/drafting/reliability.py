"""Segments transcription got wrong in ways one can see without the audio.

Whisper sometimes loops, writing one phrase again and again over speech or silence, and
then its time stamps are wrong too; and a segment can claim more words than its time span
can hold. Such segments are kept out of the draft, with the reason, so that no sentence
cites them as if someone had said them.
"""

from __future__ import annotations

import re

from appliance.transcript import Segment, Transcript

LOOP_LENGTH = 3
"""This many segments in a row with the same words are a recognition loop, the first one included."""
LOOP_WINDOW = 3
"""A segment that repeats one of this many segments before it word for word is a repeat."""
MAX_CHARS_PER_SECOND = 35.0
"""Fast speech is about 20 characters a second; a segment claiming far more has broken timing."""
MIN_CHARS_FOR_RATE = 12
MIN_WORDS_FOR_REPEAT = 4
"""Short answers ("Ja.", "Dat klopt.") are often said twice; only longer repeats count."""
LOOP_REASON = "Spraakherkenning herhaalde dezelfde woorden: waarschijnlijk niet zo gezegd. Beluister het fragment."
REPEAT_REASON = "Letterlijke herhaling van een vorig fragment door de spraakherkenning."
TIMING_REASON = "Meer woorden dan het fragment lang is: de tijdsaanduiding klopt niet. Beluister het fragment."


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def unreliable_segments(transcript: Transcript) -> dict[str, str]:
    """Segment id -> reason, for each segment the draft must not cite."""
    segments = list(transcript.segments)
    keys = [_key(s.text) for s in segments]
    found: dict[str, str] = {}
    start = 0
    while start < len(segments):
        end = start
        while end + 1 < len(segments) and keys[end + 1] == keys[start]:
            end += 1
        if keys[start] and end - start + 1 >= LOOP_LENGTH:
            for seg in segments[start:end + 1]:
                found[seg.id] = LOOP_REASON
        start = end + 1
    for index, seg in enumerate(segments):
        if seg.id in found:
            continue
        if len(keys[index].split()) >= MIN_WORDS_FOR_REPEAT and keys[index] in keys[max(0, index - LOOP_WINDOW):index]:
            found[seg.id] = REPEAT_REASON
        elif _too_fast(seg):
            found[seg.id] = TIMING_REASON
    return found


def _too_fast(seg: Segment) -> bool:
    chars = len(re.sub(r"\W", "", seg.text))
    return chars >= MIN_CHARS_FOR_RATE and chars / max(seg.end - seg.start, 1e-3) > MAX_CHARS_PER_SECOND
