"""Human wording of a report: the transparency statement and the printed labels, in Dutch and French."""

from __future__ import annotations

from datetime import datetime
from typing import Any

SUPPORTED_LANGUAGES = ("nl", "fr")

_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}

LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "report": "Verslag", "dossier": "Dossier", "template": "Sjabloon", "version": "versie",
        "report_version": "Versie van het verslag", "supersedes": "vervangt",
        "validated_by": "Gevalideerd door", "validated_at": "Gevalideerd op",
        "transparency": "Transparantie", "empty_section": "Niets genoteerd.",
        "worker_text": "door de maatschappelijk werker geschreven", "page": "Pagina",
        "report_id": "Verslagnummer", "models": "Gebruikte modellen",
    },
    "fr": {
        "report": "Rapport", "dossier": "Dossier", "template": "Modèle", "version": "version",
        "report_version": "Version du rapport", "supersedes": "remplace",
        "validated_by": "Validé par", "validated_at": "Validé le",
        "transparency": "Transparence", "empty_section": "Rien de noté.",
        "worker_text": "écrit par le travailleur social", "page": "Page",
        "report_id": "Numéro du rapport", "models": "Modèles utilisés",
    },
}


def labels(lang: str) -> dict[str, str]:
    """Printed labels for this language (Dutch when the language is not supported)."""
    return LABELS[lang if lang in LABELS else "nl"]


def format_moment(iso: str, lang: str) -> str:
    """'28 november 2026 om 10.30 uur' / '28 novembre 2026 à 10 h 30', in the moment's own offset."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)  # show what we got rather than hide the validation moment
    lang = lang if lang in _MONTHS else "nl"
    day = f"{moment.day} {_MONTHS[lang][moment.month - 1]} {moment.year}"
    if lang == "fr":
        return f"{day} à {moment.hour} h {moment.minute:02d}"
    return f"{day} om {moment.hour}.{moment.minute:02d} uur"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _models_phrase(models: list[dict[str, Any]]) -> str:
    names = []
    for model in models:
        name = str(model.get("name", "?"))
        version = str(model.get("version", "")).strip()
        names.append(f"{name} {version}".strip())
    return ", ".join(names)


def _changes_nl(changes: dict[str, Any]) -> str:
    changed, added, deleted = (int(changes.get(k, 0) or 0) for k in ("changed", "added", "deleted"))
    parts = [f"{_count(changed, 'zin', 'zinnen')} aangepast"]
    if int(changes.get("moved", 0) or 0):
        parts.append(f"{_count(int(changes['moved']), 'zin', 'zinnen')} verplaatst")
    if added:
        parts.append(f"{_count(added, 'zin', 'zinnen')} toegevoegd")
    if deleted:
        parts.append(f"{_count(deleted, 'zin', 'zinnen')} geschrapt")
    return ", ".join(parts)


def _changes_fr(changes: dict[str, Any]) -> str:
    changed, added, deleted = (int(changes.get(k, 0) or 0) for k in ("changed", "added", "deleted"))
    parts = [f"modifié {_count(changed, 'phrase', 'phrases')}"]
    if int(changes.get("moved", 0) or 0):
        parts.append(f"déplacé {_count(int(changes['moved']), 'phrase', 'phrases')}")
    if added:
        parts.append(f"ajouté {_count(added, 'phrase', 'phrases')}")
    if deleted:
        parts.append(f"supprimé {_count(deleted, 'phrase', 'phrases')}")
    return ", ".join(parts)


def transparency_text(meta: dict[str, Any], lang: str) -> str:
    """The transparency statement in human words, from the report's transparency metadata."""
    lang = lang if lang in SUPPORTED_LANGUAGES else "nl"
    template = meta.get("template") or {}
    tpl = f"{template.get('id', '?')} {template.get('version', '')}".strip()
    worker = str(meta.get("validated_by") or "?")
    when = format_moment(str(meta.get("validated_at") or ""), lang)
    changes = meta.get("changes") or {}
    models = _models_phrase(list(meta.get("models") or []))
    engine = str(meta.get("drafting_engine") or "").strip()
    if lang == "fr":
        if meta.get("ai_used"):
            how = (
                "Ce rapport a été rédigé avec l'aide de l'IA : l'entretien a été transcrit "
                "localement, sur l'appareil de la salle d'entretien"
                + (f", par {models}" if models else "")
                + ", et un premier projet a été établi"
                + (f" par {engine}" if engine else "")
                + f" selon le modèle {tpl}. Chaque phrase du projet renvoie au passage de "
                "l'entretien dont elle provient ; l'IA n'a pris aucune décision."
            )
            who = f" Le travailleur social {worker} l'a lu, a {_changes_fr(changes)} et l'a validé le {when}."
        else:
            how = (
                "Ce rapport a été rédigé sans IA : l'entretien n'a pas été enregistré et le "
                f"travailleur social a écrit le rapport lui-même selon le modèle {tpl}."
            )
            who = f" Le travailleur social {worker} l'a relu et validé le {when}."
        return how + who
    if meta.get("ai_used"):
        how = (
            "Dit verslag werd opgesteld met hulp van AI: het gesprek werd lokaal, op het toestel "
            "in de gespreksruimte, uitgeschreven"
            + (f" door {models}" if models else "")
            + " en een eerste ontwerp werd gemaakt"
            + (f" door {engine}" if engine else "")
            + f" volgens sjabloon {tpl}. Elke ontwerpzin verwijst naar het stuk van het gesprek "
            "waar hij vandaan komt; de AI heeft niets beslist."
        )
        who = f" Maatschappelijk werker {worker} heeft het gelezen, {_changes_nl(changes)} en gevalideerd op {when}."
    else:
        how = (
            "Dit verslag werd zonder AI opgesteld: het gesprek werd niet opgenomen en de "
            f"maatschappelijk werker schreef het verslag zelf volgens sjabloon {tpl}."
        )
        who = f" Maatschappelijk werker {worker} heeft het nagelezen en gevalideerd op {when}."
    return how + who
