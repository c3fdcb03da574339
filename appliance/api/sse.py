"""Server-Sent Events for live screens: send the current state on every change, ping in between."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from appliance.box.events import Changes

PING_SECONDS = 15.0
"""Also the longest a stream goes on after its session ended."""


def sse_response(request: Request, changes: Changes, snapshot: Callable[[], Any],
                 allowed: Callable[[], bool] | None = None) -> StreamingResponse:
    """Stream `snapshot()` as JSON whenever `changes` moves, until the browser goes away or
    `allowed()` turns false (the worker logged out, or the session expired)."""

    async def stream() -> AsyncIterator[str]:
        seen = changes.version
        last = None
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            if allowed is not None and not allowed():
                return  # no more client data on a stream whose session has ended
            payload = json.dumps(snapshot(), ensure_ascii=False)
            if payload != last:
                last = payload
                yield f"data: {payload}\n\n"
            new = await changes.wait(seen, PING_SECONDS if last else 1.0)
            if new == seen:
                # Quiet period: a comment keeps proxies and the browser from closing the stream,
                # and lets time-based states (elapsed seconds, return to idle) refresh.
                yield ": ping\n\n"
            seen = new

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
