"""Placement by general rules of OCMW conversations: what the worker will do is an agreement,
a year is no amount, the worker's question is the topic of the client's answer."""

from datetime import date

from appliance.draft import Draft, Sentence
from appliance.drafting.engine import draft_report
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript

ON = date(2026, 3, 2)


def _draft(*turns: tuple[str, str], template: str = "intake") -> Draft:
    segments, t = [], 0.0
    for index, (speaker, text) in enumerate(turns, 1):
        segments.append(Segment(id=f"s{index}", start=t, end=t + 3.0, speaker=speaker, text=text))  # type: ignore[arg-type]
        t += 3.5
    return draft_report(load_template(template), Transcript(segments=tuple(segments)), on=ON)


def _placed(draft: Draft) -> list[tuple[str, Sentence]]:
    return [(s.id, x) for s in draft.sections for x in s.sentences]


def test_what_the_worker_will_do_goes_to_the_agreements() -> None:
    draft = _draft(("worker", "Heeft u nog vrienden hier?"), ("client", "Ja, een paar."),
                   ("worker", "Ik geef u straks het adres van een dienst die helpt met gezinshereniging."))
    assert ("afspraken", ("De maatschappelijk werker geeft cliënt straks het adres van een dienst die helpt met "
            "gezinshereniging.")) in [(s, x.text) for s, x in _placed(draft)]


def test_a_check_the_worker_reports_back_on_is_an_agreement_in_an_evaluation_too() -> None:
    draft = _draft(("worker", "Hoe die studietoelage meetelt voor je leefloon, moet ik nog nakijken."),
                   template="evaluatieverslag")
    [(section, _)] = _placed(draft)
    assert section == "afspraken"


def test_a_year_is_no_amount_of_money() -> None:
    draft = _draft(("worker", "Zijn er nog rekeningen die openstaan?"), ("client", "Nee, niks."),
                   ("worker", "Zijn er gezondheidsproblemen waar we rekening mee moeten houden?"),
                   ("client", "Ik heb een hernia gehad, in tweeduizend tweeëntwintig."))
    hernia = [(s, x) for s, x in _placed(draft) if "hernia" in x.text]
    assert [(s, x.fact) for s, x in hernia] == [("gezondheid", None)]


def test_an_agreement_recalled_and_how_it_went_are_one_statement() -> None:
    draft = _draft(("worker", "Oké. De derde afspraak was dat u de rekening van de school zou meebrengen."),
                   ("client", "Oei. Die ben ik vergeten. Sorry."), template="trajectverslag")
    assert [(s, x.text) for s, x in _placed(draft)] == [
        ("afspraken_nagekomen", ("De derde afspraak was dat cliënt de rekening van de school zou meebrengen. "
                                "Cliënt is die vergeten."))]
    assert [c.segment for c in _placed(draft)[0][1].citations] == ["s1", "s2"]


def test_a_number_answer_keeps_er_before_the_number() -> None:
    draft = _draft(("worker", ("De derde afspraak was dat u elke maand vijf sollicitaties zou doen. Hoeveel heeft u er "
                              "gedaan?")), ("client", "Vier. Twee in een bakkerij."), template="trajectverslag")
    [(section, sentence)] = _placed(draft)
    assert section == "afspraken_nagekomen"
    assert "Cliënt heeft er 4 gedaan" in sentence.text and "5 sollicitaties" in sentence.text


def test_an_elliptic_follow_up_question_stays_on_the_topic() -> None:
    draft = _draft(("worker", "Hoeveel is de huur?"), ("client", "Vijfhonderdtachtig euro, met het water erbij."),
                   ("worker", "580 euro, water inbegrepen. En de elektriciteit?"), ("client", "Elektriciteit is apart. Ik moet zelf een contract maken."))
    assert [s for s, x in _placed(draft) if "Elektriciteit" in x.text] == ["huisvesting"]


def test_health_insurance_is_a_health_matter() -> None:
    draft = _draft(("worker", "Hoe staat het met uw inkomen?"), ("client", "Ik heb een leefloon."),
                   ("worker", "Bent u aangesloten bij een mutualiteit?"), ("client", "Nee, nog niet."))
    assert [s for s, x in _placed(draft) if "mutualiteit" in x.text] == ["gezondheid"]


def test_a_follow_up_question_on_its_own_sets_its_own_topic() -> None:
    draft = _draft(("worker", "Het doel was je budget. Hoe ging dat?"), ("client", "Dat is gelukt."),
                   ("worker", "En je studentenjob?"), ("client", "Ik werk nog altijd in de supermarkt, op zaterdag."),
                   template="evaluatieverslag")
    assert [s for s, x in _placed(draft) if "supermarkt" in x.text] == ["evolutie"]


def test_a_probe_of_a_reservation_asks_what_was_difficult() -> None:
    draft = _draft(("worker", "Het derde doel was rondkomen. Hoe gaat dat?"), ("client", "Ik kom rond. Meestal."),
                   ("worker", "Meestal?"), ("client", "In januari was mijn fiets kapot. Dat was honderdtwintig euro."),
                   template="evaluatieverslag")
    assert [s for s, x in _placed(draft) if "120" in x.text] == ["knelpunten"]


def test_a_question_about_now_is_about_how_things_evolved() -> None:
    draft = _draft(("worker", "Je bent altijd op tijd, dat is een doel dat gehaald is."), ("client", "Ja."),
                   ("worker", "Wat doet u nu allemaal in de winkel?"),
                   ("client", "Ik sta in het magazijn. En sinds januari sta ik ook aan de kassa."),
                   template="evaluatieverslag")
    assert {s for s, x in _placed(draft) if "kassa" in x.text} == {"evolutie"}
