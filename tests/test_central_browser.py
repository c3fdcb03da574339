"""The central workers' screen in a real Chromium: login, Today, Dossier, the source sentence,
a mark, French, and WCAG 2.2 AA checked by axe-core on every screen."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect

from tests.ports import free_port
from tests.test_central_web import PASSWORD, world  # noqa: F401 (the two-organisation fixture)
from tests.test_worker_browser import browser  # noqa: F401 (one system Chromium per module)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
AXE = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "central"


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The screen served by uvicorn on a loopback port, for the length of the block."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "screen did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture()
def server(world: dict[str, Any]) -> Iterator[str]:  # noqa: F811
    """The screen over the two-organisation world."""
    with serving(world["app"]) as url:
        yield url


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    """A fresh context at laptop size; page errors and CSP violations fail the test."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=server, locale="nl-BE")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(str(exc)))
    tab.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield tab
    context.close()
    assert not problems, problems


def accessible(page: Page, name: str) -> None:
    """axe-core in the page (evaluated through the debugger, so the page's CSP stays strict)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run 'make test' (npm ci in tests/browser)")
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, { runOnly: { type: 'tag', values: tags } })", WCAG)
    assert len(result["passes"]) >= 10, "axe-core checked almost nothing"
    found = [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
             for v in result["violations"]]
    assert not found, f"WCAG 2.2 AA problems on {name}:\n" + "\n".join(found)


def test_worker_prepares_the_day_from_validated_reports(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#view-login")).to_be_visible()
    accessible(page, "login")
    page.fill("#login-user", "an")
    page.fill("#login-pass", "wrong password here")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Gebruikersnaam of wachtwoord is onjuist.")
    page.fill("#login-pass", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#view-today")).to_be_visible()
    items = page.locator("#today-list .item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("10:30")
    expect(items.first).to_contain_text("OCMW Gent, lokaal 2")
    accessible(page, "today")

    items.first.get_by_role("link", name="Dossier D-GENT-1").click()
    expect(page.locator("#dossier-title")).to_have_text("Dossier D-GENT-1")
    agreements = page.get_by_role("region", name="Afspraken om op te volgen")
    expect(agreements.locator(".item")).to_have_count(2)
    overdue = agreements.locator(".item").first
    expect(overdue).to_contain_text("loonfiches bezorgen")
    expect(overdue.locator(".overdue")).to_contain_text("Te laat")
    deadlines = page.get_by_role("region", name="Wettelijke termijnen")
    expect(deadlines).to_contain_text("1 april 2026")
    expect(deadlines).to_contain_text("art. 21")
    expect(page.get_by_role("region", name="Niet geïndexeerd")).to_contain_text("volgende week")
    accessible(page, "dossier")

    overdue.get_by_role("button", name="Markeer als gedaan").click()
    expect(agreements.locator(".item").first.locator(".mark")).to_contain_text("Gedaan – An Peeters")
    expect(agreements.locator(".overdue")).to_have_count(0)

    agreements.locator(".item").first.get_by_role("link", name="Bron").click()
    expect(page.locator("#view-report")).to_be_visible()
    cited = page.locator(".sentence.cited")
    expect(cited).to_have_count(1)
    expect(cited).to_have_text("Zin 3 over de cliënt.")
    accessible(page, "report")

    page.get_by_role("button", name="FR").click()
    page.goto("/#/today")
    expect(page.locator("#today-title")).to_have_text("Aujourd'hui et les jours à venir")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    accessible(page, "today-fr")
