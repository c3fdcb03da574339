"""The drafting engine: a transcript in, a draft in report voice out, every sentence citing
its segments.

Deterministic and explainable: no language model and no free generation. What was said is
cleaned (fillers, self-corrections, colloquial words), put in the third person for the
right person, a question and its short answer are made one statement, typed facts
(appointments, documents, what is not decided, amounts) are read and the first three
written by fixed sentence forms. Every sentence passes the verifier before it is placed;
asides, echoes and conditions go to `excluded` with the reason, so nothing is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from appliance.draft import Draft, ExcludedItem, Fact
from appliance.drafting import facts, privacy, reliability
from appliance.drafting.answers import ANAPHORIC_QUESTION, client_statements, echoes, subject_first
from appliance.drafting.assembly import assemble, cite, merge
from appliance.drafting.confidence import mask_unsure_numbers
from appliance.drafting.corrections import corrections_across, is_superseded
from appliance.drafting.forms import LANGUAGES, render
from appliance.drafting.numbers import to_digits
from appliance.drafting.people import Companion, People, find_people
from appliance.drafting.person import Persons, Role, to_third_person
from appliance.drafting.questions import indirect_question
from appliance.drafting.register import (
    drop_interjections,
    is_small_talk,
    report_words,
)
from appliance.drafting.revisions import drop_repeats, drop_revised_amounts
from appliance.drafting.sections import SectionCues, is_follow_up, worker_topic
from appliance.drafting.speech import clean_utterance, is_acknowledgement
from appliance.drafting.templates import Template
from appliance.drafting.units import Unit
from appliance.transcript import Segment, Transcript

RECORDING_CUES = re.compile(r"\b(neem (het|dit|ons|'t) gesprek (weer )?op|gesprek (graag )?opnemen|opname)\b", re.IGNORECASE)
_LEADING_WORDS = re.compile(r"^(?:(?:en|dan|dus|oké|goed|ja|nee|allee|en dan)[ ,]+)+", re.IGNORECASE)
KIND_SECTIONS = {"appointment": ("afspraken", "nieuwe_afspraken"),
                 "document": ("documenten", "afspraken"), "not_decided": (),
                 "housing_cost": ("huisvesting",), "income": ("inkomen",), "debt": ("uitgaven_schulden",),
                 "agreement": ("nieuwe_afspraken", "afspraken"), "household_member": ("gezinssituatie", "stand_van_zaken")}
FLOW = re.compile(r"(?i)\b(legt uit hoe|hoe het verder gaat|leg(t)? (nu )?uit wat|wat nu gebeurt|eerst de basis"
                  r"|vertel eens|even terugkomen op|(trager|langzamer|langzaam|traag|duidelijk|luider) (spreken|praten)|vandaag (bekijken|overlopen|evalueren|maken)|zitten hier voor)\b"
                  r"|^(?:(?:maar|en|dus) )?(dat (hangt|betekent|bespreken|bekijken|komt|gebeurt|is een|is fijn|is goed|is knap|begrijp)"
                  r"|het kan ook|als het een|dan ondertekenen|dan de |dan het |dan plannen|dan spreken)")
ANSWER_TOPIC_WEIGHT = 1.5
"""How much the worker's question counts for the direct answer's section."""
FOLLOW_TOPIC_WEIGHT = 1.0
"""And for what the client says after the direct answer."""
FOLLOW_UP_WEIGHT = 1.0
"""What the topic counts more after an elliptic follow-up question ('En de elektriciteit?')."""
WORKER_TOPIC_WEIGHT = 0.5
"""And for the worker's own statements."""
ECHO = "Herhaling van wat al gezegd is; de zin die het zegt, citeert dit fragment niet."


@dataclass
class _State:
    template: Template
    people: People
    persons: Persons
    cues: SectionCues
    on: date
    segments: dict[str, Segment] = field(default_factory=dict)
    topic: str | None = None
    question: tuple[str, Segment] | None = None
    addressee: Companion | None = None
    recording_question: bool = False
    last_client: str = ""
    client_question: str = ""
    client_question_segment: Segment | None = None
    worker_turn: str = ""
    worker_segment: Segment | None = None
    follow_up: bool = False
    last_worker_facts: list[Unit] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    excluded: list[ExcludedItem] = field(default_factory=list)


def _exclude(state: _State, text: str, reason: str, segments: list[Segment]) -> None:
    state.excluded.append(ExcludedItem(text=text, reason=reason, citations=cite(segments)))


def _role(seg: Segment, sentences: list[str]) -> str:
    if seg.speaker != "unknown":
        return seg.speaker
    # Without diarisation a question is most likely the worker's.
    return "worker_unknown" if sentences and sentences[-1].endswith("?") else "unknown"


def _voice(text: str, role: str, persons: Persons) -> str:
    """Report words, third person, no interjections."""
    text = report_words(text)
    if role == "worker" and persons.you is None:
        # The worker speaking of the client as "mevrouw" or "meneer".
        text = re.sub(r"(?<!^)\b(mevrouw|meneer)\b(?! [A-Z])", persons.client, text)
    if role in ("worker", "client", "client_unknown"):
        shifted: Role = "worker" if role == "worker" else "client"
        text = to_third_person(text, shifted, persons)
    return drop_interjections(text)


def _section(state: _State, kind: str | None, spoken: str, topic_weight: float | None = None,
             cued_only: bool = True) -> str | None:
    ids = {s.id for s in state.template.sections}
    for candidate in KIND_SECTIONS.get(kind or "", ()):
        if candidate in ids:
            return candidate
    if cued_only and not state.cues.score(spoken) and kind is None:
        return None
    return state.cues.best(spoken, state.topic, WORKER_TOPIC_WEIGHT if topic_weight is None else topic_weight)


def _fact_unit(state: _State, fact: Fact, spoken: str, segments: list[Segment]) -> Unit:
    text = render(fact, "nl", state.persons.client)
    return Unit(text, list(segments), "worker", _section(state, fact.kind, spoken), fact=fact, form=True)


def _worker_turn(state: _State, seg: Segment, sentences: list[str], role: str) -> None:
    if RECORDING_CUES.search(seg.text):
        _exclude(state, seg.text, "Vraag om het gesprek op te nemen: de toestemming wordt apart geregistreerd.", [seg])
        state.recording_question, state.question = True, None
        return
    state.recording_question = False
    state.worker_segment = seg
    state.topic = worker_topic(state.cues, sentences, state.topic)
    state.addressee = state.people.addressed(sentences[0]) if sentences else None
    persons = state.persons
    if state.addressee is not None:
        label = state.addressee.label(persons.client)
        persons = replace(persons, you=label, you_gender=state.addressee.gender)
    last = sentences[-1] if sentences else ""
    state.follow_up = len(sentences) > 1 and is_follow_up(last)
    state.question = (_voice(_LEADING_WORDS.sub("", last), role, persons), seg) if last.endswith("?") else None
    texts = [_voice(s, role, persons) for s in sentences]
    state.worker_turn = " ".join(texts)
    state.last_worker_facts = []
    taken: set[int] = set()
    heading: str | None = None
    for index, (sentence, text) in enumerate(zip(sentences, texts, strict=True)):
        if index in taken or sentence.endswith("?") or is_acknowledgement(sentence):
            continue
        if heading is None and _is_heading(sentence, state.cues):
            heading = state.cues.best(sentence, state.topic, WORKER_TOPIC_WEIGHT)
        if privacy.is_request(sentence):
            _exclude(state, sentence, "Bevestiging dat iets buiten het verslag blijft.", [seg])
            continue
        undecided = facts.not_decided(texts, index)
        typed = facts.appointment(text, state.on) or facts.document(text, state.client_question)
        if undecided is None and typed is None:
            if is_small_talk(sentence) or is_small_talk(text):
                _exclude(state, text, "Begroeting, dank of afscheid.", [seg])
                continue
            if FLOW.search(text) or FLOW.search(sentence):
                _exclude(state, text, "Uitleg over het verloop van het gesprek.", [seg])
                continue
        if undecided is not None:
            taken |= set(undecided[1])
            state.units = [u for u in state.units if not (u.segments == [seg] and u.text == texts[undecided[1][0]])]
            unit = _fact_unit(state, undecided[0], " ".join(sentences[i] for i in undecided[1]), [seg])
        elif typed is not None:
            unit = _fact_unit(state, typed, sentence, [seg])
        elif _repeats_an_appointment(state, text):
            _exclude(state, text, "Herhaalt een afspraak die al in het verslag staat.", [seg])
            continue
        elif state.last_client and (echoes(text, state.last_client)
                                    or (re.search(r"(?i)\bdus\b", sentence) and echoes(text, state.last_client, 0.4))):
            _exclude(state, text, ECHO, [seg])
            continue
        else:
            fact = facts.amount(text) or facts.agreement(sentence, text, persons.client)
            cited: list[Segment] = [seg]
            kind = fact.kind if fact else None
            section = _section(state, kind, sentence)
            if kind == "agreement" and fact is not None and fact.fields["who"] != persons.client:
                # What the worker will do is an agreement (or, in an evaluation, a proposal).
                section = _worker_agreement_section(state, sentence)
                answered = _answers_the_clients_question(state, text, sentence)
                if answered is not None and state.client_question_segment is not None:
                    text, cited = answered, [state.client_question_segment, seg]
            if heading is not None and kind is None and max(state.cues.score(sentence).values(), default=0) < 3:
                section = heading
            if section is None and not re.search(r"\d", text):
                _exclude(state, text, "Gespreksverloop zonder inhoud voor een rubriek van het sjabloon.", [seg])
                continue
            if fact is None and heading is None and STRICT_WORKER and not _worker_states(sentence, state.cues):
                _exclude(state, text, "Toelichting van de maatschappelijk werker zonder eigen gegeven.", [seg])
                continue
            section = section or state.topic
            if facts.recalls_agreement(sentence) and "afspraken_nagekomen" in state.cues.section_ids:
                section = "afspraken_nagekomen"  # an agreement of the last contact, and how it went
            unit = Unit(text, cited, "worker", section, fact=fact)
        state.units.append(unit)
        if unit.form:
            state.last_worker_facts.append(unit)

    state.last_client, state.client_question = "", ""


STRICT_WORKER = True
_FINDS_OUT = re.compile(r"(?i)\b(?:zoek|kijk|vraag|bekijk)\w* (?:het|dat)\b.*\b(?:uit|na)\b|\blaat (?:het|dat)\b.*\bweten\b")


def _answers_the_clients_question(state: _State, text: str, sentence: str) -> str | None:
    """'Mag ik als vrijwilliger blijven helpen?' - 'Ik zoek het voor u uit.': the worker's promise is
    about the client's question, so the agreement says what will be found out."""
    if not state.client_question or state.client_question_segment is None or not _FINDS_OUT.search(sentence):
        return None
    asked = indirect_question(state.client_question.split("?")[0] + "?")
    if asked is None:
        return None
    client = state.persons.client
    pronoun = {"zijn": "hij", "haar": "zij"}.get(state.persons.possessive)
    if pronoun and asked.split()[1:2] == [client]:
        asked = asked.replace(f" {client} ", f" {pronoun} ", 1)  # "Cliënt vraagt of hij ..."
    return f"{client[0].upper()}{client[1:]} vraagt {asked}; {text[0].lower()}{text[1:]}"


def _worker_agreement_section(state: _State, sentence: str) -> str | None:
    """The agreements section for the worker's own to-do. Where the template has a proposal
    section, what the worker will do is a proposal, placed by its words, unless it is a check to report back on."""
    if "voorstel_verder_traject" in state.cues.section_ids and not facts.is_worker_todo(sentence):
        return _section(state, None, sentence)
    return _section(state, "agreement", sentence)


def _worker_states(sentence: str, cues: SectionCues) -> bool:
    """Whether a worker's statement carries a fact of its own: a number, a date, a name, or
    more than one cue word; a bare remark ('De VDAB heeft daar opleidingen voor.') does not."""
    words = sentence.split()
    return bool(re.search(r"\d|\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                          r"december)\b", sentence, re.IGNORECASE)) \
        or any(w[:1].isupper() and w.lower() not in ("ik", "u") for w in words[1:]) \
        or sum(cues.score(sentence).values()) >= 3


FAMILY_SECTIONS = ("gezinssituatie", "stand_van_zaken")
KEEPS_RELATIVES = ("sociaal_netwerk", "inkomen", "gezondheid")
"""Sections where what is said about a relative belongs (who helps, their income, their health)."""
_RELATIVE = r"(moeder|vader|man|vrouw|partner|vriendin|vriend|zoon|dochter|broer|zus|kinderen|ouders|stiefvader)"
_RELATIVE_START = re.compile(rf"(?i)^(?:(?:zijn|haar|diens|hun) {_RELATIVE}\b|de {_RELATIVE} van cliënte?\b)")


def _about_a_relative(text: str, question: str) -> bool:
    """'Zijn vrouw volgt de les.', or 'Ze werkt in de schoonmaak.' after a question about the mother."""
    if _RELATIVE_START.match(text):
        return True
    return re.match(r"(?i)^(ze|zij|hij)\b", text) is not None and re.search(rf"(?i)\b{_RELATIVE}\b", question) is not None


def _repeats_an_appointment(state: _State, text: str) -> bool:
    """'Dan zie ik je op woensdag 18 maart.' after the appointment was made."""
    said = facts.said_date(text, state.on)
    if _FINDS_OUT.search(text):
        return False  # "Ik laat het u weten op 7 april.": something to be done by that date, not the meeting
    return said is not None and any(u.fact is not None and u.fact.kind == "appointment"
                                    and u.fact.fields.get("date") == said for u in state.units)


def _is_heading(sentence: str, cues: SectionCues) -> bool:
    """'Dan vat ik de nieuwe afspraken samen.', 'Nieuwe afspraken:': the section of what follows."""
    scores = cues.score(sentence)
    return bool(scores) and (sentence.rstrip().endswith(":") or len(sentence.split()) <= 8) and max(scores.values()) >= 2


def _absorbed(state: _State, seg: Segment, spoken: str) -> bool:
    """A client's read-back of an appointment or a list of documents: it cites, it adds nothing."""
    for unit in state.last_worker_facts:
        source = to_digits(" ".join(s.text for s in unit.segments)) + " " + unit.text
        if echoes(spoken, source, 0.5) or (unit.fact is not None and unit.fact.kind == "appointment"
                                           and re.search(r"\d+ \w+", spoken) and echoes(spoken, source, 0.3)):
            if seg not in unit.segments:
                unit.segments.append(seg)
            return True
    return False


_CALLS_IT_AN_AGREEMENT = re.compile(r"(?i)\b(?:dat|dit|het) was (?:ook )?(?:een|de \w+|onze) afspraak\b")


def _client_turn(state: _State, seg: Segment, sentences: list[str], role: str) -> None:
    if state.recording_question:
        _exclude(state, seg.text, "Antwoord op de vraag om op te nemen: de toestemming wordt apart geregistreerd.", [seg])
        state.recording_question = False
        return
    question, state.question = state.question, None
    proposed = facts.appointment(question[0], state.on, state.worker_turn) if question else None
    if question is not None and proposed is not None:
        # "Past donderdag 19 maart, om 10 uur?" - "Ja, dat gaat.": the client agrees to the appointment.
        unit = _fact_unit(state, proposed, question[0], [question[1], seg])
        state.units.append(unit)
        state.last_worker_facts = [unit]
        question = None
    persons, extra = state.persons, []
    if state.addressee is not None:
        persons = replace(persons, me=state.addressee.label(persons.client), me_gender=state.addressee.gender)
        intro = state.segments.get(state.addressee.introduced_in)
        extra = [intro] if intro is not None else []
    shifted = [_voice(s, role, persons) for s in sentences]
    statements = client_statements(sentences, shifted, question[0] if question else None, state.cues,
                                   state.people.interpreter is not None, persons.client)
    flags = [] if role in ("client", "worker") else ["speaker_unknown"]
    state.client_question = " ".join(s.text for s in statements if s.text.endswith("?"))
    state.client_question_segment = seg if state.client_question else None
    worker_length, recalled, first_unit = 0, False, len(state.units)
    for position, statement in enumerate(statements):
        if statement.left_out is not None:
            _exclude(state, statement.text, statement.left_out, [seg])
            continue
        if not statement.uses_question and _absorbed(state, seg, statement.spoken):
            continue
        segments = [question[1], seg] if statement.uses_question and question else [seg]
        context = question[0] if question else ""
        before = state.units[-1] if state.units else None
        leans_back = (question is not None and ANAPHORIC_QUESTION.match(question[0]) is not None) \
            or (before is not None and facts.recalls_agreement(before.text) and (position == 0 or recalled))
        if leans_back and before is not None and before.role == "worker" and not before.form \
                and before.segments[0] == state.worker_segment \
                and (position == 0 or recalled or (position == 1 and len(before.text) - worker_length < 20)):
            # "De eerste afspraak was de infosessie. Is dat gelukt?" - "Ja, ik ben geweest.": one statement;
            # so is "De derde afspraak was dat u de rekening zou meebrengen." - "Die ben ik vergeten."
            worker_length = len(before.text) if position == 0 else worker_length
            recalled = facts.recalls_agreement(before.text)  # the rest of the answer tells how it went
            before.text = f"{before.text.rstrip('.')}. {subject_first(statement.text)}"
            if seg not in before.segments:
                before.segments.append(seg)
            continue
        fact = facts.amount(statement.text, context)
        spoken = f"{statement.spoken} {context if statement.uses_question else ''}"
        # The worker's topic counts most for the direct answer, less for what follows it.
        weight = ANSWER_TOPIC_WEIGHT if position == 0 else FOLLOW_TOPIC_WEIGHT
        if question is not None and state.follow_up:
            weight += FOLLOW_UP_WEIGHT  # "En de elektriciteit?": the thing it names is part of the topic
        section = _section(state, fact.kind if fact else None, spoken, weight, False)
        family = next((f for f in FAMILY_SECTIONS if f in state.cues.section_ids), None)
        if fact is None and family is not None and section not in KEEPS_RELATIVES \
                and _about_a_relative(statement.text, context):
            section = family  # what the client says about a household member describes the household
        state.units.append(Unit(statement.text, segments + extra, "client", section, list(flags), fact=fact))
    if _CALLS_IT_AN_AGREEMENT.search(state.client_question) and "afspraken_nagekomen" in state.cues.section_ids:
        # "Ja, sinds twee weken. Dat was ook een afspraak, toch?": what was just said is an agreement kept.
        for unit in state.units[first_unit:]:
            if unit.role == "client" and unit.fact is None:
                unit.section = "afspraken_nagekomen"
    kept = " ".join(s.text for s in statements if s.left_out is None)
    members = facts.household(kept, question[0] if question else "", persons.possessive)
    recent = state.units[-len(statements):] if statements else []
    placed_here = any(u.section == "gezinssituatie" and seg in u.segments for u in recent)
    if members is not None and "gezinssituatie" in state.cues.section_ids and not placed_here:
        # Who lives with the client is its own statement in the household section.
        cited = [question[1], seg] if question else [seg]
        state.units.append(Unit(render(members, "nl", persons.client), cited + extra, "client",
                                "gezinssituatie", list(flags), fact=members, form=True))
    state.last_client = " ".join(shifted)
    state.last_worker_facts = [u for u in state.last_worker_facts if u.fact is not None and u.fact.kind == "appointment"]




def draft_report(template: Template, transcript: Transcript, on: date | None = None, lang: str = "nl") -> Draft:
    """Draft a report in `template` from `transcript`; `on` is the contact's date (default today),
    `lang` the worker's report language ('nl' or 'fr')."""
    if lang not in LANGUAGES:
        raise ValueError(f"no report language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    # Drafting and verifying both read the transcript with unsure numbers left out, so
    # no sentence can state a number that recognition was not sure of.
    transcript = transcript.model_copy(update={"segments": tuple(mask_unsure_numbers(s) for s in transcript.segments)})
    people = find_people(transcript.segments)
    state = _State(template, people, Persons(people.gender), SectionCues(template), on or date.today(),
                   {s.id: s for s in transcript.segments})
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
        for fix in clean.corrections:
            _exclude(state, f"{fix.retracted} (verbeterd: {fix.replacement})",
                     "Door de spreker zelf verbeterd; de verbeterde waarde staat in het verslag.", [seg])
        for old in clean.superseded:
            _exclude(state, old, "Door de spreker zelf verbeterd; de verbeterde waarde staat in het verslag.", [seg])
        role = _role(seg, clean.sentences)
        if role == "unknown" and state.question is not None and state.question[1].speaker == "unknown":
            # One microphone, no speakers told apart: what answers a question is most likely the
            # client's. It is drafted as the client's words and keeps the speaker_unknown flag.
            role = "client_unknown"
        if role in ("worker", "worker_unknown"):
            _worker_turn(state, seg, clean.sentences, "worker" if role == "worker" else "unknown")
        else:
            _client_turn(state, seg, clean.sentences, role)
    units = drop_repeats(drop_revised_amounts(state.units, state.excluded), state.excluded)
    return assemble(template, transcript, merge(units), state.excluded, lang, state.persons.client)
