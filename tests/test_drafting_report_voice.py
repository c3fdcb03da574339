"""Report voice: each placed sentence is a third-person statement about the client, typed
facts come in fixed sentence forms (Dutch and French), the right person is named, and
what was said first, negated or supposed never stands as a fact."""

from datetime import date

from appliance.draft import Draft, Fact, Sentence
from appliance.drafting.engine import draft_report
from appliance.drafting.forms import render
from appliance.drafting.register import spoken_marks
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript

ON = date(2026, 3, 2)


def _draft(*turns: tuple[str, str], template: str = "intake", lang: str = "nl") -> Draft:
    segments, t = [], 0.0
    for index, (speaker, text) in enumerate(turns, 1):
        segments.append(Segment(id=f"s{index}", start=t, end=t + 3.0, speaker=speaker, text=text))  # type: ignore[arg-type]
        t += 3.5
    return draft_report(load_template(template), Transcript(segments=tuple(segments)), on=ON, lang=lang)


def _placed(draft: Draft) -> list[tuple[str, Sentence]]:
    return [(s.id, x) for s in draft.sections for x in s.sentences]


def _texts(draft: Draft) -> str:
    return " ".join(x.text for _, x in _placed(draft)) + " " + " ".join(x.text for x in draft.unassigned)


def test_a_question_and_its_short_answer_become_one_statement_citing_both() -> None:
    draft = _draft(("worker", "Hoeveel huur betaalt u?"), ("client", "Zeshonderdtwintig."))
    [(section, sentence)] = _placed(draft)
    assert (section, sentence.text) == ("huisvesting", "Cliënt betaalt 620 euro huur.")
    assert [c.segment for c in sentence.citations] == ["s1", "s2"]
    assert sentence.fact == Fact(kind="housing_cost", fields={"amount": "620", "kind": "huur"})


def test_a_question_word_answer_keeps_the_question_words() -> None:
    draft = _draft(("worker", "Dag Kevin. Waar woon je nu?"), ("client", "Bij mijn ma, in Genk."))
    texts = [x.text for _, x in _placed(draft)]
    assert "Cliënt woont nu bij zijn moeder, in Genk." in texts


def test_a_self_correction_keeps_only_the_corrected_value() -> None:
    draft = _draft(("worker", "Hoeveel bedraagt de huur?"), ("client", "Achthonderd, nee wacht, zevenhonderdvijftig euro."))
    assert "750" in _texts(draft) and "800" not in _texts(draft)
    assert any("800" in item.text for item in draft.excluded)


def test_a_figure_the_speaker_revises_is_not_stated() -> None:
    draft = _draft(("worker", "Hoeveel is uw uitkering?"),
                   ("client", "Rond de twaalfhonderd euro. Allee, twaalfhonderd was vorig jaar, nu is het elfhonderdvijftig."))
    assert "1150" in _texts(draft) and "1200" not in _texts(draft)
    assert any("1200" in item.text and "bijstelde" in item.reason for item in draft.excluded)


def test_no_debts_at_the_bank_never_becomes_a_debt() -> None:
    draft = _draft(("worker", "Heeft u schulden?"), ("client", "Nee, geen schulden bij de bank. Wel nog de huisarts, tachtig euro."))
    debts = [x.fact for _, x in _placed(draft) if x.fact is not None and x.fact.kind == "debt"]
    assert debts and all(f.fields["amount"] == "80" for f in debts)
    assert "geen schulden bij de bank" in _texts(draft)


def test_a_supposition_is_left_out_with_its_reason() -> None:
    draft = _draft(("worker", "Wat zou u graag doen?"),
                   ("client", "Ik werk nu als poetshulp. Als ik een auto zou hebben, zou ik verder gaan werken."))
    assert "auto" not in _texts(draft)
    assert any("auto" in item.text and "veronderstelling" in item.reason for item in draft.excluded)


def test_the_clients_gender_comes_from_how_they_are_addressed() -> None:
    titled = _draft(("worker", "Dag mevrouw Maes. Met wie woont u?"), ("client", "Ik woon bij mijn zus."))
    assert "Cliënte woont bij haar zus" in _texts(titled)
    named = _draft(("worker", "Dag Jana. Met wie woon je?"), ("client", "Ik woon bij mijn zus."))
    assert "Cliënte woont bij haar zus" in _texts(named)
    untold = _draft(("worker", "Met wie woont u?"), ("client", "Ik woon bij mijn zus."))
    assert "Cliënt woont bij diens zus" in _texts(untold) and "zijn of haar" not in _texts(untold)


def test_a_partner_named_in_the_conversation_is_who_the_fact_is_about() -> None:
    draft = _draft(("worker", "Dag mevrouw Peeters."), ("client", "Dag. Dit is Tom, mijn vriend."),
                   ("worker", "Tom, werkt u?"), ("client", "Ja, ik werk voltijds in een garage."))
    texts = [x for _, x in _placed(draft) if "garage" in x.text]
    assert [x.text for x in texts] == ["De partner van cliënte (Tom) werkt voltijds in een garage."]
    assert "s2" in {c.segment for c in texts[0].citations}  # the introduction backs the name


def test_an_interpreters_reported_speech_is_the_clients_statement() -> None:
    draft = _draft(("worker", "Goeiedag meneer Karimi. U bent de tolk?"), ("client", "Ja, ik ben Ahmed, de tolk."),
                   ("worker", "Waar woont meneer?"), ("client", "Hij zegt dat hij sinds maart bij zijn broer woont."))
    assert "Cliënt woont sinds maart bij zijn broer." in _texts(draft)
    assert "Ahmed" not in _texts(draft)
    assert any("Ahmed" in item.text and "tolk" in item.reason for item in draft.excluded)


def test_what_is_not_decided_is_stated_as_not_decided() -> None:
    draft = _draft(("worker", "Of u een leefloon krijgt, beslist het comité. Dat is nog niet beslist."))
    [(_, sentence)] = _placed(draft)
    assert sentence.text == "Nog niet beslist: of cliënt een leefloon al dan niet krijgt; dat beslist het comité."
    assert sentence.fact == Fact(kind="not_decided", fields={"what": "of cliënt een leefloon al dan niet krijgt",
                                                             "who_decides": "het comité"})


def test_an_appointment_is_a_typed_fact_in_a_fixed_form() -> None:
    draft = _draft(("worker", "We zien elkaar op woensdag achttien maart om half vier, bij u thuis."),
                   ("client", "Achttien maart, ja, dat is goed."))
    [(section, sentence)] = _placed(draft)
    assert section == "afspraken"
    assert sentence.text == "Huisbezoek op woensdag 18 maart om half vier, bij cliënt thuis."
    assert sentence.fact == Fact(kind="appointment", fields={"date": "2026-03-18", "weekday": "woensdag",
                                                             "time": "15:30", "place": "thuis"})
    assert [c.segment for c in sentence.citations] == ["s1", "s2"]  # the client's read-back is cited, not repeated


def test_french_rendering_of_typed_facts() -> None:
    fact = Fact(kind="appointment", fields={"date": "2026-03-18", "weekday": "woensdag", "time": "15:30", "place": "thuis"})
    assert render(fact, "fr", "cliënte") == "Visite à domicile le mercredi 18 mars à 15h30."
    draft = _draft(("worker", "We zien elkaar op woensdag achttien maart om half vier, bij u thuis."),
                   ("worker", "Hoeveel huur betaalt u?"), ("client", "Zeshonderdtwintig."), lang="fr")
    assert next(s for s in draft.sections if s.id == "afspraken").title == "Accords"
    texts = {x.text: x.flags for _, x in _placed(draft)}
    assert "Visite à domicile le mercredi 18 mars à 15h30." in texts
    assert "Frais de logement : 620 euros (« huur »)." in texts


def test_asides_and_small_talk_are_excluded_with_a_reason_never_placed() -> None:
    draft = _draft(("worker", "Waar woont u?"),
                   ("client", "In Genk, in een sociaal appartement. Met de hond, trouwens. Die kan zelf de deur open als hij..."),
                   ("worker", "Goed. Tot ziens, meneer, en veel succes met de verhuis."))
    placed = " ".join(x.text for _, x in _placed(draft))
    assert "hond" not in placed and "deur" not in placed and "ziens" not in placed
    reasons = {item.reason for item in draft.excluded}
    assert any("Terzijde" in r for r in reasons) and any("Begroeting" in r for r in reasons)


def test_placed_sentences_carry_no_conversation() -> None:
    draft = _draft(("worker", "Oké. Heb je het makkelijk gevonden?"), ("client", "Ja, amai, ik woon vlakbij, haha."),
                   ("worker", "Hoe gaat het met je gezondheid?"), ("client", "Goed. Ik slaap wel slecht."))
    for _, sentence in _placed(draft):
        assert spoken_marks(sentence.text) == [], sentence.text


def test_a_confirmed_tag_question_is_the_workers_statement_about_the_client() -> None:
    draft = _draft(("worker", "U heeft in februari vier dagen gewerkt bij het interimkantoor, klopt dat?"), ("client", "Ja."))
    [(section, sentence)] = _placed(draft)
    assert (section, sentence.text) == ("werk_opleiding", "Cliënt heeft in februari 4 dagen gewerkt bij het interimkantoor.")
    assert [c.segment for c in sentence.citations] == ["s1", "s2"]



def test_a_subject_put_before_the_question_is_the_statements_subject() -> None:
    draft = _draft(("worker", "En de kleine, Sara, is die nu ingeschreven in de kleuterschool?"), ("client", "Ja, sinds twee weken."),
                   template="trajectverslag")
    texts = [x.text for _, x in _placed(draft)] + [x.text for x in draft.unassigned]
    assert "De kleine Sara is nu ingeschreven in de kleuterschool, sinds 2 weken." in texts


def test_a_no_to_a_question_with_a_preposition_negates_with_niet() -> None:
    draft = _draft(("worker", "En uw zoon, gaat die nog naar school?"), ("client", "Nee."))
    assert [x.text for _, x in _placed(draft)] == ["Diens zoon gaat niet naar school."]


def test_what_the_client_calls_an_agreement_is_an_agreement_kept() -> None:
    draft = _draft(("worker", "Is uw dochter nu ingeschreven in de kleuterschool?"),
                   ("client", "Ja, sinds twee weken. Dat was ook een afspraak, toch?"), template="trajectverslag")
    assert [(s, x.text) for s, x in _placed(draft)] == [
        ("afspraken_nagekomen", "Diens dochter is nu ingeschreven in de kleuterschool, sinds 2 weken.")]


def _spoken_at_pace(*turns: tuple[str, str], template: str) -> Draft:
    """Segments as long as their words take to say, like a real transcript's."""
    segments, t = [], 0.0
    for index, (speaker, text) in enumerate(turns, 1):
        length = max(1.0, 0.06 * len(text))
        segments.append(Segment(id=f"s{index}", start=t, end=t + length, speaker=speaker, text=text))  # type: ignore[arg-type]
        t += length + 0.6
    return draft_report(load_template(template), Transcript(segments=tuple(segments)), on=ON)


def test_a_promise_to_find_out_says_what_the_client_asked_and_cites_it() -> None:
    draft = _spoken_at_pace(("worker", "Wanneer zien we elkaar terug? Dinsdag zeven april?"), ("client", "Ja, goed."),
                   ("client", "Mag ik als vrijwilliger blijven helpen in de kringwinkel?"),
                   ("worker", "Ik zoek het voor u uit en ik laat het u weten op zeven april."), template="evaluatieverslag")
    [promise] = [x for s, x in _placed(draft) if "kringwinkel" in x.text]
    assert promise.text.startswith("Cliënt vraagt of cliënt als vrijwilliger mag blijven helpen in de kringwinkel; "
                                   "de maatschappelijk werker zoekt het")
    assert [c.segment for c in promise.citations] == ["s3", "s4"]


def test_on_one_microphone_an_answer_to_a_question_is_drafted_as_the_clients() -> None:
    draft = _draft(("unknown", "Hoeveel verdient u op dit moment?"), ("unknown", "Ik heb een uitkering van 1100 euro."))
    [(section, sentence)] = _placed(draft)
    assert (section, sentence.text) == ("inkomen", "Cliënt heeft een uitkering van 1100 euro.")
    assert "speaker_unknown" in sentence.flags
