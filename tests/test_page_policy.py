"""The two screens are served with a strict Content-Security-Policy header that matches their meta tag."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.stack import Stack

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.split() for p in policy.split(";") if p.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.slow
@pytest.mark.parametrize("page", ["/worker", "/kiosk"])
def test_screen_pages_carry_their_policy_as_a_header(appliance_server: Stack, page: str) -> None:
    side = appliance_server.kiosk_url if page == "/kiosk" else appliance_server.base_url
    res = httpx.get(f"{side}{page}", timeout=10)
    assert res.status_code == 200, res.text
    header = res.headers.get("content-security-policy")
    assert header, f"{page} is served without a Content-Security-Policy header"
    sent = _directives(header)
    meta = META.search(res.text)
    assert meta, f"{page} lost its meta policy"
    # The header says at least what the page says, word for word, and forbids framing on top.
    assert sent == {**_directives(meta.group(1)), "frame-ancestors": ["'none'"]}
    assert sent["default-src"] == ["'self'"]
    assert sent["script-src"] == ["'self'"]
    assert sent["style-src"] == ["'self'"]
    assert sent["object-src"] == ["'none'"]
    assert "unsafe" not in header


@pytest.mark.slow
def test_kiosk_plays_speech_only_from_blobs(appliance_server: Stack) -> None:
    res = httpx.get(f"{appliance_server.kiosk_url}/kiosk", timeout=10)
    sent = _directives(res.headers["content-security-policy"])
    assert sent["media-src"] == ["blob:"]
    assert sent["form-action"] == ["'none'"]


@pytest.mark.slow
def test_only_the_two_pages_get_the_screens_policy(appliance_server: Stack) -> None:
    # The validated report's HTML page styles itself inline, so the policy is not put on every answer.
    for side, path in ((appliance_server.base_url, "/static/worker/main.js"),
                       (appliance_server.kiosk_url, "/api/kiosk/state")):
        res = httpx.get(f"{side}{path}", timeout=10)
        assert res.status_code == 200, path
        assert "content-security-policy" not in res.headers, path
