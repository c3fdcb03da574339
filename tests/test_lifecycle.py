"""The contact lifecycle: every legal step works, every other step raises."""

from __future__ import annotations

import itertools

import pytest

from appliance.contact.lifecycle import ContactState as S
from appliance.contact.lifecycle import IllegalTransition, can_record, transition

HAPPY_AI = [S.OPENED, S.CONSENT_ASKED, S.GRANTED, S.RECORDING, S.PAUSED, S.RECORDING, S.STOPPED,
            S.TRANSCRIBED, S.DRAFTED, S.VALIDATED, S.SEALED, S.DELIVERED, S.PURGED]
MANUAL = [S.OPENED, S.CONSENT_ASKED, S.DECLINED, S.DRAFTED, S.VALIDATED, S.SEALED, S.DELIVERED, S.PURGED]


@pytest.mark.parametrize("path", [HAPPY_AI, MANUAL], ids=["ai", "manual"])
def test_paths_are_legal(path: list[S]) -> None:
    state = path[0]
    for nxt in path[1:]:
        state = transition(state, nxt)
    assert state is S.PURGED


def test_manual_path_without_question() -> None:
    assert transition(S.OPENED, S.DRAFTED) is S.DRAFTED
    assert transition(S.REVOKED, S.DRAFTED) is S.DRAFTED
    assert transition(S.CONSENT_ASKED, S.DRAFTED) is S.DRAFTED


def test_no_recording_without_consent() -> None:
    for state in (S.OPENED, S.CONSENT_ASKED, S.DECLINED, S.REVOKED):
        assert not can_record(state)
        with pytest.raises(IllegalTransition):
            transition(state, S.RECORDING)
    assert can_record(S.GRANTED)


def test_revocation_from_every_state_before_purge() -> None:
    for state in S:
        if state in (S.PURGED, S.REVOKED):
            with pytest.raises(IllegalTransition):
                transition(state, S.REVOKED)
        else:
            assert transition(state, S.REVOKED) is S.REVOKED


def test_no_skipping_validation() -> None:
    for state in (S.TRANSCRIBED, S.DRAFTED, S.STOPPED):
        with pytest.raises(IllegalTransition):
            transition(state, S.SEALED)
    with pytest.raises(IllegalTransition):
        transition(S.DRAFTED, S.DELIVERED)


def test_every_illegal_pair_raises() -> None:
    legal = {(a, b) for path in (HAPPY_AI, MANUAL) for a, b in itertools.pairwise(path)}
    legal |= {(S.OPENED, S.DECLINED), (S.GRANTED, S.DECLINED), (S.PAUSED, S.STOPPED), (S.REVOKED, S.DRAFTED),
              (S.OPENED, S.DRAFTED), (S.CONSENT_ASKED, S.DRAFTED),
                  (S.GRANTED, S.DRAFTED)}  # the worker decides not to record after all
    for a in S:
        for b in S:
            if b is S.REVOKED or (a, b) in legal:
                continue
            with pytest.raises(IllegalTransition):
                transition(a, b)
