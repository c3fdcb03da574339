"""The verifier rejects what the cited source does not say."""

from appliance.draft import Citation, Sentence
from appliance.drafting.verifier import verify_sentence
from appliance.transcript import Segment, Transcript

SOURCE = Transcript(segments=(
    Segment(id="s1", start=0.0, end=4.0, speaker="client",
            text="Achthonderd, nee wacht, zevenhonderdvijftig euro. Ik woon bij mijn moeder in Deurne."),
    Segment(id="s2", start=4.5, end=9.0, speaker="worker",
            text="Of u het leefloon krijgt, dat is nog niet beslist. Ik kan het niet beloven."),
))


def _sentence(text: str, *segments: str) -> Sentence:
    cites = tuple(Citation(segment=s, start=SOURCE.segment(s).start, end=SOURCE.segment(s).end) for s in segments)
    return Sentence(text=text, citations=cites)


def _kinds(text: str, *segments: str) -> set[str]:
    return {v.kind for v in verify_sentence(_sentence(text, *segments), SOURCE)}


def test_a_faithful_rewrite_passes() -> None:
    assert _kinds("Cliënt woont bij zijn moeder in Deurne.", "s1") == set()
    assert _kinds("750 euro.", "s1") == set()


def test_an_invented_number_is_rejected() -> None:
    assert "number" in _kinds("De huur is 780 euro.", "s1")


def test_a_number_from_another_segment_is_rejected() -> None:
    assert "number" in _kinds("Het leefloon is nog niet beslist, 750 euro.", "s2")


def test_a_name_not_in_the_source_is_rejected() -> None:
    assert "name" in _kinds("Cliënt woont bij zijn moeder in Gent.", "s1")


def test_strengthened_modality_is_rejected() -> None:
    assert "modality" in _kinds("Het leefloon is beslist.", "s2")
    assert "term" in _kinds("Het leefloon is toegekend.", "s2")
    assert _kinds("Het leefloon is nog niet beslist.", "s2") == set()


def test_uncited_or_unknown_segment_is_rejected() -> None:
    assert _kinds("750 euro.") == {"uncited"}
    bad = Sentence(text="750 euro.", citations=(Citation(segment="s9", start=0.0, end=1.0),))
    assert {v.kind for v in verify_sentence(bad, SOURCE)} == {"uncited"}
