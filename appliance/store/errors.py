"""Errors raised by the store, shared by its modules so callers catch one family."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened, read or written; the message says why."""


class KeyShredded(StoreError):
    """The contact's data key is gone (crypto-shredded, or never created): its content is unreadable."""


class KeyExists(StoreError):
    """A data key already exists for this contact; replacing it would make its content unreadable."""


class NoAudio(StoreError):
    """There is no recorded audio for this contact."""
