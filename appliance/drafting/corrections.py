"""Self-corrections that speech recognition cut in two: "Op vier mei." | "Nee, wacht, elf mei."

Within one segment `speech.resolve_corrections` keeps only the corrected value. Whisper,
though, often starts a new segment at the pause before "nee, wacht", and then the value
taken back would stand in the draft as if it were true. This finds such corrections
across segments of one turn, so the engine can treat the retracted value as superseded
in the segment that said it and in the rest of the turn that repeats it.
"""

from __future__ import annotations

import re

from appliance.drafting.numbers import MONTHS, numbers_in
from appliance.drafting.speech import WEEKDAYS, Correction, clean_utterance
from appliance.transcript import Segment

MAX_GAP_S = 2.5
"""A correction this long after the value still belongs to the same breath of speech."""
TURN_REACH_S = 20.0
"""Without speaker labels, how long after a correction a repeat of the old value is read as its echo."""
_STARTS_WITH_MARKER = re.compile(r"^\W*(?:(?:nee|neen|sorry|pardon|ik bedoel|of nee)\b|(?:\w{1,4}[,.!]?\s+)?wacht[,.!])",
                                 re.IGNORECASE)


def _same_turn(a: Segment, b: Segment) -> bool:
    same_speaker = a.speaker == b.speaker or "unknown" in (a.speaker, b.speaker)
    return same_speaker and b.start - a.end <= MAX_GAP_S


def _says_a_value(text: str) -> bool:
    """A number, weekday or month: the only values a correction is resolved for."""
    return bool(numbers_in(text)) or any(w in WEEKDAYS or w in MONTHS for w in re.findall(r"\w+", text.lower()))


def corrections_across(segments: list[Segment]) -> dict[str, list[Correction]]:
    """Segment id -> corrections, made at the start of a later segment, of a value it says."""
    found: dict[str, list[Correction]] = {}
    for index in range(1, len(segments)):
        before, after = segments[index - 1], segments[index]
        if not _same_turn(before, after) or not _STARTS_WITH_MARKER.match(after.text) \
                or not _says_a_value(before.text):
            continue
        own = {(c.retracted, c.replacement) for c in clean_utterance(before.text).corrections}
        own |= {(c.retracted, c.replacement) for c in clean_utterance(after.text).corrections}
        joined = clean_utterance(f"{before.text} {after.text}").corrections
        new = [c for c in joined if (c.retracted, c.replacement) not in own]
        if not new:
            continue
        found.setdefault(before.id, []).extend(new)
        for later in segments[index + 1:]:
            labelled = after.speaker != "unknown"
            if (labelled and later.speaker != after.speaker) or later.start - after.end > TURN_REACH_S:
                break
            found.setdefault(later.id, []).extend(new)
    return found


def is_superseded(sentence: str, correction: Correction) -> bool:
    """Whether a sentence states the value the speaker took back ("Op 4 mei.", "4 mei was ...")."""
    value = re.escape(correction.retracted)
    if correction.unit is not None:
        return re.search(rf"(?i)\b{value}\s+{re.escape(correction.unit)}\b", sentence) is not None
    return re.search(rf"(?i)\b{value}\b", sentence) is not None
