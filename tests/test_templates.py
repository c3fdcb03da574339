"""Template files load with every required field, and bad files give a clear error."""

from pathlib import Path

import pytest

from appliance.drafting.templates import TemplateError, empty_draft, list_templates, load_template

EVAL_SECTIONS = {
    "intake": ["hulpvraag", "gezinssituatie", "huisvesting", "inkomen", "uitgaven_schulden", "werk_opleiding",
               "gezondheid", "sociaal_netwerk", "afspraken", "documenten"],
    "trajectverslag": ["stand_van_zaken", "werk_opleiding", "inkomen", "afspraken_nagekomen", "nieuwe_afspraken",
                       "documenten"],
    "evaluatieverslag": ["evolutie", "doelen_bereikt", "knelpunten", "voorstel_verder_traject", "afspraken"],
}


def test_bundled_templates_are_all_there_with_required_fields() -> None:
    templates = {t.id: t for t in list_templates()}
    assert {"intake", "sociaal_verslag", "trajectverslag", "evaluatieverslag", "verslag_mdo",
            "doorverwijzing"} <= set(templates)
    for template in templates.values():
        assert template.version and template.date and template.owner
        assert template.changelog and all(entry.reason for entry in template.changelog)
        for section in template.sections:
            assert section.title("nl") and section.title("fr") and section.title("nl") != ""
            assert section.guidance and section.cues
        assert any(section.required for section in template.sections)


@pytest.mark.parametrize("template_id", sorted(EVAL_SECTIONS))
def test_evaluation_templates_use_the_evaluation_section_ids(template_id: str) -> None:
    assert [s.id for s in load_template(template_id).sections] == EVAL_SECTIONS[template_id]


def test_title_falls_back_to_dutch_and_french_is_different() -> None:
    section = load_template("intake").section("huisvesting")
    assert section.title("fr") == "Logement"
    assert section.title("de") == section.title("nl") == "Huisvesting"


def test_empty_draft_has_every_section_and_no_sentences() -> None:
    template = load_template("doorverwijzing")
    draft = empty_draft(template)
    assert [s.id for s in draft.sections] == [s.id for s in template.sections]
    assert all(not s.sentences for s in draft.sections)
    assert draft.template.id == "doorverwijzing" and draft.template.version == template.version


def test_extra_folder_overrides_and_bad_file_names_the_field(tmp_path: Path) -> None:
    source = (Path(__file__).parents[1] / "appliance/drafting/templates/intake.toml").read_text(encoding="utf-8")
    newer = source.replace('version = "1.0.0"', 'version = "1.1.0"', 1) + (
        '\n[[changelog]]\nversion = "1.1.0"\ndate = "2026-03-01"\nreason = "Test: nieuwe versie."\n')
    # The changelog table must come before the sections in TOML; rebuild it in order.
    head, _, rest = newer.partition("[[sections]]")
    tail_changelog = rest[rest.index("\n[[changelog]]"):]
    body = "[[sections]]" + rest[: rest.index("\n[[changelog]]")]
    (tmp_path / "intake.toml").write_text(head + tail_changelog.strip() + "\n\n" + body, encoding="utf-8")
    assert load_template("intake", tmp_path).version == "1.1.0"

    (tmp_path / "kapot.toml").write_text('id = "kapot"\nversion = "x"\n', encoding="utf-8")
    with pytest.raises(TemplateError, match="kapot.toml.*version"):
        load_template("kapot", tmp_path)
    with pytest.raises(TemplateError, match="no template 'bestaatniet'"):
        load_template("bestaatniet")
    with pytest.raises(TemplateError, match="not a template id"):
        load_template("../etc/passwd")
