"""The kiosk texts: complete in every language, neutral wording, the rights sentence present."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from ui_kiosk import texts
from ui_kiosk.texts import (
    CONSENT_TEXT_VERSION,
    LANGUAGES,
    TextsInvalid,
    UnknownLanguage,
    load_texts,
    reference_keys,
)

CODES = [lang.code for lang in LANGUAGES]

# Words that would nudge the client towards one answer ("it goes faster", "recommended", ...).
# Matched as whole words, case-insensitively, after removing Arabic vowel marks.
NUDGING_WORDS = [
    # nl
    "sneller", "snel", "aanbevolen", "aanrader", "aan te raden", "beter", "best", "makkelijker",
    "gemakkelijker", "handiger", "efficiënter", "tijdwinst",
    # fr
    "plus rapide", "rapidement", "recommandé", "recommandée", "conseillé", "mieux", "plus facile",
    "plus simple", "gain de temps",
    # de
    "schneller", "empfohlen", "empfehlen", "besser", "einfacher", "bequemer", "zeitersparnis",
    # en
    "faster", "quicker", "recommended", "recommend", "better", "easier", "best", "saves time",
    # ar
    "أسرع", "موصى", "ننصح", "يُنصح", "أفضل", "أسهل",
    # tr
    "daha hızlı", "önerilen", "öneririz", "tavsiye", "daha iyi", "daha kolay",
    # uk
    "швидше", "рекомендовано", "рекомендуємо", "краще", "легше", "зручніше",
]

RIGHTS_SENTENCE_NL = "Uw keuze verandert niets aan uw rechten of aan onze inzet."


def _plain(text: str) -> str:
    """Lower-case and drop combining marks (Arabic harakat, shadda) so variants still match."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def _all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _all_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _all_strings(item)]
    return []


def test_languages_complete_and_in_own_script() -> None:
    assert CODES == ["nl", "fr", "de", "en", "ar", "tr", "uk"]
    names = {lang.code: lang.name for lang in LANGUAGES}
    assert names == {
        "nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English",
        "ar": "العربية", "tr": "Türkçe", "uk": "Українська",
    }
    directions = {lang.code: lang.direction for lang in LANGUAGES}
    assert directions["ar"] == "rtl"
    assert all(direction == "ltr" for code, direction in directions.items() if code != "ar")


def test_every_language_file_exists_and_no_stray_files() -> None:
    # Kiosk files are named by language code; other screens keep their own files alongside.
    files = sorted(path.stem for path in texts.I18N_DIR.glob("??.json"))
    assert files == sorted(CODES)


@pytest.mark.parametrize("code", CODES)
def test_every_file_has_every_key_of_nl(code: str) -> None:
    raw = json.loads((texts.I18N_DIR / f"{code}.json").read_text(encoding="utf-8"))
    keys = {key for key in raw if not key.startswith("_")}
    assert keys == reference_keys()
    assert raw["_text_version"] == CONSENT_TEXT_VERSION
    loaded = load_texts(code)
    assert set(loaded) - {"_meta"} == reference_keys()
    assert all(isinstance(loaded[key], str) and loaded[key].strip() for key in reference_keys())


@pytest.mark.parametrize("code", CODES)
def test_meta_tells_direction_version_and_languages(code: str) -> None:
    meta = load_texts(code)["_meta"]
    assert meta["language"] == code
    assert meta["direction"] == ("rtl" if code == "ar" else "ltr")
    assert meta["text_version"] == CONSENT_TEXT_VERSION
    assert [item["code"] for item in meta["languages"]] == CODES


@pytest.mark.parametrize("code", CODES)
def test_no_nudging_words(code: str) -> None:
    raw = json.loads((texts.I18N_DIR / f"{code}.json").read_text(encoding="utf-8"))
    found = []
    for key, value in raw.items():
        if key == "_glossary":
            continue  # the glossary is for translators, never shown
        for text in _all_strings(value):
            plain = _plain(text)
            for word in NUDGING_WORDS:
                if re.search(rf"(?<!\w){re.escape(_plain(word))}(?!\w)", plain):
                    found.append((key, word))
    assert found == []


def test_nudging_check_catches_a_nudge() -> None:
    """The word check itself must fire on forbidden wording, including an Arabic variant."""
    plain = _plain("Zeg ja, dan gaat het sneller")
    assert re.search(r"(?<!\w)sneller(?!\w)", plain)
    assert _plain("أفضّل") == _plain("أفضل")


def test_rights_sentence_present_in_every_language() -> None:
    assert load_texts("nl")["rights"] == RIGHTS_SENTENCE_NL
    seen = set()
    for code in CODES:
        rights = load_texts(code)["rights"]
        assert len(rights) > 20
        seen.add(rights)
    assert len(seen) == len(CODES), "each language has its own translation of the rights sentence"


def test_question_explains_recording_and_ai_in_dutch() -> None:
    nl = load_texts("nl")
    question = " ".join(nl[key] for key in reference_keys() if key.startswith("question_"))
    for needle in ("opnemen", "tekst", "ontwerp", "geen beslissingen", "gewist", "stoppen",
                   "één aanraking", "beslist wat in het verslag komt"):
        assert needle in question
    assert nl["answer_yes"] == "Ja, u mag opnemen"
    assert nl["answer_no"] == "Nee, liever niet"
    assert nl["revoke_button"] == "Stop — ik trek mijn toestemming in"


def test_answers_are_of_comparable_length() -> None:
    """Neither answer should dwarf the other on screen."""
    for code in CODES:
        t = load_texts(code)
        yes, no = len(t["answer_yes"]), len(t["answer_no"])
        assert max(yes, no) <= 2 * min(yes, no), code


def test_glossary_documents_every_key() -> None:
    raw = json.loads((texts.I18N_DIR / "nl.json").read_text(encoding="utf-8"))
    assert set(raw["_glossary"]) - {"_text_version"} == reference_keys()


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(UnknownLanguage, match="unknown kiosk language 'xx'"):
        load_texts("xx")
    with pytest.raises(KeyError):
        load_texts("../nl")
    with pytest.raises(ValueError):
        load_texts("")


def test_incomplete_file_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for code in ("nl", "fr"):
        (tmp_path / f"{code}.json").write_text(
            (texts.I18N_DIR / f"{code}.json").read_text(encoding="utf-8"), encoding="utf-8"
        )
    broken = json.loads((tmp_path / "fr.json").read_text(encoding="utf-8"))
    del broken["rights"]
    (tmp_path / "fr.json").write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(texts, "I18N_DIR", tmp_path)
    with pytest.raises(TextsInvalid, match="missing keys \\['rights'\\]"):
        load_texts("fr")
    broken["rights"] = "x"
    broken["_text_version"] = "consent-2020-01"
    (tmp_path / "fr.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(TextsInvalid, match="text version"):
        load_texts("fr")
    (tmp_path / "fr.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(TextsInvalid, match="cannot read"):
        load_texts("fr")
