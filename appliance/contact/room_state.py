"""What the kiosk points at and what is open while a microphone may be open: plain state,
shared by the room's parts."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# How long the kiosk keeps showing an outcome before it returns to its neutral idle screen.
KIOSK_OUTCOME_SECONDS = 30.0
KIOSK_RECEIPT_SECONDS = 120.0


@dataclass
class KioskScreen:
    """What the kiosk points at: the contact asked or recorded, or the outcome it shows.

    `token` names this screen: every kiosk action carries the token it was shown and is refused
    for any other, so an answer or a revocation can only reach the contact it was given for."""

    contact_id: str | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    shown_at: float = field(default_factory=time.monotonic)
    outcome: str | None = None  # 'finished' | 'declined' | 'revoked'
    outcome_at: float = 0.0
    language: str = "nl"
    receipt: dict[str, Any] | None = None


@dataclass
class Recording:
    """What is open while the microphone may be open for a contact."""

    recorder: Any
    writer: Any
    streamer: Any | None
    started_monotonic: float
    seconds_before: float
    lock: threading.Lock = field(default_factory=threading.Lock)
