"""Consent decisions and the dossier's standing choice.

A decision stores only the choice, the moment, the language and the version of the consent
text shown, and through which channel it reached us. There is no parameter, field or column
for a reason, by design: a client never has to explain.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Choice(StrEnum):
    """What the client decided."""

    GRANTED = "granted"
    DECLINED = "declined"
    REVOKED = "revoked"


class Channel(StrEnum):
    """How the decision reached the box: at the kiosk, or registered by the worker."""

    KIOSK = "kiosk"
    ORAL = "oral"
    PHONE = "phone"
    MAIL = "mail"
    FORM = "form"


@dataclass(frozen=True)
class ConsentDecision:
    """One recorded decision, exactly as stored."""

    contact_id: str
    choice: Choice
    decided_at: datetime
    language: str
    text_version: str
    channel: Channel


def record_decision(conn: Any, decision: ConsentDecision) -> None:
    """Insert a decision; the caller owns the transaction (state change + audit go with it)."""
    conn.execute(
        "INSERT INTO consent_decisions (contact_id, choice, decided_at, language, text_version, channel)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            decision.contact_id,
            decision.choice.value,
            decision.decided_at.isoformat(),
            decision.language,
            decision.text_version,
            decision.channel.value,
        ),
    )


def latest_choice(conn: Any, contact_id: str) -> Choice | None:
    """The most recent decision for this contact, or None when never asked."""
    row = conn.execute(
        "SELECT choice FROM consent_decisions WHERE contact_id = ? ORDER BY id DESC LIMIT 1",
        (contact_id,),
    ).fetchone()
    return Choice(row[0]) if row else None


def dossier_hmac(key: bytes, dossier_ref: str) -> str:
    """The standing-choice flag is keyed by this, so the flag never carries the reference itself."""
    normalised = dossier_ref.strip().upper().encode("utf-8")
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()


def set_manual_flag(conn: Any, key: bytes, dossier_ref: str, now: datetime) -> str:
    """After a revocation this dossier takes the manual path in every room until the client opts in."""
    digest = dossier_hmac(key, dossier_ref)
    conn.execute(
        "INSERT OR REPLACE INTO dossier_flags (dossier_hmac, flag, set_at) VALUES (?, 'manual_path', ?)",
        (digest, now.isoformat()),
    )
    return digest


def clear_manual_flag(conn: Any, key: bytes, dossier_ref: str) -> None:
    """The client opted in again at a kiosk."""
    conn.execute("DELETE FROM dossier_flags WHERE dossier_hmac = ?", (dossier_hmac(key, dossier_ref),))


def has_manual_flag(conn: Any, key: bytes, dossier_ref: str) -> bool:
    """Whether this dossier carries the standing choice for the manual path."""
    row = conn.execute(
        "SELECT 1 FROM dossier_flags WHERE dossier_hmac = ?", (dossier_hmac(key, dossier_ref),)
    ).fetchone()
    return row is not None
