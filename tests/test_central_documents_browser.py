"""A worker walks the chain in a real Chromium: social report (review, sources, validation),
proposal (written by the worker), the committee's decision entered, the decision letter
validated, and its PDF and ODT carry every checklist item. WCAG 2.2 AA checked by axe-core."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.test_central_browser import accessible, page, serving  # noqa: F401 (page: fresh context per test)
from tests.test_central_documents import CHECKLIST_WORDS, GENT, _pdftotext, chain  # noqa: F401
from tests.test_central_web import PASSWORD
from tests.test_worker_browser import browser  # noqa: F401 (one system Chromium per module)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture()
def server(chain: dict[str, Any]) -> Iterator[str]:  # noqa: F811
    """The screen over the dossier of validated contacts."""
    with serving(chain["app"]) as url:
        yield url


def section(page: Page, section_id: str) -> Any:  # noqa: F811
    return page.locator(f"[data-section={section_id}]")


def add(page: Page, section_id: str, text: str) -> None:  # noqa: F811
    page.fill(f"#add-{section_id}", text)
    section(page, section_id).get_by_role("button", name="Toevoegen").click()
    expect(section(page, section_id).locator(".sentence", has_text=text)).to_contain_text("Door u geschreven")


def test_worker_produces_the_chain_up_to_the_decision_letter(page: Page, chain: dict[str, Any],  # noqa: F811
                                                             tmp_path: Path) -> None:
    dossier = chain["ids"][GENT]
    page.goto("/")
    page.fill("#login-user", "an")
    page.fill("#login-pass", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#view-today")).to_be_visible()
    page.goto(f"/#/dossier/{dossier}")
    expect(page.locator("#dossier-title")).to_have_text("Dossier D-GENT-7")
    page.click("#build-sociaal_verslag")

    # Where each sentence comes from: the report sentence, its date and who validated it.
    expect(page.locator("#document-title")).to_contain_text("Sociaal verslag")
    housing = section(page, "huisvesting").locator(".sentence").first
    expect(housing).to_contain_text("Cliënt huurt een studio voor 650 euro per maand.")
    housing.hover()
    panel = page.locator("#source-panel")
    expect(panel).to_contain_text("verslag r_intake v1, zin s1")
    expect(panel).to_contain_text("2 maart 2026")
    expect(panel).to_contain_text("An Peeters")
    assert "r_intake" in (housing.get_attribute("title") or "")
    expect(page.locator("#blocking")).to_contain_text("Bevindingen van de maatschappelijk werker")
    accessible(page, "social-report-draft")

    # Review: edit, move, delete with undo, add.
    housing.get_by_role("button", name="Bewerk").click()
    section(page, "huisvesting").locator("textarea").first.fill("Cliënt huurt een studio voor 650 euro per maand, kosten inbegrepen.")
    section(page, "huisvesting").get_by_role("button", name="Bewaar").click()
    edited = section(page, "huisvesting").locator(".sentence").first
    expect(edited).to_contain_text("door u bewerkt")
    income = section(page, "inkomen_middelen").locator(".sentence")
    expect(income).to_have_count(2)
    income.nth(1).get_by_role("button", name="Omhoog").click()
    expect(section(page, "inkomen_middelen").locator(".sentence").first).to_contain_text("geen inkomen meer")
    course = section(page, "verloop").locator(".sentence").first
    course.get_by_role("button", name="Verwijder").click()
    expect(section(page, "verloop").locator(".sentence")).to_have_count(0)
    page.click("#undo")
    restored = section(page, "verloop").locator(".sentence").first
    expect(restored).to_contain_text("Cliënt volgt een cursus bij VDAB.")
    restored.hover()
    expect(panel).to_contain_text("verslag r_traject v1")
    add(page, "bevindingen", "Cliënt heeft geen bestaansmiddelen en is werkbereid.")
    expect(page.locator("#blocking li")).to_have_count(0)
    page.click("#validate")
    expect(page.locator(".doc-status")).to_contain_text("Gevalideerd door An Peeters")
    expect(page.locator("#document-body .transparency")).to_contain_text("sociaal_verslag 1.0.0")
    expect(page.locator("#validate")).to_have_count(0)
    expect(page.get_by_role("button", name="Bewerk")).to_have_count(0)  # validated: immutable

    # The proposal: the software leaves the proposal field to the worker.
    page.goto(f"/#/dossier/{dossier}")
    page.click("#build-voorstel_bcsd")
    expect(page.locator("#document-title")).to_contain_text("Voorstel aan het Bijzonder Comité")
    expect(section(page, "voorstel").locator(".sentence")).to_have_count(0)
    expect(section(page, "aanvraag")).to_contain_text("Cliënt vraagt een leefloon aan.")
    page.click("#validate")
    expect(page.locator("#notice")).to_have_text("Nog niet te valideren: zie wat ontbreekt.")
    expect(page.locator("#blocking")).to_contain_text("Voorstel van de maatschappelijk werker")
    add(page, "voorstel", "Ik stel voor het leefloon als alleenstaande toe te kennen vanaf 2 maart 2026.")
    page.click("#validate")
    expect(page.locator(".doc-status")).to_contain_text("Gevalideerd door An Peeters")

    # The committee's decision, entered by a person; then the letter.
    page.goto(f"/#/dossier/{dossier}")
    form = page.locator("#decision-form")
    form.get_by_label("Toegekend", exact=True).check()
    page.fill("#decided-on", "2026-04-01")
    page.fill("#amount", "1263,17")
    page.fill("#start-date", "2026-03-02")
    page.fill("#motivation", "De aanvrager heeft geen bestaansmiddelen en is bereid te werken.")
    page.fill("#court-address", "Arbeidsrechtbank Gent, Opgeëistenlaan 401, 9000 Gent")
    page.fill("#service", "OCMW Gent")
    page.fill("#contact-name", "An Peeters")
    page.fill("#contact-phone", "09 266 99 00")
    accessible(page, "dossier-decision")
    form.get_by_role("button", name="Beslissingsbrief opmaken").click()
    expect(page.locator("#document-title")).to_contain_text("Beslissingsbrief")
    checklist = page.locator(".checklist li")
    expect(checklist).to_have_count(8)
    expect(page.locator(".checklist .missing")).to_have_count(0)
    term = section(page, "beroep").locator(".sentence", has_text="drie maanden")
    term.get_by_role("button", name="Verwijder").click()
    expect(page.locator(".checklist .missing")).to_have_text(["✗ De beroepstermijn van drie maanden – ontbreekt"])
    page.click("#validate")
    expect(page.locator("#notice")).to_have_text("Nog niet te valideren: zie wat ontbreekt.")
    expect(page.locator(".doc-status")).to_contain_text("Ontwerp")
    page.click("#undo")
    expect(page.locator(".checklist .missing")).to_have_count(0)
    accessible(page, "letter-draft")
    page.click("#validate")
    expect(page.locator(".doc-status")).to_contain_text("Gevalideerd door An Peeters")
    accessible(page, "letter-validated")

    # The letter's PDF and ODT, read back with pdftotext and LibreOffice.
    pdf = page.request.get(page.locator("#export-pdf").get_attribute("href") or "")
    odt = page.request.get(page.locator("#export-odt").get_attribute("href") or "")
    assert pdf.ok and odt.ok
    (tmp_path / "brief.pdf").write_bytes(pdf.body())
    (tmp_path / "brief.odt").write_bytes(odt.body())
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path / "lo"), str(tmp_path / "brief.odt")], check=True, timeout=180,
                   capture_output=True)
    ours, theirs = _pdftotext(tmp_path / "brief.pdf"), _pdftotext(tmp_path / "lo" / "brief.pdf")
    for words in CHECKLIST_WORDS:
        assert words in ours, words
        assert words in theirs, words
