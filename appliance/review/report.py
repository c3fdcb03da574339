"""From a reviewed draft to the validated report: final text, the edits, the transparency statement.

Pure functions: draft + edits in, report out. Sealing and the outbox happen in `appliance.review.validation`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appliance.draft import Citation, Draft, Fact, Section, Sentence, TemplateRef
from appliance.review.wording import transparency_text
from appliance.transcript import ModelStamp


@dataclass(frozen=True)
class Validator:
    """The named worker who read and validated the report."""

    username: str
    display_name: str


@dataclass(frozen=True)
class EditSummary:
    """How much the worker changed: counts and kinds only, never content. The text of a deleted
    or replaced sentence, and the engine's draft, never leave the box."""

    draft_sentences: int
    changed: int
    """Sentences whose text the worker changed (wherever they ended up)."""
    moved: int
    """Sentences moved to another section with their text unchanged."""
    added: int
    deleted: int

    @property
    def changed_share(self) -> float:
        """Share of the engine's sentences the worker changed, moved or deleted."""
        if self.draft_sentences == 0:
            return 0.0
        return round((self.changed + self.moved + self.deleted) / self.draft_sentences, 3)


def _by_id(draft: Draft | None) -> dict[str, tuple[str, Sentence]]:
    if draft is None:
        return {}
    out = {}
    for section in draft.sections:
        for s in section.sentences:
            out[s.id or s.text] = (section.id, s)
    return out


def summarise_edits(original: Draft | None, final: Draft) -> EditSummary:
    """Compare the engine's draft with the worker's final version, sentence by sentence."""
    before, after = _by_id(original), _by_id(final)
    changed = moved = deleted = 0
    for key, (section, sent) in before.items():
        if key not in after:
            deleted += 1
        elif after[key][1].text != sent.text:
            changed += 1
        elif after[key][0] != section:
            moved += 1
    added = sum(1 for k in after if k not in before)
    return EditSummary(len(before), changed, moved, added, deleted)


def new_report_id() -> str:
    """Random report id; versions of the same report share it."""
    return "r_" + secrets.token_hex(10)


def transparency(
    *, ai_used: bool, models: list[ModelStamp], engine: str, template: dict[str, str],
    edits: EditSummary, validator: Validator, validated_at: datetime, lang: str = "nl",
) -> dict[str, Any]:
    """Machine-readable statement of whether and how AI was used, with its human wording."""
    meta: dict[str, Any] = {
        "ai_used": ai_used,
        "models": [{"name": m.name, "version": m.version, "sha256": m.sha256} for m in models],
        "drafting_engine": engine if ai_used else None,
        "template": template,
        "worker_read_and_validated": True,
        "changes": {"draft_sentences": edits.draft_sentences, "changed": edits.changed,
                    "moved": edits.moved, "added": edits.added, "deleted": edits.deleted},
        "validated_by": validator.display_name,
        "validated_at": validated_at.isoformat(),
    }
    meta["text"] = transparency_text(meta, lang)
    return meta


def _report_sentence(x: Sentence, drafted: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": x.id, "text": x.text, "origin": x.origin,
                           "citations": [c.model_dump() for c in x.citations]}
    if x.fact is not None:
        out["fact"] = x.fact.model_dump()
        # The fact was typed by the engine; if the worker rewrote the sentence, its fields may no
        # longer be what the sentence says, and whoever reuses them should look at the text.
        out["fact_text_edited"] = drafted.get(x.id or x.text, x.text) != x.text
    return out


def build_report(
    *, report_id: str, version: int, supersedes: int | None, org: str, device_id: str,
    dossier_ref: str, template_title: str, original: Draft | None, final: Draft,
    ai_used: bool, models: list[ModelStamp], validator: Validator, validated_at: datetime,
    stopped_at: datetime | None,
) -> dict[str, Any]:
    """Assemble the validated report as one JSON-ready dict."""
    edits = summarise_edits(original, final)
    drafted = {key: sent.text for key, (_, sent) in _by_id(original).items()}
    template = {"id": final.template.id, "version": final.template.version}
    sections = [
        {"id": s.id, "title": s.title,
         "sentences": [_report_sentence(x, drafted) for x in s.sentences]}
        for s in final.sections
    ]
    return {
        "report_id": report_id,
        "version": version,
        "supersedes": supersedes,
        "org": org,
        "device_id": device_id,
        "dossier_ref": dossier_ref,
        "language": "nl",
        "template": {**template, "title": template_title},
        "sections": sections,
        "validated_by": {"username": validator.username, "display_name": validator.display_name},
        "validated_at": validated_at.isoformat(),
        "transparency": transparency(
            ai_used=ai_used, models=models, engine=final.engine or "spreekkamer-draft",
            template=template, edits=edits, validator=validator, validated_at=validated_at,
        ),
        "metrics": {
            "stop_to_validation_s": (validated_at - stopped_at).total_seconds() if stopped_at else None,
            "changed_share": edits.changed_share,
        },
    }


def report_as_draft(report: dict[str, Any]) -> Draft:
    """A validated report as an editable draft: the starting point of a correction."""
    template = TemplateRef(id=report["template"]["id"], version=report["template"]["version"])
    sections = tuple(
        Section(id=sec["id"], title=sec["title"], sentences=tuple(
            Sentence(id=x.get("id") or f"v{report['version']}-{i}", text=x["text"], origin=x.get("origin", "draft"),
                     citations=tuple(Citation(**c) for c in x.get("citations", ())),
                     fact=Fact(**x["fact"]) if x.get("fact") else None)
            for i, x in enumerate(sec["sentences"])))
        for sec in report["sections"]
    )
    return Draft(template=template, sections=sections, engine=report["transparency"].get("drafting_engine") or "")


def canonical_json(report: dict[str, Any]) -> bytes:
    """Stable bytes for hashing and signing."""
    return json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(report: dict[str, Any]) -> str:
    """SHA-256 of the canonical report JSON."""
    return hashlib.sha256(canonical_json(report)).hexdigest()
