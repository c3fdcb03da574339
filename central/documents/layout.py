"""What an exported document shows, in order, whatever the file format: one list of blocks.

PDF and ODT lay out the same blocks, so both carry the same text: title, dossier lines,
sections with their sentences, each sentence's sources (not in a letter to the client, where the
sources stay in the metadata), and the transparency statement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from central.documents.decision import long_date
from central.documents.model import DocSentence, Source
from central.documents.store import StoredDocument

BlockKind = Literal["title", "meta", "heading", "sentence", "source", "empty", "transparency_title",
                    "transparency"]
_LABELS = {
    "nl": {"dossier": "Dossier", "version": "Versie", "validated": "Gevalideerd door {by} op {at}",
           "supersedes": "vervangt versie {v}", "empty": "(niets)", "transparency": "Transparantie",
           "source": "Bron", "template": "sjabloon"},
    "fr": {"dossier": "Dossier", "version": "Version", "validated": "Validé par {by} le {at}",
           "supersedes": "remplace la version {v}", "empty": "(rien)", "transparency": "Transparence",
           "source": "Source", "template": "modèle"},
}


@dataclass(frozen=True)
class Block:
    """One paragraph of the export."""

    kind: BlockKind
    text: str


def blocks(stored: StoredDocument) -> list[Block]:
    """The exported document, paragraph by paragraph."""
    doc = stored.document
    t = _LABELS[doc.language]
    at = long_date(stored.validated_at.date(), doc.language) if stored.validated_at else "?"
    version = f"{t['version']} {doc.version}" + (f" ({t['supersedes'].format(v=doc.supersedes)})"
                                                  if doc.supersedes else "")
    out = [Block("title", doc.template.title),
           Block("meta", f"{t['dossier']} {doc.dossier_ref} · {doc.document_id} · {version}"),
           Block("meta", t["validated"].format(by=stored.validated_name or "?", at=at))]
    for section in doc.sections:
        out.append(Block("heading", section.title))
        if not section.sentences:
            out.append(Block("empty", t["empty"]))
        for x in section.sentences:
            out.append(Block("sentence", x.text))
            if doc.kind != "beslissingsbrief":
                out.append(Block("source", f"{t['source']}: {cited(x, doc.language)}"))
    text = str((stored.meta or {}).get("text") or "")
    if text:
        out += [Block("transparency_title", t["transparency"]), Block("transparency", text)]
    return out


def cited(sentence: DocSentence, lang: str) -> str:
    """The sentence's sources in one line: the report sentence, its date and who validated it."""
    if sentence.origin == "worker":
        return "maatschappelijk werker" if lang == "nl" else "travailleur social"
    return "; ".join(_one(s, lang) for s in sentence.sources if s.kind == "report") or "; ".join(
        _one(s, lang) for s in sentence.sources)


def metadata(stored: StoredDocument) -> str:
    """The machine-readable part: each sentence's sources and the transparency statement (JSON)."""
    doc = stored.document
    return json.dumps({
        "document_id": doc.document_id, "version": doc.version, "kind": doc.kind,
        "template": doc.template.model_dump(), "checklist": doc.checklist.model_dump() if doc.checklist else None,
        "sentences": [{"section": sid, "id": x.id, "origin": x.origin,
                       "sources": [s.model_dump(exclude={"text"}) for s in x.sources]}
                      for sid, x in doc.all_sentences()],
        "transparency": {k: v for k, v in (stored.meta or {}).items() if k != "text"},
    }, ensure_ascii=False)


def _one(source: Source, lang: str) -> str:
    if source.kind == "template":
        return f"{_LABELS[lang]['template']} {source.ref} {source.version}, {source.sentence_id}"
    day = source.date[:10] if source.date else "?"
    return f"{source.ref} v{source.version} {source.sentence_id} ({day}, {source.by or '?'})"
