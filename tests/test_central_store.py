"""Central's dossier store on a real PostgreSQL: migrations, sealing per dossier, facts, erasure."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from pathlib import Path
from typing import Any

import pytest

from appliance.draft import FACT_KINDS
from appliance.sync.envelope import OpenedReport, content_hash
from central.cli import main as central_cli
from central.dossiers import db
from central.dossiers.facts import INDEXED_KINDS
from central.dossiers.keys import DossierErased, erase_dossier, find_dossier
from central.dossiers.migrate import migrate, migrations
from central.dossiers.reports import file_report, read_report, stored_reports
from central.dossiers.sealing import StorageKey
from tests.postgres import database_text

ORG = "ocmw-test"
REF = "D-2026-0042"


def report(
    report_id: str = "r_0001", *, version: int = 1, ref: str = REF, facts: list[Any] | None = None
) -> OpenedReport:
    """A validated report as a box sends it, with the given sentence facts."""
    sentences = [
        {"id": f"s{n}", "text": f"Zin {n} over de cliënt.", "origin": "draft", "citations": [],
         **({"fact": fact} if fact is not None else {})}
        for n, fact in enumerate(facts or [], start=1)
    ]
    body = json.dumps({
        "report_id": report_id, "version": version, "org": ORG, "device_id": "room-1",
        "dossier_ref": ref, "template": {"id": "intake", "version": "1", "title": "Intake"},
        "sections": [{"id": "afspraken", "title": "Afspraken", "sentences": sentences}],
        "validated_by": {"username": "an", "display_name": "An Peeters"},
        "validated_at": "2026-03-02T10:15:00+00:00",
        "transparency": {"text": "Opgesteld met hulp van AI, gelezen door An Peeters."},
    }).encode()
    return OpenedReport("room-1", report_id, version, body, b"%PDF-1.7", content_hash(body, b"%PDF-1.7"))


@pytest.fixture()
def key() -> StorageKey:
    return StorageKey(secrets.token_bytes(32))


@pytest.fixture()
def conn(central_db: str) -> db.Connection:
    connection = db.connect(central_db)
    yield connection  # type: ignore[misc]
    connection.close()


def file(conn: db.Connection, key: StorageKey, item: OpenedReport) -> str:
    with conn.transaction():
        return file_report(conn, key, item, ORG)


def test_migrations_are_numbered_and_applied_once(conn: db.Connection) -> None:
    versions = [v for v, _, _ in migrations()]
    assert versions == list(range(1, len(versions) + 1))
    assert migrate(conn) == []  # connect() applied them; a second run applies nothing
    rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == versions


def test_report_content_is_sealed_and_only_query_columns_are_clear(
    conn: db.Connection, key: StorageKey, central_db: str
) -> None:
    item = report(facts=[{"kind": "agreement", "fields": {"who": "cliënt", "what": "loonfiches bezorgen",
                                                          "due": "2026-03-16"}}])
    assert file(conn, key, item) == "new"
    text = database_text(central_db)
    for secret_text in (REF, "loonfiches", "Zin 1 over", "Peeters gelezen", "%PDF"):
        assert secret_text not in text, f"{secret_text!r} is readable in the database"
    assert key.dossier_hmac(ORG, REF) in text and "An Peeters" in text and "intake" in text
    opened = read_report(conn, key, "r_0001", 1)
    assert opened["dossier_ref"] == REF and opened["sections"][0]["sentences"][0]["fact"]["kind"] == "agreement"


def test_the_cluster_and_the_storage_key_are_owner_only(pg_cluster: Any, tmp_path: Path) -> None:
    from tests.postgres import storage_credentials

    for folder in (pg_cluster.folder, pg_cluster.data, pg_cluster.socket_dir):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    creds = storage_credentials(tmp_path)
    assert creds.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in creds.iterdir()} == {0o600}


def test_each_dossier_has_its_own_data_key(conn: db.Connection, key: StorageKey) -> None:
    file(conn, key, report("r_a", ref="D-1"))
    file(conn, key, report("r_b", ref="D-2"))
    rows = conn.execute("SELECT sealed_key FROM dossiers ORDER BY id").fetchall()
    assert len(rows) == 2 and rows[0][0] != rows[1][0]
    other = StorageKey(secrets.token_bytes(32))  # another central key opens nothing
    with pytest.raises(Exception, match="does not open"):
        read_report(conn, other, "r_a", 1)


def test_same_report_twice_is_a_duplicate_and_other_content_a_conflict(
    conn: db.Connection, key: StorageKey
) -> None:
    assert file(conn, key, report()) == "new"
    assert file(conn, key, report()) == "duplicate"
    changed = report(facts=[{"kind": "document", "fields": {"what": "huurcontract"}}])
    assert file(conn, key, changed) == "conflict"
    assert conn.execute("SELECT count(*) FROM reports").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM conflicts").fetchone() == (1,)


def test_two_receivers_filing_the_same_report_at_once_file_it_once(
    central_db: str, key: StorageKey
) -> None:
    item = report("r_race", ref="D-RACE")
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def receiver() -> None:
        with db.connect(central_db) as own:
            barrier.wait()
            with own.transaction():
                outcomes.append(file_report(own, key, item, ORG))

    threads = [threading.Thread(target=receiver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "new"]
    assert [r.report_id for r in stored_reports(central_db)] == ["r_race"]
    with db.connect(central_db) as check:
        assert check.execute("SELECT count(*) FROM dossiers").fetchone() == (1,)


def test_typed_facts_are_indexed_with_a_pointer_to_their_sentence(
    conn: db.Connection, key: StorageKey
) -> None:
    facts = [
        {"kind": "appointment", "fields": {"date": "2026-03-09", "time": "10:30", "place": "OCMW Gent",
                                           "with_whom": "An Peeters", "purpose": "opvolging"}},
        {"kind": "agreement", "fields": {"who": "cliënt", "what": "loonfiches", "due": "2026-03-16"}},
        {"kind": "document", "fields": {"what": "huurcontract"}},
        {"kind": "not_decided", "fields": {"what": "huurwaarborg", "who_decides": "BCSD"}},
        {"kind": "income", "fields": {"source": "werk"}},  # not an indexed kind
        None,
    ]
    file(conn, key, report("r_facts", facts=facts))
    rows = conn.execute(
        "SELECT kind, on_date, report_id, version, sentence_id, indexed FROM facts ORDER BY ordinal"
    ).fetchall()
    assert rows == [
        ("appointment", dt.date(2026, 3, 9), "r_facts", 1, "s1", True),
        ("agreement", dt.date(2026, 3, 16), "r_facts", 1, "s2", True),
        ("document", None, "r_facts", 1, "s3", True),
        ("not_decided", None, "r_facts", 1, "s4", True),
    ]
    assert conn.execute("SELECT facts_indexed FROM reports").fetchone() == (True,)


def test_a_report_whose_facts_do_not_parse_is_filed_with_them_not_indexed(
    conn: db.Connection, key: StorageKey
) -> None:
    facts = [
        {"kind": "appointment", "fields": {"date": "volgende dinsdag", "time": "10:30"}},
        {"kind": "agreement", "fields": {"who": "cliënt", "colour": "blauw"}},
        "not an object",
        {"kind": "document", "fields": {"what": "huurcontract", "due": "2026-04-01"}},
    ]
    assert file(conn, key, report("r_bad", facts=facts)) == "new"
    assert conn.execute("SELECT facts_indexed FROM reports").fetchone() == (False,)
    rows = conn.execute("SELECT kind, indexed, sentence_id FROM facts ORDER BY ordinal").fetchall()
    assert rows == [("unparsed", False, "s1"), ("unparsed", False, "s2"), ("unparsed", False, "s3"),
                    ("document", True, "s4")]
    assert read_report(conn, key, "r_bad", 1)["report_id"] == "r_bad"  # the content is all there


def test_the_central_fact_kinds_are_the_boxes_kinds() -> None:
    for kind, fields in INDEXED_KINDS.items():
        assert FACT_KINDS[kind] == fields


def test_erasing_a_dossier_destroys_its_key_and_is_audited(
    conn: db.Connection, key: StorageKey
) -> None:
    file(conn, key, report("r_keep", ref="D-KEEP"))
    file(conn, key, report("r_gone", ref=REF, facts=[{"kind": "document", "fields": {"what": "attest"}}]))
    assert erase_dossier(conn, key, ORG, REF, actor="it-jan") == 1
    with pytest.raises(DossierErased):
        read_report(conn, key, "r_gone", 1)
    assert read_report(conn, key, "r_keep", 1)["dossier_ref"] == "D-KEEP"
    dossier_id = find_dossier(conn, key, ORG, REF)
    assert conn.execute("SELECT sealed_key FROM dossiers WHERE id = %s", (dossier_id,)).fetchone() == (None,)
    assert conn.execute("SELECT count(*) FROM facts WHERE dossier_id = %s", (dossier_id,)).fetchone() == (0,)
    audit = conn.execute("SELECT actor, action, detail FROM audit").fetchall()
    assert audit == [("it-jan", "dossier_erased", "data key generation 1 destroyed; 1 reports unreadable")]
    with pytest.raises(DossierErased):
        erase_dossier(conn, key, ORG, REF, actor="it-jan")
    # A redelivered old report stays a duplicate; a new report starts a new key generation.
    assert file(conn, key, report("r_gone", ref=REF, facts=[{"kind": "document", "fields": {"what": "attest"}}])) == "duplicate"
    assert file(conn, key, report("r_next", ref=REF)) == "new"
    assert read_report(conn, key, "r_next", 1)["dossier_ref"] == REF
    with pytest.raises(DossierErased):
        read_report(conn, key, "r_gone", 1)


def test_dossier_erase_command(central_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.postgres import storage_credentials

    creds = storage_credentials(tmp_path)
    key = StorageKey.load(creds)
    with db.connect(central_db) as conn:
        file(conn, key, report("r_cli"))
    config = tmp_path / "central.toml"
    config.write_text("\n".join([
        f'database_url = "{central_db}"', f'credentials_dir = "{creds}"',
        *(f'{k} = "{tmp_path / k}"' for k in ("ca_file", "cert_file", "key_file", "central_x25519_key_file",
                                               "central_ed25519_key_file", "device_registry_file")),
        "[sink]", 'kind = "directory"', f'path = "{tmp_path / "out"}"', "",
    ]))
    args = ["dossier", "erase", "--config", str(config), "--org", ORG, "--dossier", REF, "--by", "it-jan"]
    assert central_cli(args) == 1  # without --yes it only says what would go
    assert central_cli([*args, "--yes"]) == 0
    assert "1 reports of this dossier are unreadable" in capsys.readouterr().out
    assert central_cli([*args, "--yes"]) == 1
    with db.connect(central_db) as conn, pytest.raises(DossierErased):
        read_report(conn, key, "r_cli", 1)


def test_a_database_outage_is_an_error_not_a_hang(central_db: str, pg_cluster: Any) -> None:
    database = db.Database(central_db)
    with database.transaction() as conn:
        conn.execute("SELECT 1")
    pg_cluster.stop()
    try:
        with pytest.raises(db.DatabaseUnavailable), database.transaction() as conn:
            conn.execute("SELECT 1")
    finally:
        pg_cluster.start()
    with database.transaction() as conn:  # back by itself, no restart of the process
        assert conn.execute("SELECT 1").fetchone() == (1,)
    database.close()


def test_a_config_from_the_sqlite_days_says_what_replaced_it(tmp_path: Path) -> None:
    from central.config import ReceiverConfigError, load_receiver_config

    config = tmp_path / "receiver.toml"
    config.write_text('database_path = "/var/lib/spreekkamer/reports.db"\n')
    with pytest.raises(ReceiverConfigError, match="database_path is gone.*database_url"):
        load_receiver_config(config)
