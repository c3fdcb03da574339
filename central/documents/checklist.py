"""The versioned checklist of what a decision letter must carry; a missing item blocks validation.

An item is present when some sentence of the letter carries the item's element, contains the
item's words in the letter's language, and contains each value a person entered for the item
(the court's address, the contact person, ...). Deleting or rewording the clause shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from central.documents.model import Document, TemplateStamp
from central.documents.templates import Change, DocumentTemplateError, problems, read_toml

CHECKLISTS_DIR = Path(__file__).with_name("checklists")


class ChecklistItem(BaseModel):
    """One element the letter must carry."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    element: str
    fields: tuple[str, ...] = Field(default=(), description="Entered values the sentence must contain.")
    words_nl: tuple[str, ...] = ()
    words_fr: tuple[str, ...] = ()
    label_nl: str
    label_fr: str
    basis: str

    def label(self, lang: str) -> str:
        """The item's name for the worker."""
        return self.label_fr if lang == "fr" else self.label_nl

    def words(self, lang: str) -> tuple[str, ...]:
        """The words its sentence must contain in `lang`."""
        return self.words_fr if lang == "fr" else self.words_nl


class Checklist(BaseModel):
    """A versioned checklist (id, version, date, owner, changelog)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    date: str
    owner: str
    changelog: tuple[Change, ...] = Field(min_length=1)
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    @property
    def stamp(self) -> TemplateStamp:
        """What a letter records of the checklist it was checked against."""
        return TemplateStamp(id=self.id, version=self.version, date=self.date)


@dataclass(frozen=True)
class CheckResult:
    """One item's outcome; `problem` says what is missing."""

    item: ChecklistItem
    problem: str | None

    def as_json(self, lang: str) -> dict[str, Any]:
        """For the screen and the document's metadata."""
        return {"id": self.item.id, "label": self.item.label(lang), "basis": self.item.basis,
                "present": self.problem is None, "problem": self.problem}


def load_checklist(checklist_id: str, folder: Path = CHECKLISTS_DIR) -> Checklist:
    """A checklist by id."""
    path = folder / f"{checklist_id}.toml"
    try:
        return Checklist.model_validate(read_toml(path))
    except ValidationError as exc:
        raise DocumentTemplateError(f"{path}: {problems(exc)}") from exc


def check(checklist: Checklist, document: Document) -> list[CheckResult]:
    """Every item of the checklist against the document's sentences and entered fields."""
    lang = document.language
    results = []
    for item in checklist.items:
        results.append(CheckResult(item, _problem(item, document, lang)))
    return results


def missing(results: list[CheckResult]) -> list[CheckResult]:
    """The items that are not present."""
    return [r for r in results if r.problem is not None]


def _problem(item: ChecklistItem, document: Document, lang: str) -> str | None:
    values = [str(document.fields.get(name) or "").strip() for name in item.fields]
    if not all(values):
        empty = [n for n, v in zip(item.fields, values, strict=True) if not v]
        return f"not entered: {', '.join(empty)}"
    carriers = [x.text for _, x in document.all_sentences() if x.element == item.element]
    if not carriers:
        return "no sentence carries it"
    needed = [w.lower() for w in item.words(lang)] + [v.lower() for v in values]
    for text in carriers:
        if all(w in text.lower() for w in needed):
            return None
    return "its sentence lacks: " + ", ".join(w for w in needed if not any(w in t.lower() for t in carriers))
