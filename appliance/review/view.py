"""The part of a report dict that rendering reads, checked up front so bad input fails clearly."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ReportCitation(BaseModel):
    """A sentence's pointer into the (box-local) transcript."""

    model_config = ConfigDict(extra="ignore")
    segment: str
    start: float
    end: float


class ReportSentence(BaseModel):
    """One final sentence of the report."""

    model_config = ConfigDict(extra="ignore")
    text: str
    origin: str = "draft"
    citations: list[ReportCitation] = Field(default_factory=list)


class ReportSection(BaseModel):
    """One template section with its final sentences."""

    model_config = ConfigDict(extra="ignore")
    id: str
    title: str
    sentences: list[ReportSentence] = Field(default_factory=list)


class ReportTemplate(BaseModel):
    """Which template the report follows."""

    model_config = ConfigDict(extra="ignore")
    id: str
    version: str
    title: str = ""


class ReportWorker(BaseModel):
    """The worker who validated."""

    model_config = ConfigDict(extra="ignore")
    username: str = ""
    display_name: str


class ReportView(BaseModel):
    """What the renderers need from a validated report; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    report_id: str
    version: int = 1
    supersedes: int | None = Field(default=None, description="The version this one corrects.")
    org: str = ""
    dossier_ref: str
    language: str = "nl"
    template: ReportTemplate
    sections: list[ReportSection]
    validated_by: ReportWorker
    validated_at: str
    transparency: dict[str, Any]


def parse_report(report: dict[str, Any]) -> ReportView:
    """Check a report dict; ValueError naming the missing or wrong fields when it is unusable."""
    try:
        return ReportView.model_validate(report)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ValueError(f"report cannot be rendered: {problems}") from exc
