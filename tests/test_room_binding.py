"""Consent and the room's controls are bound to the contact the client sees: one contact holds
the room, every kiosk action carries the screen it was made on, questions expire and are never
shown again after a restart, and a running recording always has its revoke control."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from appliance.box.config import AppConfig
from appliance.contact.consent import Channel, Choice
from appliance.contact.contacts import ContactNotFound
from appliance.contact.lifecycle import ContactState as S
from appliance.contact.lifecycle import IllegalTransition
from appliance.contact.room import Room
from appliance.contact.room_base import HOLDS_THE_ROOM, RoomError, StaleScreen
from tests.box import box_config, running_box


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> AppConfig:
    return box_config(tmp_path_factory.mktemp("room"))


@pytest.fixture
def room(config: AppConfig) -> Iterator[Room]:
    with running_box(config) as appliance:
        yield appliance.room
        _free(appliance.room)


def _free(room: Room) -> None:
    for contact in room.list():
        if contact.state in (S.RECORDING, S.PAUSED):
            room.revoke(contact.id, Channel.PHONE, "test")
        elif contact.state in (S.GRANTED, S.CONSENT_ASKED):
            room.start_manual(contact.id, "test")


def _grant(room: Room, dossier: str) -> str:
    cid = room.open_contact(dossier, "intake", "an").id
    room.ask_consent(cid, "an")
    room.kiosk_decide(Choice.GRANTED, "nl", room.text_version, room.kiosk_state()["screen"])
    return cid


def test_asking_while_another_contact_records_is_refused_and_revoke_reaches_the_recording(room: Room) -> None:
    a = _grant(room, "D-BIND-A")
    room.start_recording(a, "an")
    screen = room.kiosk_state()["screen"]
    b = room.open_contact("D-BIND-B", "intake", "an").id
    with pytest.raises(RoomError, match="another conversation"):
        room.ask_consent(b, "an")
    shown = room.kiosk_state()
    assert shown["state"] == "recording" and shown["screen"] == screen  # A's client keeps the control
    with pytest.raises(IllegalTransition):  # B has no consent: it cannot be recorded
        room.start_recording(b, "an")
    room.button("long")  # the long press stops A, the recording running
    assert room.get(a).state is not S.RECORDING
    assert room.get(b).state is S.OPENED


def test_the_kiosk_revoke_of_the_screen_shown_reaches_that_contact(room: Room) -> None:
    a = _grant(room, "D-BIND-C")
    room.start_recording(a, "an")
    with pytest.raises(StaleScreen):
        room.kiosk_revoke("nl", "not-the-screen-shown")
    assert room.get(a).state is S.RECORDING
    receipt = room.kiosk_revoke("nl", room.kiosk_state()["screen"])
    assert "recording" in receipt["stopped"]
    assert room.get(a).state is S.REVOKED
    assert room.consent_of(a) is Choice.REVOKED


def test_an_answer_carries_the_question_it_answers(room: Room) -> None:
    a = room.open_contact("D-BIND-D", "intake", "an").id
    room.ask_consent(a, "an")
    first = room.kiosk_state()["screen"]
    room.ask_consent(a, "an")  # asked again: a new screen, the old token is worthless
    second = room.kiosk_state()["screen"]
    assert first != second
    with pytest.raises(StaleScreen):
        room.kiosk_decide(Choice.GRANTED, "nl", room.text_version, first)
    assert room.consent_of(a) is None
    room.kiosk_decide(Choice.DECLINED, "nl", room.text_version, second)
    assert room.consent_of(a) is Choice.DECLINED
    with pytest.raises(StaleScreen):  # one answer per question
        room.kiosk_decide(Choice.GRANTED, "nl", room.text_version, second)


def test_an_open_question_expires(room: Room) -> None:
    a = room.open_contact("D-BIND-E", "intake", "an").id
    room.ask_consent(a, "an")
    screen = room.kiosk_state()["screen"]
    room._kiosk.shown_at -= room.config.kiosk.question_expiry_s + 1  # as if it had stood that long
    assert room.kiosk_state()["state"] == "idle"
    with pytest.raises(StaleScreen, match="expired"):
        room.kiosk_decide(Choice.GRANTED, "nl", room.text_version, screen)
    b = room.open_contact("D-BIND-F", "intake", "an").id
    room.ask_consent(b, "an")  # an expired question no longer holds the room
    assert room.kiosk_state()["state"] == "question"


def test_after_a_restart_a_question_is_not_shown_and_a_standing_yes_keeps_its_revoke(config: AppConfig) -> None:
    with running_box(config) as first:
        asked = first.room.open_contact("D-BIND-G", "intake", "an").id
        first.room.ask_consent(asked, "an")
    with running_box(config) as second:  # the next client must never answer the previous one's question
        assert second.room.kiosk_state()["state"] == "idle"
        assert second.room.get(asked).state is S.CONSENT_ASKED
        second.room.start_manual(asked, "an")
        granted = _grant(second.room, "D-BIND-H")
        second.room.start_recording(granted, "an")
    with running_box(config) as third:  # recording → paused at restart, and the client can still revoke
        shown = third.room.kiosk_state()
        assert third.room.get(granted).state is S.PAUSED
        assert shown["state"] == "paused" and shown["screen"]
        third.room.kiosk_revoke("nl", shown["screen"])
        assert third.room.get(granted).state is S.REVOKED


_DOSSIERS = itertools.count(1)


class RoomMachine(RuleBasedStateMachine):
    """Random interleavings of worker and kiosk actions on one room."""

    def __init__(self, room: Room) -> None:
        super().__init__()
        self.room = room
        self.contacts: list[str] = []
        self.screens: list[str] = []  # every token the kiosk ever showed (stale ones too)

    def _pick(self, i: int) -> str | None:
        return self.contacts[i % len(self.contacts)] if self.contacts else None

    def _try(self, action: object, *args: object) -> None:
        try:
            action(*args)  # type: ignore[operator]
        except (RoomError, IllegalTransition, ContactNotFound):
            pass  # refused with a clear error: allowed, as long as the invariants hold

    @rule()
    def open_contact(self) -> None:
        # A dossier of its own each time: a revocation's standing choice must not carry over.
        self.contacts.append(self.room.open_contact(f"D-PROP-{next(_DOSSIERS)}", "intake", "an").id)

    @rule(i=st.integers(0, 5), override=st.booleans())
    def ask(self, i: int, override: bool) -> None:
        if (cid := self._pick(i)) is not None:
            self._try(lambda: self.room.ask_consent(cid, "an", client_asked_to_opt_in=override))

    @rule(choice=st.sampled_from([Choice.GRANTED, Choice.DECLINED]), stale=st.integers(-4, 3))
    def kiosk_answer(self, choice: Choice, stale: int) -> None:
        screen = self.room.kiosk_state()["screen"] or "no-screen-shown"
        if stale >= 0 and self.screens:
            screen = self.screens[stale % len(self.screens)]
        self._try(self.room.kiosk_decide, choice, "nl", self.room.text_version, screen)

    @rule(stale=st.integers(-4, 3))
    def kiosk_revoke(self, stale: int) -> None:
        screen = self.room.kiosk_state()["screen"] or "no-screen-shown"
        if stale >= 0 and self.screens:
            screen = self.screens[stale % len(self.screens)]
        self._try(self.room.kiosk_revoke, "nl", screen)

    @rule(i=st.integers(0, 5), act=st.sampled_from(["start", "pause", "stop", "manual", "revoke"]))
    def worker(self, i: int, act: str) -> None:
        if (cid := self._pick(i)) is None:
            return
        r = self.room
        action = {"start": lambda: r.start_recording(cid, "an"), "pause": lambda: r.pause_recording(cid, "an"),
                  "stop": lambda: r.stop_recording(cid, "an"), "manual": lambda: r.start_manual(cid, "an"),
                  "revoke": lambda: r.revoke(cid, Channel.PHONE, "an")}[act]
        self._try(action)

    @rule(kind=st.sampled_from(["short", "long"]))
    def button(self, kind: str) -> None:
        self._try(self.room.button, kind)

    @rule()
    def question_expires(self) -> None:
        self.room._kiosk.shown_at -= self.room.config.kiosk.question_expiry_s + 1

    @invariant()
    def bound_to_the_contact(self) -> None:
        room, shown = self.room, self.room.kiosk_state()
        if shown["screen"]:
            self.screens.append(shown["screen"])
        mine = [c for c in room.list() if c.id in self.contacts]
        holding = [c for c in mine if c.state in HOLDS_THE_ROOM]
        assert len(holding) <= 1, holding
        for c in mine:
            if c.state is S.RECORDING or c.id in room._recording:
                # Never a microphone without this very contact's yes …
                assert room.consent_of(c.id) is Choice.GRANTED, c
            if c.state is S.RECORDING:
                # … and never a running recording without its client's revoke control.
                assert room._kiosk.contact_id == c.id and shown["state"] == "recording" and shown["screen"], shown

    def teardown(self) -> None:
        _free(self.room)


def test_random_interleavings_never_record_without_consent_or_without_a_revoke_control(room: Room) -> None:
    run_state_machine_as_test(
        lambda: RoomMachine(room),
        settings=settings(max_examples=60, stateful_step_count=30, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck)),
    )
