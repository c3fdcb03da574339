"""Kiosk texts per language: the languages offered, loading and validating `i18n/<lang>.json`.

`nl.json` is the reference: every other file must have exactly its keys. Keys starting with
`_` are metadata (`_glossary`, `_text_version`) and are not served as texts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, NamedTuple

CONSENT_TEXT_VERSION = "consent-2026-11"
"""Version of the consent wording shown; bump it (in every i18n file too) when the wording changes."""

I18N_DIR = Path(__file__).resolve().parent / "i18n"
STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The screen itself (kiosk.html, kiosk.css, kiosk.js), served as-is: no build step."""
REFERENCE_LANGUAGE = "nl"

Direction = Literal["ltr", "rtl"]


class Language(NamedTuple):
    """A language the client can pick, named in its own script so it is found without reading Dutch."""

    code: str
    name: str
    direction: Direction


LANGUAGES: list[Language] = [
    Language("nl", "Nederlands", "ltr"),
    Language("fr", "Français", "ltr"),
    Language("de", "Deutsch", "ltr"),
    Language("en", "English", "ltr"),
    Language("ar", "العربية", "rtl"),
    Language("tr", "Türkçe", "ltr"),
    Language("uk", "Українська", "ltr"),
]
"""Languages in the order the kiosk shows them; Dutch first (the default)."""


class UnknownLanguage(KeyError, ValueError):
    """The language code is not one the kiosk offers (callers may treat it as not found or bad input)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown language"


class TextsInvalid(RuntimeError):
    """An i18n file is missing, unreadable or incomplete; the kiosk must not show half a question."""


def language(code: str) -> Language:
    """Return the offered language with this code, or raise `UnknownLanguage`."""
    for lang in LANGUAGES:
        if lang.code == code:
            return lang
    offered = ", ".join(lang.code for lang in LANGUAGES)
    raise UnknownLanguage(f"unknown kiosk language {code!r}; offered: {offered}")


def _read(code: str) -> dict[str, Any]:
    path = I18N_DIR / f"{code}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TextsInvalid(f"cannot read kiosk texts {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise TextsInvalid(f"kiosk texts {path} must be a JSON object")
    return data


def _texts_only(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if not key.startswith("_")}


def reference_keys() -> set[str]:
    """The text keys every language must have (those of nl.json, metadata excluded)."""
    return set(_texts_only(_read(REFERENCE_LANGUAGE)))


def load_texts(lang: str) -> dict[str, Any]:
    """Load and check the kiosk texts for `lang`.

    Returns every text key (all `str`) plus `"_meta"`: the language, its direction, the consent
    text version and the list of offered languages, so the screen needs no second request.
    Raises `UnknownLanguage` for a code not offered and `TextsInvalid` for a broken file.
    """
    offered = language(lang)
    data = _read(lang)
    version = data.get("_text_version")
    if version != CONSENT_TEXT_VERSION:
        raise TextsInvalid(
            f"{lang}.json has text version {version!r}, expected {CONSENT_TEXT_VERSION!r}: "
            "translate the new wording before bumping the version"
        )
    texts = _texts_only(data)
    missing = sorted(reference_keys() - set(texts))
    extra = sorted(set(texts) - reference_keys())
    if missing or extra:
        raise TextsInvalid(f"{lang}.json: missing keys {missing}, unknown keys {extra}")
    empty = sorted(key for key, value in texts.items() if not isinstance(value, str) or not value.strip())
    if empty:
        raise TextsInvalid(f"{lang}.json: keys without text {empty}")
    texts["_meta"] = {
        "language": offered.code,
        "direction": offered.direction,
        "text_version": CONSENT_TEXT_VERSION,
        "languages": [item._asdict() for item in LANGUAGES],
    }
    return texts
