-- Core schema. Content (transcripts, drafts) is stored as AEAD ciphertext under the contact's
-- own data key (data_keys), so destroying that key crypto-shreds the content even in old pages.

CREATE TABLE contacts (
    id            TEXT PRIMARY KEY,               -- random, not derived from the dossier
    dossier_ref   TEXT NOT NULL,                  -- the OCMW's dossier reference (needed to file the report)
    template_id   TEXT NOT NULL,
    state         TEXT NOT NULL,
    path          TEXT NOT NULL DEFAULT 'undecided',  -- 'ai' | 'manual' | 'undecided'
    opened_at     TEXT NOT NULL,
    opened_by     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    recording_started_at TEXT,
    recorded_seconds REAL NOT NULL DEFAULT 0,
    stopped_at    TEXT
);

-- Only the choice and the moment. There is deliberately no column for a reason.
CREATE TABLE consent_decisions (
    id            INTEGER PRIMARY KEY,
    contact_id    TEXT NOT NULL REFERENCES contacts(id),
    choice        TEXT NOT NULL CHECK (choice IN ('granted', 'declined', 'revoked')),
    decided_at    TEXT NOT NULL,
    language      TEXT NOT NULL,
    text_version  TEXT NOT NULL,
    channel       TEXT NOT NULL                   -- 'kiosk' | 'oral' | 'phone' | 'mail' | 'form'
);

CREATE TABLE data_keys (
    contact_id    TEXT PRIMARY KEY,
    key           BLOB NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE audio_chunks (
    contact_id    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    file_name     TEXT NOT NULL,
    frames        INTEGER NOT NULL,
    sample_rate   INTEGER NOT NULL,
    channels      INTEGER NOT NULL,
    sealed_at     TEXT NOT NULL,
    PRIMARY KEY (contact_id, seq)
);

CREATE TABLE transcripts (
    contact_id    TEXT PRIMARY KEY,
    sealed_json   BLOB NOT NULL,                  -- Transcript JSON under the contact's data key
    model_name    TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE drafts (
    contact_id    TEXT PRIMARY KEY,
    sealed_json   BLOB NOT NULL,                  -- original Draft JSON under the contact's data key
    sealed_edit   BLOB,                           -- worker's working copy under the same key
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Validated reports are the legal record: they outlive consent revocation and purges.
CREATE TABLE reports (
    id            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    contact_id    TEXT NOT NULL,
    dossier_ref   TEXT NOT NULL,
    report_json   BLOB NOT NULL,
    content_hash  TEXT NOT NULL,
    validated_by  TEXT NOT NULL,
    validated_at  TEXT NOT NULL,
    supersedes    INTEGER,
    PRIMARY KEY (id, version)
);

CREATE TABLE outbox (
    report_id     TEXT NOT NULL,
    version       INTEGER NOT NULL,
    envelope      BLOB NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    acked_at      TEXT,
    PRIMARY KEY (report_id, version)
);

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    event         TEXT NOT NULL,
    contact_id    TEXT,
    actor         TEXT,
    details       TEXT NOT NULL,                  -- JSON metadata, never content
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('worker', 'admin')),
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    username      TEXT NOT NULL REFERENCES users(username),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);

-- Standing choice after revocation, keyed by an HMAC of the dossier reference.
CREATE TABLE dossier_flags (
    dossier_hmac  TEXT PRIMARY KEY,
    flag          TEXT NOT NULL CHECK (flag IN ('manual_path')),
    set_at        TEXT NOT NULL
);
