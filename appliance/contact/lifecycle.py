"""The life of one contact (one conversation) as an explicit state machine.

Every state change goes through `transition`, so an illegal step raises instead of
quietly happening. Revocation is allowed from every state before the purge.
"""

from __future__ import annotations

from enum import StrEnum


class ContactState(StrEnum):
    """Where a contact is in its life."""

    OPENED = "opened"
    CONSENT_ASKED = "consent_asked"
    GRANTED = "granted"
    DECLINED = "declined"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    TRANSCRIBED = "transcribed"
    DRAFTED = "drafted"
    VALIDATED = "validated"
    SEALED = "sealed"
    DELIVERED = "delivered"
    PURGED = "purged"
    REVOKED = "revoked"


S = ContactState

# The manual path (declined, or a dossier with a standing choice) goes DECLINED -> DRAFTED:
# the worker fills the same template by hand, then the same validation and sync follow.
# OPENED -> DRAFTED is the manual path without a question (a standing choice, or a phone contact);
# CONSENT_ASKED -> DRAFTED when the worker withdraws an unanswered question and writes by hand,
# GRANTED -> DRAFTED when the worker decides not to record after all (nothing was recorded).
_ALLOWED: dict[ContactState, frozenset[ContactState]] = {
    S.OPENED: frozenset({S.CONSENT_ASKED, S.DECLINED, S.DRAFTED}),
    S.CONSENT_ASKED: frozenset({S.GRANTED, S.DECLINED, S.DRAFTED}),
    S.GRANTED: frozenset({S.RECORDING, S.DECLINED, S.DRAFTED}),
    S.DECLINED: frozenset({S.DRAFTED}),
    S.RECORDING: frozenset({S.PAUSED, S.STOPPED}),
    S.PAUSED: frozenset({S.RECORDING, S.STOPPED}),
    S.STOPPED: frozenset({S.TRANSCRIBED}),
    S.TRANSCRIBED: frozenset({S.DRAFTED}),
    S.DRAFTED: frozenset({S.VALIDATED}),
    S.VALIDATED: frozenset({S.SEALED}),
    S.SEALED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.PURGED}),
    S.PURGED: frozenset(),
    S.REVOKED: frozenset({S.DRAFTED}),
}

# States in which the client's recorded data (audio, transcript, AI draft) may exist.
HOLDS_AI_DATA = frozenset({S.RECORDING, S.PAUSED, S.STOPPED, S.TRANSCRIBED, S.DRAFTED})

# States from which the client can still revoke: everything but the end states.
REVOCABLE = frozenset(set(ContactState) - {S.PURGED, S.REVOKED})


class IllegalTransition(Exception):
    """A step the contact's current state does not allow."""

    def __init__(self, current: ContactState, wanted: ContactState) -> None:
        super().__init__(f"a contact in state '{current}' cannot go to '{wanted}'")
        self.current = current
        self.wanted = wanted


def transition(current: ContactState, wanted: ContactState) -> ContactState:
    """Return `wanted` when the step is allowed, else raise `IllegalTransition`."""
    if wanted is S.REVOKED and current in REVOCABLE:
        return wanted
    if wanted not in _ALLOWED[current]:
        raise IllegalTransition(current, wanted)
    return wanted


def can_record(state: ContactState) -> bool:
    """The microphone may open only after the client said yes for this very contact."""
    return state in (S.GRANTED, S.PAUSED)
