"""Worker login sessions as a FastAPI dependency: no client data without a logged-in worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from appliance.box.accounts import User, session_user

SESSION_COOKIE = "spreekkamer_session"


def current_user(request: Request) -> User:
    """The logged-in worker, or 401."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise HTTPException(status_code=401, detail="log in first")
    user = session_user(request.app.state.appliance.store, token)
    if user is None:
        raise HTTPException(status_code=401, detail="your session has ended; log in again")
    return user


Worker = Annotated[User, Depends(current_user)]
