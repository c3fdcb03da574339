"""The worker's review of a draft document: edit, move, delete (with undo), add.

The screen sends the sections as lists of sentences (id and text). A known id keeps what the
server knows of that sentence (origin, sources, checklist element), so sources can never be
forged from the browser; a changed text is marked as edited by the worker. An unknown or empty
id is a sentence the worker adds, marked as theirs. A deleted sentence is simply absent, and
comes back with its sources when the worker undoes the deletion.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from central.documents.model import DocSection, DocSentence, Document

MAX_SENTENCE = 4000


class EditedSentence(BaseModel):
    """One sentence as the screen sends it back."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, max_length=40)
    text: str = Field(max_length=MAX_SENTENCE)


class EditedSection(BaseModel):
    """One section's sentences, in the order the worker left them."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(max_length=60)
    sentences: list[EditedSentence] = Field(default_factory=list, max_length=500)


class ReviewError(ValueError):
    """Edits that cannot be applied; the message says which and why."""


@dataclass(frozen=True)
class EditCounts:
    """How much the worker changed against the built document: counts only."""

    built: int
    edited: int
    moved: int
    added: int
    deleted: int

    def as_json(self) -> dict[str, int]:
        """For the transparency metadata."""
        return {"built": self.built, "edited": self.edited, "moved": self.moved,
                "added": self.added, "deleted": self.deleted}


def apply_edits(original: Document, working: Document, edits: list[EditedSection],
                author: str) -> Document:
    """The working document with the worker's sections; ReviewError for edits that do not fit."""
    known: dict[str, DocSentence] = {x.id: x for x in original.unassigned}
    known.update({x.id: x for _, x in original.all_sentences()})
    known.update({x.id: x for x in working.unassigned})
    known.update({x.id: x for _, x in working.all_sentences()})
    built_text = {x.id: x.text for x in original.unassigned}
    built_text.update({x.id: x.text for _, x in original.all_sentences()})
    by_id = {e.id: e for e in edits}
    if set(by_id) != {s.id for s in working.sections} or len(by_id) != len(edits):
        raise ReviewError("send every section of the document once, by its id")
    seen: set[str] = set()
    added = max((int(x[1:]) for x in known if x[:1] == "w" and x[1:].isdigit()), default=0)
    sections = []
    for section in working.sections:
        sentences = []
        for item in by_id[section.id].sentences:
            text = " ".join(item.text.split())
            if not text:
                continue  # an emptied sentence is a deleted one
            if item.id and item.id in seen:
                raise ReviewError(f"sentence {item.id} appears twice")
            prior = known.get(item.id or "")
            if prior is None:
                added += 1
                sentence = DocSentence(id=f"w{added}", text=text, origin="worker", author=author)
            else:
                changed = text != built_text.get(prior.id, prior.text)
                sentence = prior.model_copy(update={
                    "text": text, "edited": changed and prior.origin != "worker",
                    "author": author if changed else prior.author})
            if section.worker_only and sentence.origin != "worker":
                raise ReviewError(f"only the worker writes in {section.title!r}: type it there")
            seen.add(sentence.id)
            sentences.append(sentence)
        sections.append(section.model_copy(update={"sentences": tuple(sentences)}))
    unassigned = tuple(x for x in original.unassigned if x.id not in seen)
    return working.model_copy(update={"sections": tuple(sections), "unassigned": unassigned})


def count_edits(original: Document, final: Document) -> EditCounts:
    """Compare the built document with the final one, sentence by sentence."""
    before = {x.id: (sid, x) for sid, x in original.all_sentences()}
    before.update({x.id: ("", x) for x in original.unassigned})
    after = {x.id: (sid, x) for sid, x in final.all_sentences()}
    edited = sum(1 for _, x in after.values() if x.edited)
    moved = sum(1 for k, (sid, x) in after.items() if k in before and before[k][0] != sid and not x.edited)
    deleted = sum(1 for k in before if k not in after and before[k][0] != "")
    added = sum(1 for k in after if k not in before)
    return EditCounts(len(before), edited, moved, added, deleted)


def empty_sections(document: Document) -> list[DocSection]:
    """Required sections with no sentence."""
    return [s for s in document.sections if s.required and not s.sentences]
