"""The validated contact reports a document is built from, and their sentences as sources.

A report is the JSON a box validated (or a worker wrote by hand on the manual path: the shape is
the same), with the clear columns central keeps beside it. Nothing here depends on whether AI
was used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from central.documents.model import ReportStamp, Source


@dataclass(frozen=True)
class ContactReport:
    """One validated contact report of the dossier (the newest version of it)."""

    report_id: str
    version: int
    body: dict[str, Any]

    @property
    def validated_at(self) -> str | None:
        """When the worker validated it (ISO), as the report states."""
        value = self.body.get("validated_at")
        return value if isinstance(value, str) else None

    @property
    def validated_by(self) -> str | None:
        """The validating worker's display name."""
        who = self.body.get("validated_by")
        name = who.get("display_name") if isinstance(who, dict) else None
        return name if isinstance(name, str) else None

    @property
    def template(self) -> str:
        """The report's template as 'id version'."""
        template = self.body.get("template")
        if not isinstance(template, dict):
            return ""
        return f"{template.get('id') or ''} {template.get('version') or ''}".strip()

    @property
    def ai_used(self) -> bool | None:
        """Whether the report says AI was used (None when it does not say)."""
        statement = self.body.get("transparency")
        used = statement.get("ai_used") if isinstance(statement, dict) else None
        return used if isinstance(used, bool) else None

    def stamp(self) -> ReportStamp:
        """How a document's transparency statement names this report."""
        return ReportStamp(report_id=self.report_id, version=self.version, template=self.template,
                           validated_at=self.validated_at, validated_by=self.validated_by,
                           ai_used=self.ai_used)

    def sentences(self) -> Iterator[ReportSentence]:
        """Every sentence with text, section by section, in report order."""
        sections = self.body.get("sections")
        for section in sections if isinstance(sections, list) else []:
            if not isinstance(section, dict):
                continue
            items = section.get("sentences")
            for n, item in enumerate(items if isinstance(items, list) else [], start=1):
                if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                    continue
                text = item["text"].strip()
                if text:
                    sid = str(item.get("id") or f"{section.get('id')}#{n}")
                    fact = item.get("fact") if isinstance(item.get("fact"), dict) else None
                    yield ReportSentence(self, str(section.get("id") or ""), sid, text, fact)


@dataclass(frozen=True)
class ReportSentence:
    """One sentence of a validated report, with the report it belongs to."""

    report: ContactReport
    section_id: str
    sentence_id: str
    text: str
    fact: dict[str, Any] | None

    def source(self) -> Source:
        """The citation a document sentence carries for it."""
        return Source(kind="report", ref=self.report.report_id, version=str(self.report.version),
                      sentence_id=self.sentence_id, text=self.text, date=self.report.validated_at,
                      by=self.report.validated_by, template=self.report.template)


def in_order(reports: list[ContactReport]) -> list[ContactReport]:
    """Oldest validated first, so a later report's value replaces an earlier one."""
    return sorted(reports, key=lambda r: (r.validated_at or "", r.report_id))
