"""The worker screen in a real Chromium against the running appliance: login, review loop, validation.

Needs the `appliance_server` fixture (tests/conftest.py): `.base_url`, `.worker_credentials`
(username, password) and `.make_drafted_contact()` (a contact id with a real draft from real audio).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "worker"
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless system Chromium for the module (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install the chromium package")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, appliance_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies) at laptop size 1024×768."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=appliance_server.base_url,
                                  locale="nl-BE")
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the worker screen: {errors}"


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # what the worker sees in the window


def _login(page: Page, server: Any, path: str = "/worker") -> None:
    username, password = server.worker_credentials
    page.goto(path)
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page.locator("#user-name")).to_be_visible()


def _no_horizontal_overflow(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the window"


def _working(page: Page, contact_id: str) -> dict[str, Any]:
    """The saved working copy, read with the browser's own session cookie."""
    res = page.request.get(f"/api/contacts/{contact_id}/draft", timeout=WAIT_MS)
    assert res.ok, res.status
    working: dict[str, Any] = res.json()["working"]
    return working


def _texts(working: dict[str, Any]) -> dict[str, list[str]]:
    return {sec["id"]: [s["text"] for s in sec["sentences"]] for sec in working["sections"]}


def _all_texts(working: dict[str, Any]) -> list[str]:
    return [text for texts in _texts(working).values() for text in texts]


def _wait_saved(page: Page, contact_id: str, check: Any) -> dict[str, Any]:
    """Poll the server's copy until `check(working)` holds (autosave is debounced)."""
    for _ in range(40):
        working = _working(page, contact_id)
        if check(working):
            return working
        page.wait_for_timeout(250)
    raise AssertionError(f"the working copy never reached the expected state: {_texts(working)}")


def test_unauthenticated_browser_gets_no_client_data(page: Page, appliance_server: Any) -> None:
    contact_id = appliance_server.make_drafted_contact()
    page.goto(f"/worker#contact={contact_id}")
    expect(page.locator("#view-login")).to_be_visible()
    for view in ("#view-room", "#view-review", "#view-report"):
        expect(page.locator(view)).to_be_hidden()
    html = page.content()
    assert "D-2026-0042" not in html and "citations" not in html
    for path in ("/api/contacts", f"/api/contacts/{contact_id}", f"/api/contacts/{contact_id}/draft",
                 f"/api/contacts/{contact_id}/transcript", f"/api/contacts/{contact_id}/audio?start=0&end=2",
                 f"/api/contacts/{contact_id}/events", "/api/templates"):
        res = page.request.get(path, timeout=WAIT_MS)
        assert res.status == 401, f"{path} answered {res.status} without login"
    _no_horizontal_overflow(page)
    _shot(page, "01-login")


def test_back_off_lockout_and_unlock_are_said_plainly(page: Page, appliance_server: Any) -> None:
    from appliance.box.accounts import LOCK_AFTER, create_user, unlock

    store = appliance_server.appliance.store
    create_user(store, "lies.janssens", "Lies Janssens", "worker", "lies haar eigen wachtwoord")
    page.goto("/worker")

    def attempt(password: str) -> None:
        page.fill("#login-username", "lies.janssens")
        page.fill("#login-password", password)
        page.click("#login-submit")

    for _ in range(3):
        attempt("dit-is-niet-het-wachtwoord")
        expect(page.locator("#login-error")).to_have_text("Gebruikersnaam of wachtwoord klopt niet.")
    attempt("dit-is-niet-het-wachtwoord")
    expect(page.locator("#login-error")).to_contain_text("Te veel mislukte pogingen. Wacht nog")
    expect(page.locator("#login-submit")).to_be_disabled()
    expect(page.locator("#login-error")).to_have_text("U kunt het opnieuw proberen.", timeout=5_000)
    # Ten failures in all (the waits in between are the unit tests' business): locked for 15 minutes.
    until = (datetime.now(UTC) + timedelta(minutes=15)).isoformat()
    store.execute("UPDATE login_throttle SET failures = ?, blocked_until = ?", (LOCK_AFTER, until))
    attempt("lies haar eigen wachtwoord")
    expect(page.locator("#login-error")).to_contain_text("Dit account is tijdelijk vergrendeld.")
    _shot(page, "01b-locked")
    assert unlock(store, "lies.janssens")  # IT: spreekkamer users unlock lies.janssens
    page.reload()
    attempt("lies haar eigen wachtwoord")
    expect(page.locator("#view-room")).to_be_visible()


def test_wrong_password_is_said_plainly_and_language_switches(page: Page, appliance_server: Any) -> None:
    username, _ = appliance_server.worker_credentials
    page.goto("/worker")
    page.click(".lang[data-lang='fr']")
    expect(page.locator("#view-login h2")).to_have_text("Connexion")
    page.click(".lang[data-lang='nl']")
    expect(page.locator("#view-login h2")).to_have_text("Aanmelden")
    page.fill("#login-username", username)
    page.fill("#login-password", "dit-is-niet-het-wachtwoord")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("Gebruikersnaam of wachtwoord klopt niet.")
    expect(page.locator("#view-room")).to_be_hidden()


def test_review_play_edit_move_delete_validate(page: Page, appliance_server: Any) -> None:
    contact_id = appliance_server.make_drafted_contact()
    _login(page, appliance_server, f"/worker#contact={contact_id}")
    expect(page.locator("#view-review")).to_be_visible()
    original = _working(page, contact_id)
    sections = original["sections"]
    assert len(sections) >= 2
    expect(page.locator("#rv-sections .dsec")).to_have_count(len(sections))
    _no_horizontal_overflow(page)

    # Flagged sentences carry a visible mark.
    for sec in sections:
        for s in sec["sentences"]:
            mark = page.locator(f".sentence[data-id='{s['id']}'] .flag")
            if {"low_confidence", "unverified"} & set(s.get("flags", [])):
                expect(mark.first).to_be_visible()
            else:
                expect(mark).to_have_count(0)

    # Selecting a sentence highlights its cited words and plays exactly that stretch.
    cited = next(s for sec in sections for s in sec["sentences"] if s["citations"])
    page.click(f".sentence[data-id='{cited['id']}'] .text")
    start = min(c["start"] for c in cited["citations"])
    end = max(c["end"] for c in cited["citations"])
    src = page.get_attribute("#rv-audio", "src") or ""
    assert f"/api/contacts/{contact_id}/audio?start={start:.2f}&end={end:.2f}" in src
    page.wait_for_function("() => { const a = document.querySelector('#rv-audio');"
                           " return !a.paused && a.currentTime > 0.05; }", timeout=WAIT_MS)
    segment_ids = {c["segment"] for c in cited["citations"]}
    highlighted = page.eval_on_selector_all(
        "#rv-transcript .w.cited", "ws => ws.map(w => w.closest('.seg').dataset.seg)")
    assert highlighted and set(highlighted) <= segment_ids
    _shot(page, "02-review-playing")

    # j / k walk the sentences; the help overlay lists the keys.
    page.keyboard.press("j")
    expect(page.locator(".sentence.selected")).to_have_count(1)
    assert page.get_attribute(".sentence.selected", "data-id") != cited["id"]
    page.keyboard.press("k")
    expect(page.locator(".sentence.selected")).to_have_attribute("data-id", cited["id"])
    page.keyboard.press("?")
    expect(page.locator("#dlg-help")).to_be_visible()
    _shot(page, "03-help")
    page.keyboard.press("Escape")
    expect(page.locator("#dlg-help")).to_be_hidden()

    # Edit with the keyboard: e, type, Enter; autosave puts it on the server.
    page.keyboard.press("e")
    editor = page.locator(f".sentence[data-id='{cited['id']}'] textarea.editor")
    expect(editor).to_be_focused()
    edited = "Mevrouw woont met haar twee kinderen in een huurwoning – aangepast."
    editor.fill(edited)
    page.keyboard.press("Enter")
    expect(page.locator(f".sentence[data-id='{cited['id']}'] .text")).to_have_text(edited)
    _wait_saved(page, contact_id, lambda w: edited in _all_texts(w))

    # Escape cancels an edit.
    page.keyboard.press("e")
    page.locator(f".sentence[data-id='{cited['id']}'] textarea.editor").fill("weg ermee")
    page.keyboard.press("Escape")
    expect(page.locator(f".sentence[data-id='{cited['id']}'] .text")).to_have_text(edited)

    # Move the edited sentence to another section with the "move to" menu.
    source_idx = next(i for i, sec in enumerate(sections) if any(s["id"] == cited["id"] for s in sec["sentences"]))
    target_idx = 1 if source_idx == 0 else 0
    target_id = sections[target_idx]["id"]
    page.select_option(f".sentence[data-id='{cited['id']}'] select.move", str(target_idx))
    expect(page.locator(f".dsec[data-sec='{target_idx}'] .sentence[data-id='{cited['id']}']")).to_have_count(1)
    _wait_saved(page, contact_id, lambda w: edited in _texts(w)[target_id])

    # Delete another sentence with the Delete key.
    victim = next(s for sec in sections for s in sec["sentences"] if s["id"] != cited["id"])
    page.click(f".sentence[data-id='{victim['id']}'] .text")
    page.keyboard.press("Delete")
    expect(page.locator(f".sentence[data-id='{victim['id']}']")).to_have_count(0)
    saved = _wait_saved(page, contact_id, lambda w: victim["text"] not in _all_texts(w))
    assert edited in _texts(saved)[target_id]

    # Excluded items show their reason and come back only after an explicit confirm.
    if original.get("excluded"):
        item = page.locator("#rv-excluded .excluded-item").first
        expect(item.locator(".reason")).not_to_be_empty()
        item.locator("button.restore").click()
        expect(page.locator("#dlg-confirm")).to_be_visible()
        page.click("#dlg-confirm button[value='no']")
        expect(page.locator("#rv-excluded .excluded-item")).to_have_count(len(original["excluded"]))
    _no_horizontal_overflow(page)
    _shot(page, "04-review-edited")

    # Validation needs the worker's own name, typed.
    page.click("#rv-validate")
    expect(page.locator("#dlg-validate")).to_be_visible()
    expect(page.locator("#validate-confirm")).to_be_disabled()
    name = page.inner_text("#validate-expected")
    assert name.strip()
    page.fill("#validate-name", "Iemand Anders")
    expect(page.locator("#validate-confirm")).to_be_disabled()
    page.fill("#validate-name", name)
    _shot(page, "05-validate-dialog")
    page.click("#validate-confirm")
    expect(page.locator("#view-report")).to_be_visible()
    expect(page.locator("#rp-transparency")).to_contain_text(name)
    expect(page.locator("#rp-sections")).to_contain_text(edited)
    expect(page.locator("#rp-sections")).not_to_contain_text(victim["text"])
    _no_horizontal_overflow(page)
    _shot(page, "06-report")
    html = page.request.get(page.get_attribute("#rp-html", "href") or "", timeout=WAIT_MS)
    assert html.ok and edited in html.text()
    pdf = page.request.get(page.get_attribute("#rp-pdf", "href") or "", timeout=WAIT_MS)
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    # The validated report, with the worker's edit and its transparency statement, reaches central.
    sink = appliance_server.receiver_config.sink.path
    deadline = time.monotonic() + 60
    while not [p for p in sink.glob("*.json") if edited in p.read_text(encoding="utf-8")]:
        assert time.monotonic() < deadline, "the validated report did not reach the receiver"
        time.sleep(0.3)
    delivered = next(p for p in sink.glob("*.json") if edited in p.read_text(encoding="utf-8"))
    assert name in delivered.read_text(encoding="utf-8"), "the transparency statement names the worker"


def test_manual_path_for_a_declined_contact(page: Page, appliance_server: Any) -> None:
    _login(page, appliance_server)
    expect(page.locator("#view-room")).to_be_visible()
    expect(page.locator("#contact-template option").first).to_be_attached()
    page.fill("#contact-dossier", "D-2026-0099")
    page.click("#contact-form button[type=submit]")
    expect(page.locator("#cp-dossier")).to_have_text("D-2026-0099")
    page.click("#cp-actions [data-act='consent/ask']")
    expect(page.locator("#cp-consent")).to_have_attribute("data-consent", "asked")
    # The client answers on the kiosk, which needs no login; the worker screen follows live.
    shown = httpx.get(f"{appliance_server.kiosk_url}/api/kiosk/state", timeout=10).json()
    kiosk = httpx.post(f"{appliance_server.kiosk_url}/api/kiosk/consent", timeout=10,
                       json={"choice": "declined", "language": "nl", "text_version": shown["text_version"],
                             "screen": shown["screen"]})
    assert kiosk.status_code == 200, kiosk.text
    expect(page.locator("#cp-consent")).to_have_attribute("data-consent", "declined")
    # The next step is one button, whichever way the box takes the manual path (at once or on request).
    next_step = page.locator("#cp-actions [data-act='manual']:visible, #cp-actions [data-act='review']:visible")
    expect(next_step).to_have_count(1)
    # Declining is not marked: the consent pill looks as it does for "yes", the next step weighs
    # the same as starting a recording.
    assert page.get_attribute("#cp-consent", "class") == "pill"
    start_class = page.locator("#cp-actions [data-act='recording/start']").get_attribute("class")
    assert next_step.get_attribute("class") == start_class
    _no_horizontal_overflow(page)
    _shot(page, "07-room-declined")

    next_step.click()
    expect(page.locator("#view-review")).to_be_visible()
    expect(page.locator("#rv-validate")).to_be_visible()
    expect(page.locator("#rv-save")).to_be_visible()
    page.locator("#rv-sections .dsec").first.locator("button.add").click()
    own = "Mevrouw vraagt een afspraak bij de schuldbemiddelaar in Gent – zonder opname genoteerd."
    page.locator("textarea.editor").fill(own)
    page.keyboard.press("Enter")
    expect(page.locator("#rv-sections .dsec").first).to_contain_text(own)
    _shot(page, "08-manual-review")
    page.click("#rv-validate")
    expect(page.locator("#validate-expected")).not_to_be_empty()
    page.fill("#validate-name", page.inner_text("#validate-expected"))
    page.click("#validate-confirm")
    expect(page.locator("#view-report")).to_be_visible()
    expect(page.locator("#rp-sections")).to_contain_text(own)
    expect(page.locator("#rp-transparency")).to_contain_text(re.compile("zonder AI"))
    _shot(page, "09-manual-report")


def test_room_and_review_fit_a_tablet_without_sideways_scrolling(page: Page, appliance_server: Any) -> None:
    contact_id = appliance_server.make_drafted_contact()
    _login(page, appliance_server, f"/worker#contact={contact_id}")
    expect(page.locator("#view-review")).to_be_visible()
    for width, height in ((1024, 768), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        _no_horizontal_overflow(page)
    _shot(page, "10-review-tablet-portrait")
    page.click("#nav-room")
    expect(page.locator("#view-room")).to_be_visible()
    _no_horizontal_overflow(page)


@pytest.mark.parametrize(("lost_by", "username"), [("logout elsewhere", "bram"), ("cookie gone", "lotte")])
def test_a_lost_session_leaves_nothing_for_the_next_worker(
        page: Page, appliance_server: Any, lost_by: str, username: str) -> None:
    from appliance.box.accounts import create_user

    password = "een ander paard, een ander nietje"
    create_user(appliance_server.appliance.store, username, username.title(), "worker", password)
    contact_id = appliance_server.make_drafted_contact(dossier_ref="D-2026-0077")
    _login(page, appliance_server, f"/worker#contact={contact_id}")
    expect(page.locator("#view-review")).to_be_visible()
    first = next(s for sec in _working(page, contact_id)["sections"] for s in sec["sentences"])
    # The session ends (logged out in another tab, or the cookie is gone) while the screen still
    # shows the draft; the worker goes on editing and the autosave is the first call to find out.
    if lost_by == "logout elsewhere":
        assert page.request.delete("/api/session", timeout=WAIT_MS).status == 204
    else:
        page.context.clear_cookies()
    unsaved = "Mevrouw vertelde dit enkel aan haar eigen maatschappelijk werker."
    page.locator(f".sentence[data-id='{first['id']}'] button.edit").click()
    page.locator(f".sentence[data-id='{first['id']}'] textarea.editor").fill(unsaved)
    page.keyboard.press("Enter")
    expect(page.locator("#view-login")).to_be_visible()
    expect(page.locator("#login-error")).to_be_hidden()

    # The next worker logs in at the same screen, without a reload.
    sent: list[str] = []
    page.on("request", lambda req: sent.append(f"{req.method} {req.url}") if req.method != "GET" else None)
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    expect(page.locator("#user-name")).to_have_text(username.title())
    expect(page.locator("#view-room")).to_be_visible()
    expect(page.locator("#view-review")).to_be_hidden()
    expect(page.locator("#contact-panel")).to_be_hidden()
    expect(page.locator("#rv-sections .sentence")).to_have_count(0)
    expect(page.locator("#rv-unassigned .items li")).to_have_count(0)
    expect(page.locator("#rv-transcript .seg")).to_have_count(0)
    expect(page.locator("#rv-dossier")).to_be_empty()
    assert contact_id not in page.url
    html = page.content()
    assert unsaved not in html and first["text"] not in html
    page.wait_for_timeout(3000)  # twice the autosave delay: a save kept from before would have gone
    assert [r for r in sent if "/draft" in r] == [], f"a draft was saved under the next worker's name: {sent}"
    kept = appliance_server.worker.get(f"/api/contacts/{contact_id}/draft").json()["working"]
    assert unsaved not in _all_texts(kept)
    _shot(page, f"11-next-worker-after-{lost_by.replace(' ', '-')}")
