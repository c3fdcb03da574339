"""A dossier has one spelling: variants become it or are refused, never miss its standing choice."""

from __future__ import annotations

import pytest

from appliance.box.config import DeviceConfig
from appliance.contact.dossier_ref import DossierRefError, normalise_dossier_ref

PATTERN = DeviceConfig().dossier_ref_pattern


@pytest.mark.parametrize("variant", ["D-2026-0042", " d-2026-0042 ", "Ｄ-２０２６-００４２", "d-2026-0042\n"])
def test_variants_of_one_reference_become_the_same(variant: str) -> None:
    assert normalise_dossier_ref(variant, PATTERN) == "D-2026-0042"


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2066", "\x07", "\u00ad", "\u2028"])
def test_invisible_control_and_bidi_characters_are_refused(hidden: str) -> None:
    with pytest.raises(DossierRefError, match="invisible or control"):
        normalise_dossier_ref(f"D-2026{hidden}-0042", PATTERN)


@pytest.mark.parametrize("bad", ["", "   ", "D 2026 0042", "D-2026-0042; DROP", "X" * 65, "dossier van Jan"])
def test_references_outside_the_organisations_numbering_are_refused(bad: str) -> None:
    with pytest.raises(DossierRefError):
        normalise_dossier_ref(bad, PATTERN)


def test_the_organisation_sets_its_own_numbering() -> None:
    assert normalise_dossier_ref("2026/123", r"^\d{4}/\d{1,6}$") == "2026/123"
    with pytest.raises(DossierRefError, match="numbering"):
        normalise_dossier_ref("D-2026-0042", r"^\d{4}/\d{1,6}$")
