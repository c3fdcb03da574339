"""From units to the draft: merge what belongs together, verify, place, and render each
sentence in the report language."""

from __future__ import annotations

import re
from dataclasses import replace

from appliance.draft import Citation, Draft, ExcludedItem, Section, Sentence
from appliance.drafting.confidence import UNSURE_NUMBER, segment_confidence
from appliance.drafting.forms import AMOUNT_LABELS_NL, FORMS_VERSION, has_form, render
from appliance.drafting.questions import is_fragment
from appliance.drafting.register import spoken_marks
from appliance.drafting.templates import Template
from appliance.drafting.units import Unit
from appliance.drafting.verifier import verify_sentence
from appliance.transcript import Segment, Transcript

ENGINE = f"spreekkamer-regels 2.0 (zinsvormen {FORMS_VERSION})"
"""Engine name and version, for the report's transparency statement."""


def cite(segments: list[Segment]) -> tuple[Citation, ...]:
    """Citations of segments, in time order, each once."""
    seen: dict[str, Citation] = {}
    for seg in segments:
        seen.setdefault(seg.id, Citation(segment=seg.id, start=seg.start, end=max(seg.end, seg.start + 0.01)))
    return tuple(sorted(seen.values(), key=lambda c: c.start))


def merge(units: list[Unit]) -> list[Unit]:
    """Consecutive plain statements of one turn that land in the same section become one sentence."""
    merged: list[Unit] = []
    for unit in units:
        last = merged[-1] if merged else None
        if last is not None and last.section == unit.section and last.role == unit.role and not last.form \
                and not unit.form and last.segments[-1].id == unit.segments[0].id and len(last.text) < 160 \
                and (last.fact is None or unit.fact is None or last.fact.kind == unit.fact.kind):
            last.text = f"{last.text.rstrip()} {unit.text}"
            last.segments += [s for s in unit.segments if s not in last.segments]
            last.flags += [f for f in unit.flags if f not in last.flags]
            last.fact = last.fact or unit.fact
        else:
            merged.append(replace(unit, segments=list(unit.segments), flags=list(unit.flags)))
    return merged


def _sentence(unit: Unit, number: int) -> Sentence:
    text = re.sub(r"(?i)^(?:(?:ja|ah|oh|ah ja|oh ja)[,!]\s+)+(?=\w{2,}\s+\w+)", "", unit.text.strip())  # "Ja, cliënt ..."
    # A report sentence does not open with the conversation's connectives ("En", "Maar", "Dus").
    text = re.sub(r"(^|[.!?] )(?:En|Maar|Dus|Want|Enfin)(?: dan)?,? (\w)", lambda m: m.group(1) + m.group(2).upper(), text)
    if text and text[-1] not in ".!?":
        text += "."
    text = text[0].upper() + text[1:] if text else text
    confidence, flags = 1.0, list(unit.flags)
    for seg in unit.segments:
        value, low = segment_confidence(seg)
        confidence = min(confidence, value)
        if low and "low_confidence" not in flags:
            flags.append("low_confidence")
    if UNSURE_NUMBER in text:
        flags += [f for f in ("unsure_number", "low_confidence") if f not in flags]
    if unit.form:
        flags.append("form")
    return Sentence(id=f"d{number}", text=text, citations=cite(unit.segments), flags=tuple(flags),
                    confidence=confidence, fact=unit.fact)


_SUBJECTS = re.compile(r"(?i)\b(zij|hij|ze|wij|we|cliënte?|er|die|dat|dit|maatschappelijk werker)\b")
_COMMON_VERBS = frozenset({
    "zei", "zegt", "zijn", "hebben", "kunnen", "moeten", "willen", "mogen", "gaan", "komen", "wonen", "betalen",
    "maken", "passen", "dienen", "werken", "krijgen", "blijven", "staan", "doen", "zien", "weten", "lopen", "zullen"})
_NOT_VERBS = frozenset({"niet", "nog", "wat", "met", "tot", "uit", "toch", "pas", "best", "echt", "recht", "slecht",
                        "maart", "augustus", "meest", "laatst", "eerst", "helft", "soort", "dat", "het", "prijs"})


def is_verbless(text: str) -> bool:
    """A statement with no verb of its own ('De vakbond, en de C 4.', 'Sinds 2 weken.'): no
    finite verb known to the lexicon, no subject, no common plural verb, no verb in second place."""
    if not is_fragment(text.replace(".", " ")) or _SUBJECTS.search(text):
        return False
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        words = [w.lower() for w in re.findall(r"[\wëéèïöü'-]+", sentence)]
        if any(w in _COMMON_VERBS for w in words) or (len(words) > 1 and words[1].endswith("t")
                                                       and words[1] not in _NOT_VERBS and len(words[1]) > 3):
            return False
    return True


def _in_language(sentence: Sentence, lang: str, client: str) -> Sentence:
    """The sentence in the report language: a typed fact by its form; other statements stay as
    said, flagged, because nothing is translated freely."""
    if lang == "nl":
        return sentence
    if sentence.fact is not None and has_form(sentence.fact, lang):
        return sentence.model_copy(update={"text": render(sentence.fact, lang, client)})
    return sentence.model_copy(update={"flags": (*sentence.flags, "source_language:nl")})


def assemble(template: Template, transcript: Transcript, units: list[Unit], excluded: list[ExcludedItem],
              lang: str = "nl", client: str = "cliënt") -> Draft:
    by_section: dict[str, list[Sentence]] = {s.id: [] for s in template.sections}
    unassigned: list[Sentence] = []
    for number, unit in enumerate(units, 1):
        sentence = _sentence(unit, number)
        if not unit.form and unit.fact is not None and unit.fact.kind in AMOUNT_LABELS_NL \
                and unit.fact.fields.get("amount") and is_verbless(sentence.text):
            # "1350 euro pensioen.": an amount without a verb is written by the amount form.
            unit = replace(unit, text=render(unit.fact, "nl", client), form=True)
            sentence = _sentence(unit, number)
        violations = verify_sentence(sentence, transcript, form=unit.form)
        if violations:
            raw = " ".join(seg.text for seg in unit.segments)
            kinds = sorted({v.kind for v in violations})
            flags = ("unverified", *(f"violation:{k}" for k in kinds), *sentence.flags)
            unassigned.append(sentence.model_copy(update={"text": raw, "flags": flags, "fact": None}))
        elif unit.section is None:
            unassigned.append(sentence)
        elif not unit.form and is_verbless(sentence.text):
            # No verb of its own ("De vakbond, en de C 4."): not a report sentence; the worker sees it.
            unassigned.append(sentence.model_copy(update={"flags": (*sentence.flags, "fragment")}))
        elif spoken_marks(sentence.text):
            # Still reads as conversation: shown to the worker, never placed as a statement.
            flags = (*sentence.flags, *(f"spoken:{m}" for m in spoken_marks(sentence.text)))
            unassigned.append(sentence.model_copy(update={"flags": flags}))
        else:
            by_section[unit.section].append(_in_language(sentence, lang, client))
    sections = tuple(Section(id=s.id, title=s.title(lang), required=s.required, sentences=tuple(by_section[s.id]))
                     for s in template.sections)
    return Draft(template=template.ref, sections=sections, unassigned=tuple(unassigned),
                 excluded=tuple(excluded), engine=ENGINE)
