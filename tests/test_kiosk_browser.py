"""The consent screen in a real Chromium against the real running appliance.

Drives the whole flow the way a room does: the worker asks consent over the API, the client answers
on the touch screen, the worker starts recording, the client withdraws with one touch and gets a
receipt. Checks layout at the two panel sizes and that the two answers weigh exactly the same.
Screenshots go to test-artifacts/kiosk/.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ui_kiosk.texts import CONSENT_TEXT_VERSION, LANGUAGES, load_texts

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "kiosk"
VIEWPORTS = {"800x480": (800, 480), "1280x800": (1280, 800)}
WAIT_MS = 15_000
_refs = itertools.count(1)

# Everything visible must fit the viewport, and every control must be a finger-sized target.
LAYOUT_PROBLEMS_JS = """() => {
  const problems = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const root = document.documentElement;
  if (root.scrollWidth > vw + 1) problems.push(`page is ${root.scrollWidth}px wide in ${vw}px`);
  if (root.scrollHeight > vh + 1) problems.push(`page is ${root.scrollHeight}px high in ${vh}px`);
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  for (const el of document.querySelectorAll("button")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    const name = (el.id || el.dataset.lang || el.textContent).trim().slice(0, 30);
    if (r.width < 48 || r.height < 48) problems.push(`${name}: ${r.width}x${r.height} < 48px`);
    if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1)
      problems.push(`${name} is outside the viewport`);
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`${name}: text overflows its button`);
  }
  for (const el of document.querySelectorAll("h1, h2, p, li, time")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > vw + 1) problems.push(`text sticks out sideways: ${el.textContent.slice(0, 30)}`);
  }
  return problems;
}"""

ANSWER_STYLE_JS = """(el) => {
  const s = getComputedStyle(el), r = el.getBoundingClientRect();
  return {className: el.className, width: r.width, height: r.height, top: r.top,
          background: s.backgroundColor, color: s.color, fontSize: s.fontSize, fontWeight: s.fontWeight,
          fontFamily: s.fontFamily, borderColor: s.borderTopColor, borderWidth: s.borderTopWidth,
          borderRadius: s.borderTopLeftRadius, padding: s.padding, opacity: s.opacity,
          boxShadow: s.boxShadow, focused: document.activeElement === el,
          pressed: el.getAttribute("aria-pressed")};
}"""


def _rgb(css: str) -> tuple[int, int, int]:
    values = [int(float(v)) for v in re.findall(r"[\d.]+", css)[:3]]
    return values[0], values[1], values[2]


def _chroma(css: str) -> float:
    """How far a colour is from grey (0 = grey, 1 = pure red/green/...)."""
    r, g, b = _rgb(css)
    return (max(r, g, b) - min(r, g, b)) / 255


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A real Chromium from the system, never a downloaded one."""
    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    with playwright_sync.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        yield instance
        instance.close()


@pytest.fixture
def kiosk_page(browser: Any, appliance_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A kiosk screen at the viewport named by the test's `viewport` parameter."""
    width, height = VIEWPORTS[getattr(request, "param", "1280x800")]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{appliance_server.kiosk_url}/kiosk", timeout=WAIT_MS)
    # Loaded: texts fetched (the language row is built from them). The room may still be showing
    # an earlier test's outcome; each test asks a new question, which replaces it.
    page.wait_for_function(f"() => document.querySelectorAll('button.lang').length === {len(LANGUAGES)}")
    yield page
    context.close()
    assert errors == [], f"the page threw: {errors}"


def _ask_consent(stack: Any) -> str:
    """The worker opens a contact for a fresh dossier and asks consent; returns the contact id."""
    ref = f"D-2026-K{next(_refs):03d}"
    r = stack.worker.post("/api/contacts", json={"dossier_ref": ref, "template_id": "intake"})
    r.raise_for_status()
    cid: str = r.json()["id"]
    stack.worker.post(f"/api/contacts/{cid}/consent/ask").raise_for_status()
    return cid


def _show(page: Any, view: str) -> None:
    page.wait_for_selector(f"#view-{view}:not([hidden])")


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _assert_layout(page: Any, where: str) -> None:
    problems = page.evaluate(LAYOUT_PROBLEMS_JS)
    assert problems == [], f"{where}: {problems}"


def _choose_language(page: Any, code: str) -> None:
    page.click(f"button.lang[data-lang={code}]")
    page.wait_for_function("(code) => document.documentElement.lang === code", arg=code)


@pytest.mark.parametrize("kiosk_page", list(VIEWPORTS), indirect=True)
@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_whole_flow_with_revocation_during_recording(kiosk_page: Any, appliance_server: Any, lang: str) -> None:
    page, stack = kiosk_page, appliance_server
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    texts = load_texts(lang)
    if page.locator("#view-idle").is_visible():
        assert page.locator("#revoke-bar").is_hidden()
        _assert_layout(page, "idle")
        _shot(page, f"{size}-{lang}-1-idle")

    cid = _ask_consent(stack)
    _show(page, "question")
    assert page.text_content("#question-text h1") == load_texts("nl")["question_title"]
    if lang != "nl":
        _choose_language(page, lang)
    direction = "rtl" if lang == "ar" else "ltr"
    assert page.get_attribute("html", "dir") == direction
    assert page.text_content("#question-text h1") == texts["question_title"]
    assert page.text_content(".rights") == texts["rights"]
    assert page.locator("#revoke-bar").is_hidden(), "nothing to withdraw before the answer"
    _assert_layout(page, "question")
    _shot(page, f"{size}-{lang}-2-question")

    screen = stack.appliance.room.kiosk_state()["screen"]  # the question on screen
    with page.expect_request("**/api/kiosk/consent") as sent:
        page.click("#answer-yes")
    assert sent.value.post_data_json == {"choice": "granted", "language": lang,
                                         "text_version": CONSENT_TEXT_VERSION, "screen": screen}
    _show(page, "ready")
    assert page.locator("#revoke").is_visible()
    assert stack.worker.get(f"/api/contacts/{cid}").json()["consent"] == "granted"

    stack.worker.post(f"/api/contacts/{cid}/recording/start").raise_for_status()
    _show(page, "recording")
    page.wait_for_function("() => document.getElementById('elapsed').textContent >= '00:01'")
    assert re.fullmatch(r"\d\d:\d\d", page.text_content("#elapsed") or "")
    assert page.text_content("#revoke-bar .revoke span") == texts["revoke_button"]
    _assert_layout(page, "recording")
    _shot(page, f"{size}-{lang}-3-recording")

    # The stop control ignores touches for 1.2 s after 'yes' (a stray double tap); this is a
    # deliberate touch, so make sure the screen has armed it.
    page.wait_for_function("() => performance.now() - window.__answeredAt > 1300")
    with page.expect_request("**/api/kiosk/revoke") as sent:
        page.click("#revoke")
    assert sent.value.post_data_json == {"language": lang, "screen": screen}  # the same contact's screen
    _show(page, "revoked")
    assert page.text_content("#view-revoked h1") == texts["revoked_title"]
    deleted = page.locator("#receipt-deleted li").all_text_contents()
    assert texts["receipt_item_audio"] in deleted
    kept = page.locator("#receipt-kept li").all_text_contents()
    assert texts["receipt_item_consent_record"] in kept
    assert page.text_content("#receipt-contact") == stack.config.kiosk.contact_info
    assert page.locator("#revoke-bar").is_hidden()
    assert page.locator("#print").is_visible()
    _assert_layout(page, "receipt")
    _shot(page, f"{size}-{lang}-4-receipt")
    stack.wait_state(cid, {"revoked"}, timeout=30)

    page.emulate_media(media="print")
    assert page.locator("#receipt-contact").is_visible()
    assert page.locator(".topbar").is_hidden() and page.locator(".receipt-actions").is_hidden()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{size}-{lang}-5-receipt-print.png"), full_page=True)
    page.emulate_media(media="screen")

    page.click("#close-receipt")
    _show(page, "idle")
    assert page.get_attribute("html", "lang") == "nl", "the next client starts in the default language"


@pytest.mark.parametrize("kiosk_page", list(VIEWPORTS), indirect=True)
def test_answers_weigh_the_same_in_every_language(kiosk_page: Any, appliance_server: Any) -> None:
    page = kiosk_page
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    _ask_consent(appliance_server)
    _show(page, "question")
    for lang in LANGUAGES:
        _choose_language(page, lang.code)
        assert page.get_attribute("html", "dir") == lang.direction
        yes = page.eval_on_selector("#answer-yes", ANSWER_STYLE_JS)
        no = page.eval_on_selector("#answer-no", ANSWER_STYLE_JS)
        for key in ("className", "background", "color", "fontSize", "fontWeight", "fontFamily",
                    "borderColor", "borderWidth", "borderRadius", "padding", "opacity", "boxShadow"):
            assert yes[key] == no[key], f"{lang.code}: answers differ in {key}"
        assert abs(yes["width"] - no["width"]) < 1 and abs(yes["height"] - no["height"]) < 1
        assert abs(yes["top"] - no["top"]) < 1, "side by side"
        assert yes["height"] >= 48 and yes["width"] >= 48
        assert not yes["focused"] and not no["focused"], "neither answer is pre-selected"
        assert yes["pressed"] is None and no["pressed"] is None
        for colour in (yes["background"], yes["color"], yes["borderColor"]):
            assert _chroma(colour) < 0.15, f"{lang.code}: answer colour {colour} is not neutral"
        assert page.text_content("#answer-yes") == load_texts(lang.code)["answer_yes"]
        _assert_layout(page, f"question in {lang.code}")
        _shot(page, f"{size}-question-{lang.code}")
    page.click("#answer-no")
    _show(page, "thanks")
    assert page.locator("#revoke-bar").is_hidden(), "nothing to withdraw after a no"


def test_declined_looks_the_same_as_finished(kiosk_page: Any, appliance_server: Any) -> None:
    page, stack = kiosk_page, appliance_server
    look = """() => [...document.querySelectorAll('#view-thanks h1, #view-thanks p')].map((el) => {
        const s = getComputedStyle(el);
        return [el.tagName, s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.textAlign];
    })"""

    _ask_consent(stack)
    _show(page, "question")
    page.click("#answer-no")
    _show(page, "thanks")
    declined = page.evaluate(look)
    assert page.text_content("#thanks-title") == load_texts("nl")["declined_title"]
    _shot(page, "1280x800-nl-declined")

    cid = _ask_consent(stack)
    _show(page, "question")
    page.click("#answer-yes")
    _show(page, "ready")
    stack.worker.post(f"/api/contacts/{cid}/recording/start").raise_for_status()
    _show(page, "recording")
    stack.worker.post(f"/api/contacts/{cid}/recording/stop").raise_for_status()
    _show(page, "thanks")
    assert page.evaluate(look) == declined
    assert page.text_content("#thanks-body") == load_texts("nl")["finished_body"]
    _shot(page, "1280x800-nl-finished")

    # Until the contact is done the client can still withdraw, from this very screen.
    assert page.locator("#revoke").is_visible()
    page.wait_for_timeout(1300)  # past the guard against a stray double tap
    page.click("#revoke")
    _show(page, "revoked")
    stack.wait_state(cid, {"revoked"}, timeout=30)
