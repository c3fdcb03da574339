"""Report templates: versioned TOML files with sections, bilingual titles and cue words.

A template is data, not code: IT or the OCMW can add one by dropping a file in the
configured extra folder. Every change carries a changelog entry with its reason.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from appliance.draft import Draft, Section, TemplateRef

BUNDLED_DIR = Path(__file__).with_name("templates")
"""The templates that ship with the appliance."""


class TemplateError(Exception):
    """A template file that cannot be used; the message names the file and the field."""


class ChangelogEntry(BaseModel):
    """One change to a template and why it was made."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    date: str
    reason: str = Field(min_length=3)


class TemplateSection(BaseModel):
    """One section: id, titles per language, a guidance line, cue words and whether it is required."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titles: dict[str, str]
    guidance: str = Field(min_length=3)
    cues: tuple[str, ...] = ()
    required: bool = False

    def title(self, lang: str = "nl") -> str:
        """The section title in `lang`, falling back to Dutch."""
        return self.titles.get(lang) or self.titles["nl"]

    @model_validator(mode="after")
    def _has_dutch_and_french(self) -> TemplateSection:
        missing = {"nl", "fr"} - set(self.titles)
        if missing:
            raise ValueError(f"section {self.id!r}: titles missing for {sorted(missing)}")
        return self


class Template(BaseModel):
    """A versioned report template."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    owner: str = Field(min_length=2)
    titles: dict[str, str]
    changelog: tuple[ChangelogEntry, ...] = Field(min_length=1)
    sections: tuple[TemplateSection, ...] = Field(min_length=1)

    def title(self, lang: str = "nl") -> str:
        """The template title in `lang`, falling back to Dutch."""
        return self.titles.get(lang) or self.titles["nl"]

    def section(self, section_id: str) -> TemplateSection:
        """The section with this id; KeyError when absent."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    @property
    def ref(self) -> TemplateRef:
        """The id and version a draft records."""
        return TemplateRef(id=self.id, version=self.version)

    @model_validator(mode="after")
    def _consistent(self) -> Template:
        ids = [s.id for s in self.sections]
        if len(ids) != len(set(ids)):
            raise ValueError("section ids must be unique")
        if self.changelog[-1].version != self.version:
            raise ValueError(f"the last changelog entry must describe version {self.version}")
        if "nl" not in self.titles:
            raise ValueError("titles: a Dutch title ('nl') is required")
        return self


def _read(path: Path) -> Template:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: not valid TOML: {exc}") from exc
    try:
        template = Template.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in exc.errors())
        raise TemplateError(f"{path}: {problems}") from exc
    if template.id != path.stem:
        raise TemplateError(f"{path}: id {template.id!r} does not match the file name")
    return template


def _folders(extra_dir: Path | None) -> list[Path]:
    # The extra folder comes first so an OCMW can ship a newer version of a bundled template.
    return [extra_dir, BUNDLED_DIR] if extra_dir is not None else [BUNDLED_DIR]


def load_template(template_id: str, extra_dir: Path | None = None) -> Template:
    """Load one template by id, from `extra_dir` first, then the bundled folder."""
    if not template_id.replace("_", "").isalnum():
        raise TemplateError(f"not a template id: {template_id!r}")
    for folder in _folders(extra_dir):
        path = folder / f"{template_id}.toml"
        if path.is_file():
            return _read(path)
    known = ", ".join(t.id for t in list_templates(extra_dir))
    raise TemplateError(f"no template {template_id!r} (known: {known})")


def list_templates(extra_dir: Path | None = None) -> list[Template]:
    """All templates, sorted by id; an extra folder's file replaces a bundled one of the same id."""
    found: dict[str, Template] = {}
    for folder in reversed(_folders(extra_dir)):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found[path.stem] = _read(path)
    return [found[key] for key in sorted(found)]


def empty_draft(template: Template, lang: str = "nl") -> Draft:
    """A draft with every section and no sentences: the start of the manual (no-AI) path."""
    sections = tuple(Section(id=s.id, title=s.title(lang), required=s.required) for s in template.sections)
    return Draft(template=template.ref, sections=sections, engine="manual")
