"""The box's clock: timestamps are stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timestamps are stored in UTC."""
    return datetime.now(UTC)
