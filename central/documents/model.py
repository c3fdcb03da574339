"""Derived documents as typed values: sections of sentences, each sentence with its sources.

A sentence's `origin` says who wrote it: copied from a validated contact report ('report'),
taken over from an earlier document of the chain ('document'), a fixed clause of the template
('template'), the committee's decision as a person entered it ('decision'), or typed by the
worker on central ('worker'). Every origin but 'worker' carries at least one source.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Origin = Literal["report", "document", "template", "decision", "worker"]
Kind = Literal["sociaal_verslag", "voorstel_bcsd", "beslissingsbrief"]
Lang = Literal["nl", "fr"]
KINDS: tuple[Kind, ...] = ("sociaal_verslag", "voorstel_bcsd", "beslissingsbrief")


def language(lang: str) -> Lang:
    """`lang` as a document language; ValueError for any but Dutch and French."""
    if lang == "nl":
        return "nl"
    if lang == "fr":
        return "fr"
    raise ValueError(f"language {lang!r}: only 'nl' and 'fr'")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """Where a sentence comes from: a report sentence, a document sentence, a clause or the decision."""

    kind: Literal["report", "document", "template", "decision"]
    ref: str = Field(description="Report id, document id, template id, or 'decision'.")
    version: str = Field(description="Report or document version, or template version.")
    sentence_id: str = Field(description="The sentence id in the report or document, or the clause id.")
    text: str = Field(default="", description="The cited sentence or clause as it was validated.")
    date: str | None = Field(default=None, description="When the source was validated or entered (ISO).")
    by: str | None = Field(default=None, description="Who validated or entered it.")
    template: str | None = Field(default=None, description="The source report's template, e.g. 'intake 1.0.0'.")


class OlderValue(_Frozen):
    """An earlier value of a fact that a newer report changed: shown as history, never as current."""

    text: str
    source: Source


class DocSentence(_Frozen):
    """One sentence of a derived document."""

    id: str
    text: str
    origin: Origin
    sources: tuple[Source, ...] = ()
    history: tuple[OlderValue, ...] = ()
    element: str | None = Field(default=None, description="The checklist element this sentence carries.")
    edited: bool = Field(default=False, description="The worker changed the text of a sourced sentence.")
    author: str | None = Field(default=None, description="The worker who typed or last edited it.")


class DocSection(_Frozen):
    """One section of a derived document."""

    id: str
    title: str
    sentences: tuple[DocSentence, ...] = ()
    required: bool = False
    worker_only: bool = Field(default=False, description="Only the worker writes here (e.g. the proposal).")
    guidance: str = ""


class TemplateStamp(_Frozen):
    """A template or checklist as a document names it: id, version, date."""

    id: str
    version: str
    date: str
    title: str = ""


class ReportStamp(_Frozen):
    """A source report as the transparency statement names it."""

    report_id: str
    version: int
    template: str
    validated_at: str | None
    validated_by: str | None
    ai_used: bool | None


class DocumentStamp(_Frozen):
    """An earlier document of the chain that this one is built from."""

    document_id: str
    version: int
    kind: str
    validated_at: str | None
    validated_by: str | None


class Document(_Frozen):
    """A derived document: a draft until a named worker validates it, then immutable."""

    document_id: str
    version: int
    kind: Kind
    language: Lang = "nl"
    dossier_ref: str
    template: TemplateStamp
    sections: tuple[DocSection, ...]
    unassigned: tuple[DocSentence, ...] = Field(
        default=(), description="Report sentences that fit no section: shown, never dropped.")
    reports: tuple[ReportStamp, ...] = ()
    based_on: DocumentStamp | None = None
    checklist: TemplateStamp | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="Decision and contact as entered.")
    supersedes: int | None = None

    def all_sentences(self) -> list[tuple[str, DocSentence]]:
        """(section id, sentence) for every sentence in a section, in order."""
        return [(s.id, x) for s in self.sections for x in s.sentences]

    def section(self, section_id: str) -> DocSection:
        """The section with this id; KeyError when absent."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)
