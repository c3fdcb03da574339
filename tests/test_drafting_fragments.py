"""Sentence quality: a statement without a verb is never placed as a report sentence; an
amount said without a verb is written by the amount form; 'Geen X.' is the client's statement."""

from datetime import date

from appliance.draft import Draft, Fact, Sentence
from appliance.drafting.assembly import is_verbless
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


def test_statements_without_a_verb_are_told_apart_from_statements() -> None:
    for fragment in ("De vakbond, en de C 4.", "Sinds 2 weken.", "Minder geld.", "Dinsdag 31 maart."):
        assert is_verbless(fragment), fragment
    for statement in ("Zij wonen samen sinds vorig jaar.", "Gewoonlijk opent het artikel 60 het recht op een uitkering.",
                      "Cliënt heeft 2 kinderen.", "Er zijn geen anderen in huis."):
        assert not is_verbless(statement), statement


def test_a_fragment_read_back_is_shown_to_the_worker_not_placed() -> None:
    draft = _draft(("worker", "Ten eerste: u gaat voor eind maart langs bij de vakbond. Neemt u uw C vier mee."),
                   ("client", "De vakbond, en de C vier. Ja."), template="evaluatieverslag")
    assert all("De vakbond, en de C 4" not in x.text for _, x in _placed(draft))
    assert any("fragment" in x.flags and "vakbond" in x.text for x in draft.unassigned)


def test_an_amount_without_a_verb_is_written_by_the_amount_form() -> None:
    draft = _draft(("worker", "Uw pensioen, is dat hetzelfde gebleven?"),
                   ("client", "Ja, in januari was er een indexering, dus het is nu duizend driehonderdvijftig."),
                   ("worker", "Duizend driehonderdvijftig euro pensioen. Hoe gaat het met uw gezondheid?"))
    forms = [(s, x.text, x.fact) for s, x in _placed(draft) if "form" in x.flags]
    assert ("inkomen", "Inkomen: 1350 euro (pensioen).",
            Fact(kind="income", fields={"amount": "1350", "source": "pensioen"})) in forms


def test_what_did_not_come_is_no_income() -> None:
    draft = _draft(("worker", "Dus twee maanden niet ontvangen, samen driehonderd euro."), template="trajectverslag")
    assert all(x.fact is None or x.fact.kind != "income" for _, x in _placed(draft))
    assert all(x.fact is None or x.fact.kind != "income" for x in draft.unassigned)


def test_no_new_debts_is_the_clients_statement() -> None:
    draft = _draft(("worker", "Het derde doel was geen nieuwe schulden maken. Hoe gaat dat?"),
                   ("client", "Geen nieuwe schulden."), template="evaluatieverslag")
    assert "Cliënt heeft geen nieuwe schulden." in [x.text for _, x in _placed(draft)]
