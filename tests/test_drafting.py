"""Drafting rules, one test each: fillers, self-correction, numbers, person shift,
yes/no answers, not-for-report, low confidence, and a citation on every sentence."""

from appliance.draft import Draft
from appliance.drafting.engine import draft_report
from appliance.drafting.numbers import to_digits
from appliance.drafting.person import Persons, to_third_person
from appliance.drafting.questions import statement_from_question
from appliance.drafting.speech import clean_utterance
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript, Word


def _transcript(*turns: tuple[str, str], **extra: object) -> Transcript:
    segments, t = [], 0.0
    for index, (speaker, text) in enumerate(turns, 1):
        segments.append(Segment(id=f"s{index}", start=t, end=t + 3.0, speaker=speaker, text=text))  # type: ignore[arg-type]
        t += 3.5
    return Transcript(segments=tuple(segments))


def _all_sentences(draft: Draft) -> list[tuple[str | None, str]]:
    found = [(s.id, x.text) for s in draft.sections for x in s.sentences]
    return found + [(None, x.text) for x in draft.unassigned]


def test_fillers_and_repetitions_are_dropped() -> None:
    assert clean_utterance("Euh, ja, met de tram, allee, het was rap rap, hè.").sentences == ["Ja, met de tram, het was rap."]


def test_self_correction_keeps_only_the_corrected_value() -> None:
    clean = clean_utterance("Achthonderd, nee wacht, zevenhonderdvijftig euro. Zevenhonderdvijftig.")
    assert clean.sentences == ["750 euro."]
    clean = clean_utterance("Op vier mei. Nee, wacht, elf mei. Vier mei was de eerste datum. Elf mei dus.")
    assert clean.sentences == ["Op 11 mei."]
    assert clean.superseded == ["4 mei was de eerste datum."]


def test_number_words_become_digits_but_clock_times_and_articles_stay() -> None:
    assert to_digits("tweeduizend zeshonderdzeventig euro") == "2670 euro"
    assert to_digits("drieëntwintig jaar, op vijftien maart") == "23 jaar, op 15 maart"
    assert to_digits("zevenhonderdvijftig") == "750"
    assert to_digits("om vier uur een brief, één april") == "om vier uur een brief, 1 april"


def test_first_person_becomes_third_person() -> None:
    persons = Persons("f")
    assert to_third_person("Nu woon ik bij mijn moeder.", "client", persons) == "Nu woont cliënte bij haar moeder."
    assert to_third_person("Ik probeer het volgende week.", "worker", persons) == \
        "De maatschappelijk werker probeert het volgende week."
    assert to_third_person("Dan plannen we het huisbezoek.", "worker", Persons(None)) == \
        "Dan plannen de maatschappelijk werker en cliënt het huisbezoek."


def test_yes_no_answer_becomes_a_statement_with_the_question_words() -> None:
    assert statement_from_question("Is cliënt ingeschreven bij de VDAB?", "Ja, als werkzoekende.") == \
        "Cliënt is ingeschreven bij de VDAB, als werkzoekende."
    assert statement_from_question("Betaalt hun papa onderhoudsgeld?", "Nee, nog niet.") == \
        "Hun papa betaalt nog geen onderhoudsgeld."
    draft = draft_report(load_template("intake"), _transcript(
        ("worker", "Bent u ingeschreven bij de VDAB?"), ("client", "Ja, als werkzoekende.")))
    texts = [t for _, t in _all_sentences(draft)]
    assert texts == ["Cliënt is ingeschreven bij de VDAB, als werkzoekende."]
    werk = next(s for s in draft.sections if s.id == "werk_opleiding")
    assert [c.segment for c in werk.sentences[0].citations] == ["s1", "s2"]


def test_not_for_report_goes_to_excluded_with_the_reason() -> None:
    draft = draft_report(load_template("intake"), _transcript(
        ("worker", "Hoe verloopt het contact met hun papa?"),
        ("client", "Hij speelde alles op, op van die goksites."),
        ("client", "Maar dat wil ik liever niet in het verslag."),
        ("worker", "Hoeveel bedraagt de huur?"),
        ("client", "Zevenhonderd euro."),
    ))
    texts = " ".join(t for _, t in _all_sentences(draft))
    assert "gok" not in texts and "verslag" not in texts
    excluded = {c.segment for item in draft.excluded for c in item.citations}
    assert {"s2", "s3"} <= excluded
    assert all("niet in het verslag" in item.reason for item in draft.excluded if item.citations[0].segment == "s2")
    assert "700 euro" in texts


def test_content_without_a_section_is_unassigned_not_dropped() -> None:
    draft = draft_report(load_template("intake"), _transcript(("client", "De zon schijnt vandaag fel boven de zee.")))
    assert [s.text for s in draft.unassigned] == ["De zon schijnt vandaag fel boven de zee."]


def test_low_confidence_number_is_flagged() -> None:
    words = (Word(start=0.0, end=0.5, word=" Ongeveer", probability=0.9),
             Word(start=0.5, end=1.2, word=" zevenhonderd", probability=0.3),
             Word(start=1.2, end=1.5, word=" euro", probability=0.9))
    segs = (Segment(id="s1", start=0.0, end=1.0, speaker="worker", text="Hoeveel bedraagt de huur?", avg_logprob=-0.2),
            Segment(id="s2", start=1.2, end=3.0, speaker="client", text="Ongeveer zevenhonderd euro.",
                    words=words, avg_logprob=-0.3))
    draft = draft_report(load_template("intake"), Transcript(segments=segs))
    sentence = next(x for s in draft.sections for x in s.sentences)
    assert "low_confidence" in sentence.flags and sentence.confidence <= 0.3
    assert "700" not in sentence.text and "[…]" in sentence.text  # a gap to fill in, not a claim


def test_every_sentence_cites_a_segment_with_its_times() -> None:
    transcript = _transcript(("worker", "Wat brengt u vandaag naar hier?"),
                             ("client", "Ik kom een leefloon aanvragen. Mijn uitkering stopt op één april."),
                             ("worker", "Dan plannen we een huisbezoek op donderdag negentien maart."))
    draft = draft_report(load_template("intake"), transcript)
    sentences = [x for s in draft.sections for x in s.sentences] + list(draft.unassigned)
    assert sentences
    for sentence in sentences:
        assert sentence.citations
        for cite in sentence.citations:
            seg = transcript.segment(cite.segment)
            assert (cite.start, cite.end) == (seg.start, seg.end)


def test_draft_is_deterministic() -> None:
    transcript = _transcript(("worker", "Hoeveel bedraagt de huur?"), ("client", "Zevenhonderdvijftig euro."))
    template = load_template("intake")
    assert draft_report(template, transcript) == draft_report(template, transcript)
