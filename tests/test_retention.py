"""Delivered reports and their envelopes leave the box after the retention, audited; audio,
transcript and draft go at delivery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from appliance.box.clock import utcnow
from appliance.draft import Sentence
from appliance.review.report import Validator
from appliance.service.wiring import Appliance
from appliance.sync import outbox
from tests.box import box_config, running_box

AN = Validator("an", "An Peeters")


def _validated_and_acked(box: Appliance, dossier: str) -> tuple[str, str]:
    room = box.room
    cid = room.open_contact(dossier, "intake", "an").id
    room.start_manual(cid, "an")
    _, working = box.validation.drafts(cid)
    first = working.sections[0].model_copy(
        update={"sentences": (Sentence(id="w1", text="Cliënt vraagt steun.", origin="worker"),)})
    box.validation.save_working(cid, working.model_copy(update={"sections": (first, *working.sections[1:])}), "an")
    report = box.validation.validate(cid, AN, "An Peeters")
    with box.store.transaction() as conn:
        outbox.mark_done(conn, report["report_id"], 1, utcnow())
    box.validation.on_delivered(report["report_id"], 1)
    return cid, report["report_id"]


def _rows(box: Appliance, report_id: str) -> tuple[int, int]:
    with box.store.transaction() as conn:
        reports = conn.execute("SELECT count(*) FROM reports WHERE id = ?", (report_id,)).fetchone()[0]
        envelopes = conn.execute("SELECT count(*) FROM outbox WHERE report_id = ?", (report_id,)).fetchone()[0]
    return reports, envelopes


def test_with_retention_0_the_report_and_envelope_go_on_acknowledgement(tmp_path: Path) -> None:
    with running_box(box_config(tmp_path, retention_days=0)) as box:
        cid, rid = _validated_and_acked(box, "D-RET-0")
        assert _rows(box, rid) == (0, 0)
        assert box.room.get(cid).state.value == "purged"
        events = [e.event for e in box.audit.entries(contact_id=cid, limit=50)]
        assert "report.removed_after_retention" in events and "contact.purged" in events


def test_a_delivered_report_stays_for_the_retention_then_goes(tmp_path: Path) -> None:
    with running_box(box_config(tmp_path, retention_days=30)) as box:
        cid, rid = _validated_and_acked(box, "D-RET-30")
        assert box.room.get(cid).state.value == "purged"  # audio, transcript, draft: gone at delivery
        assert _rows(box, rid) == (1, 1)  # the report itself: kept for printing and corrections
        assert box.validation.purge_expired() == 0
        with box.store.transaction() as conn:  # as if acknowledged 31 days ago
            conn.execute("UPDATE outbox SET acked_at = ? WHERE report_id = ?",
                         (outbox.stamp(utcnow() - dt.timedelta(days=31)), rid))
        assert box.validation.purge_expired() == 1
        assert _rows(box, rid) == (0, 0)
        events = [e.event for e in box.audit.entries(contact_id=cid, limit=50)]
        assert "report.removed_after_retention" in events


def test_a_report_waiting_for_its_acknowledgement_is_never_removed(tmp_path: Path) -> None:
    with running_box(box_config(tmp_path, retention_days=0)) as box:
        cid = box.room.open_contact("D-RET-WAIT", "intake", "an").id
        box.room.start_manual(cid, "an")
        report = box.validation.validate(cid, AN, "An Peeters")
        assert box.validation.purge_expired() == 0
        assert _rows(box, report["report_id"]) == (1, 1)
