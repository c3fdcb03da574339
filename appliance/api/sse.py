"""Server-Sent Events for live screens: send the current state on every change, ping in between."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from appliance.box.events import Changes

PING_SECONDS = 15.0


def sse_response(request: Request, changes: Changes, snapshot: Callable[[], Any]) -> StreamingResponse:
    """Stream `snapshot()` as JSON whenever `changes` moves, until the browser goes away."""

    async def stream() -> AsyncIterator[str]:
        seen = changes.version
        last = None
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
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
