"""Derived-document templates: versioned TOML files, sections in Dutch and French, fixed clauses.

Like the box's drafting templates, a template is data: id, version, date, owner and a changelog
with the reason for each change. A section names the contact-report sections (and typed fact
kinds) its sentences are taken from, or the earlier document's sections, and may hold fixed
clauses whose placeholders are filled only with what a person entered or a report states.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from central.documents.model import Kind, TemplateStamp

TEMPLATES_DIR = Path(__file__).with_name("templates")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class DocumentTemplateError(Exception):
    """A template file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Change(_Strict):
    """One change to a template or checklist and why it was made."""

    version: str
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    reason: str = Field(min_length=3)


class Clause(_Strict):
    """A fixed sentence of the template, in Dutch and French, with placeholders for entered fields."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    nl: str = Field(min_length=2)
    fr: str = Field(min_length=2)
    element: str | None = Field(default=None, description="The checklist element it carries.")
    outcome: tuple[str, ...] = Field(default=(), description="Only for these decisions (empty: always).")
    matches: str | None = Field(default=None, description="Only when the request matches this regex.")
    fallback: bool = Field(default=False, description="Used when no clause of its group matched.")

    def text(self, lang: str) -> str:
        """The clause's wording in `lang`."""
        return self.fr if lang == "fr" else self.nl

    def placeholders(self) -> set[str]:
        """The field names its wording needs."""
        return set(_PLACEHOLDER.findall(self.nl)) | set(_PLACEHOLDER.findall(self.fr))

    @model_validator(mode="after")
    def _same_placeholders(self) -> Clause:
        if set(_PLACEHOLDER.findall(self.nl)) != set(_PLACEHOLDER.findall(self.fr)):
            raise ValueError(f"clause {self.id!r}: Dutch and French need the same placeholders")
        if self.matches is not None:
            re.compile(self.matches)
        return self


class DocumentSection(_Strict):
    """One section: titles, guidance, where its sentences come from, its fixed clauses."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titles: dict[str, str]
    guidance: str = Field(min_length=3)
    required: bool = False
    worker_only: bool = False
    report_sections: tuple[str, ...] = Field(default=(), description="Contact-report section ids.")
    document_sections: tuple[str, ...] = Field(default=(), description="Sections of the earlier document.")
    clauses: tuple[Clause, ...] = ()

    def title(self, lang: str) -> str:
        """The title in `lang`, falling back to Dutch."""
        return self.titles.get(lang) or self.titles["nl"]

    @model_validator(mode="after")
    def _checked(self) -> DocumentSection:
        if {"nl", "fr"} - set(self.titles):
            raise ValueError(f"section {self.id!r}: titles in 'nl' and 'fr' are required")
        if self.worker_only and (self.report_sections or self.document_sections or self.clauses):
            raise ValueError(f"section {self.id!r}: a worker-only section takes nothing from elsewhere")
        return self


class DocumentTemplate(_Strict):
    """A versioned template of a derived document."""

    id: Kind
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    owner: str = Field(min_length=2)
    titles: dict[str, str]
    based_on: Kind | None = Field(default=None, description="The validated document it is built from.")
    changelog: tuple[Change, ...] = Field(min_length=1)
    sections: tuple[DocumentSection, ...] = Field(min_length=1)

    def title(self, lang: str) -> str:
        """The title in `lang`, falling back to Dutch."""
        return self.titles.get(lang) or self.titles["nl"]

    def stamp(self, lang: str) -> TemplateStamp:
        """The id, version and date a document records."""
        return TemplateStamp(id=self.id, version=self.version, date=self.date, title=self.title(lang))

    def target_for(self, report_section: str) -> str | None:
        """The section that takes a contact report's section, or None (then: unassigned)."""
        for section in self.sections:
            if report_section in section.report_sections:
                return section.id
        return None

    @model_validator(mode="after")
    def _consistent(self) -> DocumentTemplate:
        ids = [s.id for s in self.sections]
        if len(ids) != len(set(ids)):
            raise ValueError("section ids must be unique")
        taken = [r for s in self.sections for r in s.report_sections]
        if len(taken) != len(set(taken)):
            raise ValueError("a report section may feed only one section")
        if self.changelog[-1].version != self.version:
            raise ValueError(f"the last changelog entry must describe version {self.version}")
        if {"nl", "fr"} - set(self.titles):
            raise ValueError("titles in 'nl' and 'fr' are required")
        return self


def read_toml(path: Path) -> dict[str, object]:
    """A TOML file as a dict; DocumentTemplateError naming the file when unreadable."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DocumentTemplateError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DocumentTemplateError(f"{path}: not valid TOML: {exc}") from exc


def problems(exc: ValidationError) -> str:
    """A validation error as 'field.path: message; ...'."""
    return "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors())


def load_document_template(kind: str, folder: Path = TEMPLATES_DIR) -> DocumentTemplate:
    """The template of a document kind."""
    if not kind.replace("_", "").isalnum():
        raise DocumentTemplateError(f"not a document kind: {kind!r}")
    path = folder / f"{kind}.toml"
    if not path.is_file():
        raise DocumentTemplateError(f"no document template {kind!r} in {folder}")
    try:
        template = DocumentTemplate.model_validate(read_toml(path))
    except ValidationError as exc:
        raise DocumentTemplateError(f"{path}: {problems(exc)}") from exc
    if template.id != path.stem:
        raise DocumentTemplateError(f"{path}: id {template.id!r} does not match the file name")
    return template
