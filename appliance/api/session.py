"""Login and logout for workers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from appliance.api.auth import SESSION_COOKIE, Worker
from appliance.api.schemas import LoginBody, UserOut
from appliance.box.accounts import LoginRefused, authenticate, close_session, open_session

router = APIRouter(tags=["session"])


@router.post("/api/session")
def login(body: LoginBody, request: Request, response: Response) -> UserOut:
    """Check the password (with back-off and lockout) and set the session cookie."""
    app: Any = request.app.state.appliance
    try:
        user = authenticate(app.store, body.username, body.password)
    except LoginRefused as exc:
        headers = {"Retry-After": str(int(exc.retry_after_s) + 1)} if exc.retry_after_s else None
        status = {"locked": 423, "backoff": 429, "busy": 503}.get(exc.code, 401)
        raise HTTPException(status_code=status, detail=exc.reason, headers=headers) from exc
    token = open_session(app.store, user.username, ttl=timedelta(hours=app.config.api.session_hours))
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
        secure=app.config.profile == "production",
        max_age=int(app.config.api.session_hours * 3600),
    )
    app.audit.append("worker.login", actor=user.username)
    return UserOut(username=user.username, display_name=user.display_name, role=user.role)


@router.get("/api/session")
def whoami(user: Worker) -> UserOut:
    """The logged-in worker."""
    return UserOut(username=user.username, display_name=user.display_name, role=user.role)


@router.delete("/api/session", status_code=204)
def logout(request: Request, response: Response) -> None:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        close_session(request.app.state.appliance.store, token)
    response.delete_cookie(SESSION_COOKIE, path="/")
