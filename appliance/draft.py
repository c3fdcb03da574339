"""Draft values: a filled template where every sentence cites transcript segments.

JSON shape (shared with the evaluation scorer): `template`, `sections[].sentences[].citations[]`,
`unassigned`, `excluded`. Extra fields are welcome; those must be there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """A pointer from a sentence to the segment it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    segment: str
    start: float
    end: float


class Sentence(BaseModel):
    """One draft sentence. `flags` tell the worker why to look twice (e.g. 'low_confidence')."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = ""
    text: str
    citations: tuple[Citation, ...] = Field(default=(), description="At least one for a generated sentence; a sentence the worker typed may have none.")
    flags: tuple[str, ...] = ()
    confidence: float = 1.0
    origin: str = Field(default="draft", description="'draft' (made by the drafting engine) or 'worker' (typed by hand).")


class Section(BaseModel):
    """One template section with its sentences."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    sentences: tuple[Sentence, ...] = ()
    required: bool = False


class ExcludedItem(BaseModel):
    """Something kept out of the report, with the reason (e.g. the client asked)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    text: str
    reason: str
    citations: tuple[Citation, ...] = ()


class TemplateRef(BaseModel):
    """Which template, which version."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    version: str


class Draft(BaseModel):
    """A filled template. Only ever a draft until a named worker validates it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    template: TemplateRef
    sections: tuple[Section, ...] = ()
    unassigned: tuple[Sentence, ...] = ()
    excluded: tuple[ExcludedItem, ...] = ()
    engine: str = Field(default="", description="Drafting engine name and version, for the transparency statement.")
