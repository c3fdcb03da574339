"""A request's connection to the dossier store and its signed-in worker (cookie and CSRF token)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import psycopg
from fastapi import Depends, HTTPException, Request

from central.dossiers import db
from central.web.accounts import Account, csrf_for, session_account
from central.web.config import WebConfig

COOKIE = "spreekkamer_central_session"
CSRF_HEADER = "X-CSRF-Token"


@contextmanager
def connection_for(config: WebConfig) -> Iterator[db.Connection]:
    """A connection for one request; 503 while the dossier store is away."""
    try:
        conn = db.connect(config.database_url, migrate=False)
    except psycopg.OperationalError as exc:
        raise HTTPException(503, "dossier store unavailable") from exc
    try:
        yield conn
    finally:
        conn.close()


def signed_in(request: Request) -> Account:
    """The signed-in worker (401 otherwise); changes also need the session's CSRF token."""
    token = request.cookies.get(COOKIE)
    with connection_for(request.app.state.config) as conn:
        account = session_account(conn, token) if token else None
    if account is None:
        raise HTTPException(401, "log in first")
    if request.method not in ("GET", "HEAD"):
        sent = request.headers.get(CSRF_HEADER, "")
        if not token or not secrets.compare_digest(sent, csrf_for(token)):
            raise HTTPException(403, "missing or wrong CSRF token")
    return account


Worker = Annotated[Account, Depends(signed_in)]
