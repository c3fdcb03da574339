"""A bound on every request body, checked before FastAPI parses anything (and so before any
login or loopback check): a client on the LAN cannot make the box buffer gigabytes."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WORKER_BODY_BYTES = 2 * 1024 * 1024
"""A worker's working draft of a long contact is the largest body (a few hundred kB)."""
KIOSK_BODY_BYTES = 16 * 1024


class BodyTooLarge(Exception):
    """The body went past the bound while it was being read."""


class BodyLimit:
    """413 for a body over `max_bytes`: at once when Content-Length says so, else as it streams."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _refuse(send, self.max_bytes)
            return
        seen, over, replaced = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            # Whatever the app answers to a body cut short (FastAPI says 400) becomes the 413.
            nonlocal replaced
            if not over:
                await send(message)
            elif not replaced:
                replaced = True
                await _refuse(send, self.max_bytes)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not replaced:
                await _refuse(send, self.max_bytes)


async def _refuse(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"request body over {max_bytes} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
