""""Not for the report": the client asks to keep something out, and what that refers to.

The request and what it points back at go to the draft's `excluded` list with the
reason; they never land in a section, so the worker has to put them back on purpose.
Recognition is forgiving, because it must also work on misheard text ("dat meel ik niet
in het ferslag"): words close to "verslag", "dossier", "papier", ... count as those words,
and where the speakers are not known the reach is wider rather than narrower.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from appliance.drafting.speech import clean_utterance, is_acknowledgement
from appliance.transcript import Segment, Transcript

REQUEST_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bniet in (?:het|mijn|m'n|uw|dat|mijn) (?:verslag|dossier|rapport)",
    r"\b(?:niet|nie)\b(?:\s+[\w']+){0,4}?\s+(?:in|op)\s+(?:[\w']+\s+)?(?:verslag|dossier|rapport|papier)\b",
    r"\b(?:niet|nie) op papier\b",
    r"\bop papier\b.*\bniet\b",
    r"\b(?:schrijf|zet|noteer|neem) (?:dat|dit|het) (?:maar |liever |alstublieft )?niet\b",
    r"\bniet (?:op)?(?:schrijven|noteren|opnemen)\b",
    r"\blaat (?:dat|dit|het) (?:maar |liever )?weg\b",
    r"\bhou(?:d)? (?:dat|dit|het) (?:maar |liever )?(?:voor u|voor jou|tussen ons)",
    r"\btussen (?:ons|u en mij)\b",
    r"\boff the record\b",
    r"\b(?:moet|hoeft) (?:dat|dit|daar) (?:niet|nie) in\b",
    r"\bhoeft niet (?:in|op) (?:het|de|mijn)\b",
    r"\b(?:mag|kan) (?:dat|dit) (?:eruit|eraf)\b",
    r"\bliever niet dat (?:u|je|jij) (?:dat|dit) (?:opschrijft|noteert)",
    # The worker's confirmation, which says the same thing from the other side.
    r"\b(?:dat|dit|het) (?:schrijf|noteer|zet) ik (?:dus |zeker |dan )?niet\b",
    r"\b(?:dat|dit|het) laat ik (?:dus |dan )?weg\b",
    r"\b(?:dat|dit|het) komt niet in (?:het|uw|je) (?:verslag|dossier)",
))
ANCHORS = ("verslag", "dossier", "rapport", "papier", "opschrijven", "opschrijft", "noteren", "noteert",
           "schrijf", "noteer")
"""Words a request turns on; a misheard word this close to one of them is read as it."""
ANCHOR_SIMILARITY = 0.8
BACK_REACH_S = 60.0
"""Without speaker labels, how far back a request may point (to the question that opened the topic)."""
FORWARD_REACH_S = 10.0
"""Without speaker labels, how long after a request the same speaker may still be talking about it."""


@lru_cache(maxsize=8192)
def _anchor(word: str) -> str:
    low = word.lower()
    if len(low) < 5 or low in ANCHORS:
        return word
    for anchor in ANCHORS:
        if low.startswith(anchor):
            continue  # a real word built on it ("papieren"), not a mishearing of it
        if SequenceMatcher(None, low, anchor).ratio() >= ANCHOR_SIMILARITY:
            return anchor
    return word


def _normalise(sentence: str) -> str:
    text = re.sub(r"[\w']+", lambda m: _anchor(m.group()), sentence)
    return re.sub(r"(?i)\b(\w+)(?:\s+\1\b)+", r"\1", text)  # "niet niet" as heard twice


_ANY_REQUEST = re.compile(r"\b(?:niet|nie|weg|tussen|record|eruit|eraf)\b", re.IGNORECASE)
"""Every request pattern needs one of these words: a cheap test before the fuzzy one."""


def is_request(sentence: str) -> bool:
    """Whether a client sentence asks to keep something out of the report."""
    if not _ANY_REQUEST.search(sentence):
        return False
    text = _normalise(sentence)
    return any(p.search(text) for p in REQUEST_PATTERNS)


def reason(request: str) -> str:
    """The reason recorded with each excluded item, in the product's language."""
    return f"De cliënt vroeg dit niet in het verslag op te nemen (\u201c{request.strip()}\u201d)."


def _has_content(text: str) -> bool:
    return any(not is_acknowledgement(s) for s in clean_utterance(text).sentences)


def _answer_after_question(text: str) -> bool:
    """A segment holding a question and the start of its answer (speakers not told apart)."""
    return "?" in text and _has_content(text.rsplit("?", 1)[1])


def _back_labelled(segments: list[Segment], index: int) -> list[int]:
    """Back over the rest of the requesting turn (Whisper may have cut it up, and the part
    before may be the request itself, misheard), the worker's reply, and the client's
    previous turn, all of its segments."""
    own: list[int] = []
    j = index - 1
    while j >= 0 and segments[j].speaker != "worker":
        own.append(j)
        j -= 1
    earlier: list[int] = []
    seen_client = False
    for k in range(j, -1, -1):
        seg = segments[k]
        if seg.speaker == "worker" and seen_client:
            break
        earlier.append(k)
        seen_client = seen_client or (seg.speaker != "worker" and _has_content(seg.text))
    return own + (earlier if seen_client else [])


def _back_unlabelled(segments: list[Segment], index: int) -> list[int]:
    """Back to the question that opened the topic: a question alone is not private."""
    reach: list[int] = []
    for j in range(index - 1, -1, -1):
        seg = segments[j]
        if segments[index].start - seg.end > BACK_REACH_S:
            break
        if "?" in seg.text:
            if _answer_after_question(seg.text):
                reach.append(j)
            break
        reach.append(j)
    return reach


def _forward(segments: list[Segment], index: int) -> list[int]:
    """The rest of the requesting turn, which whisper may have cut into several segments."""
    reach: list[int] = []
    labelled = segments[index].speaker == "client"
    for j in range(index + 1, len(segments)):
        seg = segments[j]
        if labelled and seg.speaker != "client":
            break
        if not labelled and ("?" in seg.text or seg.start - segments[j - 1].end > FORWARD_REACH_S
                             or seg.start - segments[index].end > FORWARD_REACH_S):
            break
        reach.append(j)
    return reach


def _confirmed_request(segments: list[Segment], index: int) -> int | None:
    """The client segment a worker's "dat schrijf ik niet op" answers, even if its request was misheard."""
    seg = segments[index]
    if seg.speaker != "worker" or not is_request(seg.text):
        return None
    if not any(is_request(s) for s in clean_utterance(seg.text).sentences):
        return None
    for j in range(index - 1, max(-1, index - 3), -1):
        if segments[j].speaker == "client":
            return j
    return None


def private_segments(transcript: Transcript) -> dict[str, str]:
    """Segment id -> reason, for every request to keep something out and what it refers to."""
    private: dict[str, str] = {}
    segments = list(transcript.segments)
    for index, seg in enumerate(segments):
        asked = _confirmed_request(segments, index)
        if asked is not None:
            # The worker confirms a request: whatever the client's words sounded like, the
            # turn before holds one, and it points back like a request does.
            why = reason(segments[asked].text)
            for j in [asked, *_back_labelled(segments, asked)]:
                private.setdefault(segments[j].id, why)
            continue
        if seg.speaker == "worker" or not is_request(seg.text):
            continue  # the whole text first: cleaning every utterance twice would cost
        sentences = clean_utterance(seg.text).sentences
        requests = [s for s in sentences if is_request(s)]
        if not requests:
            continue
        why = reason(requests[0])
        private[seg.id] = why
        reach = _forward(segments, index)
        before = sentences[: sentences.index(requests[0])]
        if seg.speaker == "unknown":
            reach += _back_unlabelled(segments, index)
        elif all(is_acknowledgement(s) for s in before):
            reach += _back_labelled(segments, index)
        # else: the request refers to what this utterance said first
        for j in reach:
            private.setdefault(segments[j].id, why)
    return private
