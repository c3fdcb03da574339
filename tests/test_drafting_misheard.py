"""Drafting from what speech recognition really writes: unsure numbers, loops, broken
timing, misheard "not for the report" requests and segments without speaker labels."""

from appliance.draft import Draft
from appliance.drafting.confidence import UNSURE_NUMBER, mask_unsure_numbers
from appliance.drafting.engine import draft_report
from appliance.drafting.privacy import is_request
from appliance.drafting.reliability import unreliable_segments
from appliance.drafting.speech import clean_utterance
from appliance.drafting.templates import load_template
from appliance.transcript import Segment, Transcript, Word


def _segment(sid: str, start: float, text: str, speaker: str = "unknown", probability: float = 0.95,
             logprob: float = -0.3, unsure: tuple[str, ...] = ()) -> Segment:
    """A recognised segment with word scores; words in `unsure` get probability 0.4."""
    words, t = [], start
    for token in text.split():
        p = 0.4 if token.strip(".,?!") in unsure else probability
        words.append(Word(start=t, end=t + 0.3, word=" " + token, probability=p))
        t += 0.35
    return Segment(id=sid, start=start, end=max(t, start + 0.5), text=text, speaker=speaker,  # type: ignore[arg-type]
                   words=tuple(words), avg_logprob=logprob)


def _texts(draft: Draft) -> list[str]:
    return [x.text for s in draft.sections for x in s.sentences] + [x.text for x in draft.unassigned]


def _excluded_ids(draft: Draft) -> set[str]:
    return {c.segment for item in draft.excluded for c in item.citations}


def test_an_unsure_number_becomes_a_gap_and_a_sure_one_stays() -> None:
    seg = _segment("s1", 0.0, "De huur is achthonderdnegentig euro voor twee slaapkamers.", unsure=("achthonderdnegentig",))
    assert mask_unsure_numbers(seg).text == f"De huur is {UNSURE_NUMBER} euro voor twee slaapkamers."
    garbled = _segment("s2", 0.0, "Acht onder te negen de euro.", logprob=-0.9)
    assert mask_unsure_numbers(garbled).text == f"{UNSURE_NUMBER} onder te {UNSURE_NUMBER} de euro."
    typed = Segment(id="s3", start=0.0, end=2.0, text="Zevenhonderd euro.")
    assert mask_unsure_numbers(typed) == typed  # no word scores: nothing to doubt


def test_a_sentence_with_an_unsure_number_is_flagged_and_states_no_number() -> None:
    transcript = Transcript(segments=(
        _segment("s1", 0.0, "Hoeveel bedraagt de huur?", speaker="worker"),
        _segment("s2", 3.0, "Achthonderdnegentig euro per maand.", speaker="client", unsure=("Achthonderdnegentig",)),
    ))
    draft = draft_report(load_template("intake"), transcript)
    sentence = next(x for s in draft.sections for x in s.sentences if "euro" in x.text)
    assert UNSURE_NUMBER in sentence.text and "890" not in sentence.text
    assert {"unsure_number", "low_confidence"} <= set(sentence.flags)


def test_a_recognition_loop_and_impossible_timing_are_kept_out() -> None:
    loop = [_segment(f"s{i}", 10.0 + i, "en de vrouwen van de duidelijden,") for i in range(1, 5)]
    squeezed = Segment(id="s9", start=20.0, end=20.1, text="Rekening van de energie en de huur.")
    fine = _segment("s10", 21.0, "Ik betaal de energierekening elke maand zelf.", speaker="client")
    transcript = Transcript(segments=(*loop, squeezed, fine))
    assert set(unreliable_segments(transcript)) == {"s1", "s2", "s3", "s4", "s9"}
    draft = draft_report(load_template("intake"), transcript)
    assert not any("vrouwen" in t or "Rekening van" in t for t in _texts(draft))
    assert {"s1", "s4", "s9"} <= _excluded_ids(draft)


def test_a_short_answer_said_twice_is_not_a_loop() -> None:
    transcript = Transcript(segments=(_segment("s1", 0.0, "Ja."), _segment("s2", 2.0, "Ja.")))
    assert unreliable_segments(transcript) == {}


def test_not_for_report_is_recognised_in_misheard_words() -> None:
    assert is_request("Ja, maar, eh, dat meel ik niet niet in het verslag.")
    assert is_request("Dat wil ik liever niet in het ferslaag.")
    assert is_request("Ik wil niet dat dat ergens op papier staat.")
    assert not is_request("Dat staat niet in het huurcontract.")
    assert not is_request("Ik ben niet naar de dokter geweest in die periode.")


def test_without_speakers_a_request_reaches_back_to_the_question_and_over_its_turn() -> None:
    transcript = Transcript(segments=(
        _segment("s1", 0.0, "Werkt u momenteel?"),
        _segment("s2", 2.0, "Ja, ik werk als kassierster in een supermarkt."),
        _segment("s3", 6.0, "Hoe verloopt het contact met hun papa?"),
        _segment("s4", 9.0, "Eerlijk gezegd, het was niet meer te doen thuis."),
        _segment("s5", 13.0, "Hij speelde alles op, op van die goksites."),
        _segment("s6", 17.0, "Dat klinkt als een moeilijke periode."),
        _segment("s7", 20.0, "Maar dat meel ik liever niet in het verslag."),
        _segment("s8", 23.0, "Ik meel niet dat het ergens op heb staat."),
        _segment("s9", 26.0, "Betaalt hun papa onderhoudsgeld?"),
        _segment("s10", 29.0, "Nee, nog niet."),
    ))
    draft = draft_report(load_template("intake"), transcript)
    assert {"s4", "s5", "s6", "s7", "s8"} <= _excluded_ids(draft)
    texts = " ".join(_texts(draft))
    assert "gok" not in texts and "papier" not in texts and "heb staat" not in texts
    assert "kassierster" in texts and "onderhoudsgeld" in texts  # before the topic and after it: kept


def test_with_speakers_a_request_covers_the_whole_previous_client_turn() -> None:
    transcript = Transcript(segments=(
        _segment("s1", 0.0, "Hoe verloopt het contact met hun papa?", speaker="worker"),
        _segment("s2", 3.0, "Het was niet meer te doen thuis.", speaker="client"),
        _segment("s3", 6.0, "Hij speelde alles op, op van die goksites.", speaker="client"),
        _segment("s4", 9.0, "Dat klinkt als een moeilijke periode.", speaker="worker"),
        _segment("s5", 12.0, "Ja. Maar dat wil ik liever niet in het verslag.", speaker="client"),
        _segment("s6", 15.0, "Ik wil niet dat dat ergens staat.", speaker="client"),
        _segment("s7", 18.0, "Hoeveel bedraagt de huur?", speaker="worker"),
        _segment("s8", 21.0, "Zevenhonderd euro.", speaker="client"),
    ))
    draft = draft_report(load_template("intake"), transcript)
    assert {"s2", "s3", "s4", "s5", "s6"} <= _excluded_ids(draft)
    assert "s1" not in _excluded_ids(draft)
    assert any("700 euro" in t for t in _texts(draft))


def test_a_correction_survives_a_misheard_nee() -> None:
    assert clean_utterance("Achthonderd, nij wacht, zevenhonderdvijftig euro.").sentences == ["750 euro."]
    assert clean_utterance("Op vier mei, ne wacht, elf mei.").sentences == ["Op 11 mei."]
    assert clean_utterance("Ik wacht twee weken.").sentences == ["Ik wacht 2 weken."]


def test_the_workers_confirmation_catches_a_request_recognition_garbled() -> None:
    transcript = Transcript(segments=(
        _segment("s1", 0.0, "Hoe verloopt het contact met hun papa?", speaker="worker"),
        _segment("s2", 3.0, "Hij speelde alles op, op van die goksites.", speaker="client"),
        _segment("s3", 6.0, "Dat klinkt als een moeilijke periode.", speaker="worker"),
        _segment("s4", 9.0, "Ja, maar, dat meel ik niet in dat m'n slag.", speaker="client"),
        _segment("s5", 12.0, "Dat is goed, dat schrijf ik niet op. Werkt u momenteel?", speaker="worker"),
        _segment("s6", 15.0, "Ja, als kassierster.", speaker="client"),
    ))
    draft = draft_report(load_template("intake"), transcript)
    assert {"s2", "s3", "s4"} <= _excluded_ids(draft)
    texts = " ".join(_texts(draft))
    assert "gok" not in texts and "slag" not in texts and "kassierster" in texts


def test_a_correction_cut_into_two_segments_still_takes_the_old_value_back() -> None:
    transcript = Transcript(segments=(
        _segment("s1", 0.0, "Wanneer start de opleiding?", speaker="worker"),
        _segment("s2", 3.0, "Op vier mei.", speaker="client"),
        _segment("s3", 4.5, "Nee, wacht, elf mei.", speaker="client"),
        _segment("s4", 6.5, "Vier mei was de eerste datum, maar die is verschoven.", speaker="client"),
        _segment("s5", 9.5, "Elf mei dus.", speaker="client"),
    ))
    draft = draft_report(load_template("trajectverslag"), transcript)
    texts = " ".join(_texts(draft))
    assert "11 mei" in texts and "4 mei" not in texts
    assert any("4 mei" in item.text for item in draft.excluded)


def test_words_built_on_a_request_word_are_not_read_as_it() -> None:
    assert not is_request("Die staan niet op mijn papieren van de huur.")


def test_a_request_cut_in_two_and_misheard_still_reaches_the_turn_before() -> None:
    transcript = Transcript(segments=(
        _segment("s1", 0.0, "Hoe verloopt het contact met hun papa?", speaker="worker"),
        _segment("s2", 3.0, "Hij speelde alles op, op van die goksites.", speaker="client"),
        _segment("s3", 6.0, "Dat klinkt als een moeilijke periode.", speaker="worker"),
        _segment("s4", 9.0, "Ja, maar, dat wil ik niet niet in het menslaat.", speaker="client"),
        _segment("s5", 11.0, "Ik wil niet in het dat ergens op haar bevijt.", speaker="client"),
        _segment("s6", 13.0, "Dat is moet, dat schrijf ik niet in het menslaat.", speaker="worker"),
    ))
    draft = draft_report(load_template("intake"), transcript)
    assert {"s2", "s3", "s4", "s5"} <= _excluded_ids(draft)
    assert "gok" not in " ".join(_texts(draft))


def test_a_number_said_in_several_words_is_masked_whole() -> None:
    seg = _segment("s1", 0.0, "Het is twee honderd euro per maand.", unsure=("twee",))
    assert mask_unsure_numbers(seg).text == f"Het is {UNSURE_NUMBER} euro per maand."
    seg = _segment("s2", 0.0, "Twee kinderen en vier kleinkinderen.", unsure=("vier",))
    assert mask_unsure_numbers(seg).text == f"Twee kinderen en {UNSURE_NUMBER} kleinkinderen."


def test_a_number_no_scored_word_covers_is_not_trusted() -> None:
    seg = _segment("s1", 0.0, "De huur is hoog.")
    changed = seg.model_copy(update={"text": "De huur is 750 euro."})  # text edited after scoring
    assert mask_unsure_numbers(changed).text == f"De huur is {UNSURE_NUMBER} euro."
