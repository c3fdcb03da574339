"""Draft values: a filled template where every sentence cites transcript segments.

JSON shape (shared with the evaluation scorer): `template`, `sections[].sentences[].citations[]`,
`unassigned`, `excluded`. Extra fields are welcome; those must be there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Citation(BaseModel):
    """A pointer from a sentence to the segment it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    segment: str
    start: float
    end: float


FACT_KINDS: dict[str, tuple[str, ...]] = {
    # kind: its fields (all optional strings; dates ISO 'YYYY-MM-DD', hours 'HH:MM', amounts in euro).
    "request": ("what", "date"),
    "household_member": ("person", "relation", "age"),
    "residence": ("place", "housing_type", "since"),
    "income": ("person", "source", "amount", "period", "approximate"),
    "housing_cost": ("kind", "amount", "period", "approximate"),
    "debt": ("creditor", "amount", "period", "approximate"),
    "work_study": ("person", "activity", "status"),
    "health": ("person", "statement"),
    "network": ("person", "relation", "support"),
    "appointment": ("date", "time", "place", "with_whom", "purpose", "weekday"),
    "agreement": ("who", "what", "due"),
    "document": ("what", "due"),
    "not_decided": ("what", "who_decides"),
}


class Fact(BaseModel):
    """The typed fact a sentence states, as the worker validated it: what central indexes and
    the later documents of the chain reuse. The sentence text is its rendering."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: str = Field(description="One of FACT_KINDS.")
    fields: dict[str, str] = Field(default_factory=dict, description="The kind's fields that the conversation gives.")

    @model_validator(mode="after")
    def _known(self) -> Fact:
        allowed = FACT_KINDS.get(self.kind)
        if allowed is None:
            raise ValueError(f"unknown fact kind {self.kind!r}")
        unknown = set(self.fields) - set(allowed)
        if unknown:
            raise ValueError(f"fields {sorted(unknown)} are not fields of a {self.kind!r} fact")
        return self


class Sentence(BaseModel):
    """One draft sentence. `flags` tell the worker why to look twice (e.g. 'low_confidence')."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = ""
    text: str
    citations: tuple[Citation, ...] = Field(default=(), description="At least one for a generated sentence; a sentence the worker typed may have none.")
    flags: tuple[str, ...] = ()
    confidence: float = 1.0
    origin: str = Field(default="draft", description="'draft' (made by the drafting engine) or 'worker' (typed by hand).")
    fact: Fact | None = Field(default=None, description="The typed fact this sentence states, if it states one.")


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
