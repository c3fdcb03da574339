"""The drafting engine: a transcript in, a draft out, every sentence citing its segments.

Deterministic and explainable: no language model and no free generation. Each draft
sentence is the cleaned, third-person text of what was said (a yes/no answer is made a
statement with the question's own words), placed by cue words and the worker's topic,
and checked by the verifier before it counts as a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from appliance.draft import Citation, Draft, ExcludedItem, Section, Sentence
from appliance.drafting import privacy, reliability
from appliance.drafting.confidence import UNSURE_NUMBER, mask_unsure_numbers, segment_confidence
from appliance.drafting.corrections import corrections_across, is_superseded
from appliance.drafting.person import Persons, Role, guess_gender, to_third_person
from appliance.drafting.questions import statement_from_question
from appliance.drafting.sections import SectionCues, worker_topic
from appliance.drafting.speech import clean_utterance, is_acknowledgement
from appliance.drafting.templates import Template
from appliance.drafting.verifier import verify_sentence
from appliance.transcript import Segment, Transcript

ENGINE = "spreekkamer-regels 1.1"
RECORDING_CUES = re.compile(r"\b(neem (het|dit|ons) gesprek (weer )?op|gesprek (graag )?opnemen|opname)\b", re.IGNORECASE)
ANAPHORA = ("dat ", "die ", "dit ", "daar", "daarom", "daarvoor", "daarna")
_LEADING_WORDS = re.compile(r"^(?:(?:en|dan|dus|oké|goed|ja|nee|allee|en dan)[ ,]+)+", re.IGNORECASE)


@dataclass
class _Unit:
    text: str
    segments: list[Segment]
    role: str
    section: str | None
    flags: list[str] = field(default_factory=list)


@dataclass
class _State:
    template: Template
    transcript: Transcript
    persons: Persons
    cues: SectionCues
    topic: str | None = None
    question: tuple[str, Segment] | None = None
    recording_question: bool = False
    units: list[_Unit] = field(default_factory=list)
    excluded: list[ExcludedItem] = field(default_factory=list)


def _cite(segments: list[Segment]) -> tuple[Citation, ...]:
    seen: dict[str, Citation] = {}
    for seg in segments:
        seen.setdefault(seg.id, Citation(segment=seg.id, start=seg.start, end=max(seg.end, seg.start + 0.01)))
    return tuple(sorted(seen.values(), key=lambda c: c.start))


def _exclude(state: _State, text: str, reason: str, segments: list[Segment]) -> None:
    state.excluded.append(ExcludedItem(text=text, reason=reason, citations=_cite(segments)))


def _role(seg: Segment, sentences: list[str]) -> str:
    if seg.speaker != "unknown":
        return seg.speaker
    # Without diarisation a question is most likely the worker's.
    return "worker_unknown" if sentences and sentences[-1].endswith("?") else "unknown"


def _shift(text: str, role: str, persons: Persons) -> str:
    if role in ("worker", "client"):
        shifted_role: Role = "worker" if role == "worker" else "client"
        return to_third_person(text, shifted_role, persons)
    return text


def _worker_turn(state: _State, seg: Segment, sentences: list[str], role: str) -> None:
    if RECORDING_CUES.search(seg.text):
        _exclude(state, seg.text, "Vraag om het gesprek op te nemen: de toestemming wordt apart geregistreerd.", [seg])
        state.recording_question, state.question = True, None
        return
    state.recording_question = False
    state.topic = worker_topic(state.cues, sentences, state.topic)
    last = sentences[-1] if sentences else ""
    state.question = None
    if last.endswith("?"):
        state.question = (_shift(_LEADING_WORDS.sub("", last), role, state.persons), seg)
    for sentence in sentences:
        if sentence.endswith("?") or is_acknowledgement(sentence):
            continue
        if privacy.is_request(sentence):
            _exclude(state, sentence, "Bevestiging dat iets buiten het verslag blijft.", [seg])
            continue
        text = _shift(sentence, role, state.persons)
        section = state.cues.best(sentence, state.topic, 0.5) if state.cues.score(sentence) else None
        if section is None and not re.search(r"\d", text):
            _exclude(state, text, "Gespreksverloop zonder inhoud voor een rubriek van het sjabloon.", [seg])
            continue
        state.units.append(_Unit(text, [seg], "worker", section))


def _groups(sentences: list[str]) -> list[list[str]]:
    """Sentences that lean on the one before ("Dat moet ik opnieuw doen.") stay with it."""
    groups: list[list[str]] = []
    for sentence in sentences:
        if groups and sentence.lower().startswith(ANAPHORA):
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return groups


def _client_turn(state: _State, seg: Segment, sentences: list[str], role: str) -> None:
    if state.recording_question:
        _exclude(state, seg.text, "Antwoord op de vraag om op te nemen: de toestemming wordt apart geregistreerd.", [seg])
        state.recording_question = False
        return
    question, state.question = state.question, None
    for index, group in enumerate(_groups(sentences)):
        spoken = " ".join(group)
        text = " ".join(_shift(s, role, state.persons) for s in group)
        segments = [seg]
        if index == 0 and question is not None:
            statement = statement_from_question(question[0], text)
            text = statement if statement is not None else f"{question[0]} {text}"
            segments = [question[1], seg]
        elif all(is_acknowledgement(s) for s in group):
            continue
        flags = [] if role in ("client", "worker") else ["speaker_unknown"]
        state.units.append(_Unit(text, segments, "client", state.cues.best(spoken, state.topic), flags))


def _merge(units: list[_Unit]) -> list[_Unit]:
    """Consecutive units of one speaker's turn that land in the same section become one sentence."""
    merged: list[_Unit] = []
    for unit in units:
        last = merged[-1] if merged else None
        if last is not None and last.section == unit.section and last.role == unit.role \
                and last.segments[-1].id == unit.segments[0].id:
            last.text = f"{last.text.rstrip()} {unit.text}"
            last.segments += [s for s in unit.segments if s not in last.segments]
            last.flags += [f for f in unit.flags if f not in last.flags]
        else:
            merged.append(_Unit(unit.text, list(unit.segments), unit.role, unit.section, list(unit.flags)))
    return merged


def _sentence(unit: _Unit, number: int) -> Sentence:
    text = unit.text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    confidence, flags = 1.0, list(unit.flags)
    for seg in unit.segments:
        value, low = segment_confidence(seg)
        confidence = min(confidence, value)
        if low and "low_confidence" not in flags:
            flags.append("low_confidence")
    if UNSURE_NUMBER in text:
        flags += [f for f in ("unsure_number", "low_confidence") if f not in flags]
    return Sentence(id=f"d{number}", text=text, citations=_cite(unit.segments), flags=tuple(flags),
                    confidence=confidence)


def draft_report(template: Template, transcript: Transcript) -> Draft:
    """Draft a report in `template` from `transcript` (a pure function)."""
    # Drafting and verifying both read the transcript with unsure numbers left out, so
    # no sentence can state a number that recognition was not sure of.
    transcript = transcript.model_copy(update={"segments": tuple(mask_unsure_numbers(s) for s in transcript.segments)})
    workers = [s.text for s in transcript.segments if s.speaker == "worker"]
    state = _State(template, transcript, Persons(guess_gender(workers)), SectionCues(template))
    kept_out = reliability.unreliable_segments(transcript) | privacy.private_segments(transcript)
    across = corrections_across(list(transcript.segments))
    for seg in transcript.segments:
        if seg.id in kept_out:
            _exclude(state, seg.text, kept_out[seg.id], [seg])
            state.question = None
            continue
        clean = clean_utterance(seg.text)
        for correction in across.get(seg.id, ()):
            clean.superseded += [s for s in clean.sentences if is_superseded(s, correction)]
            clean.sentences = [s for s in clean.sentences if not is_superseded(s, correction)]
        for old in clean.superseded:
            _exclude(state, old, "Door de spreker zelf verbeterd; de verbeterde waarde staat in het verslag.", [seg])
        role = _role(seg, clean.sentences)
        if role in ("worker", "worker_unknown"):
            _worker_turn(state, seg, clean.sentences, "worker" if role == "worker" else "unknown")
        else:
            _client_turn(state, seg, clean.sentences, role)
    by_section: dict[str, list[Sentence]] = {s.id: [] for s in template.sections}
    unassigned: list[Sentence] = []
    for number, unit in enumerate(_merge(state.units), 1):
        sentence = _sentence(unit, number)
        violations = verify_sentence(sentence, transcript)
        if violations:
            raw = " ".join(seg.text for seg in unit.segments)
            kinds = sorted({v.kind for v in violations})
            flags = ("unverified", *(f"violation:{k}" for k in kinds), *sentence.flags)
            unassigned.append(sentence.model_copy(update={"text": raw, "flags": flags}))
        elif unit.section is None:
            unassigned.append(sentence)
        else:
            by_section[unit.section].append(sentence)
    sections = tuple(Section(id=s.id, title=s.title("nl"), required=s.required, sentences=tuple(by_section[s.id]))
                     for s in template.sections)
    return Draft(template=template.ref, sections=sections, unassigned=tuple(unassigned),
                 excluded=tuple(state.excluded), engine=ENGINE)
