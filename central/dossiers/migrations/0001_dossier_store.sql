-- Central's dossier store: filed reports sealed per dossier, their typed facts, standing flags.
-- Clear columns hold only what queries need; everything a client said is in the sealed columns.

CREATE TABLE dossiers (
    id              BIGSERIAL PRIMARY KEY,
    org             TEXT NOT NULL,
    dossier_hmac    TEXT NOT NULL,          -- HMAC of org + dossier reference (storage key)
    key_generation  INTEGER NOT NULL DEFAULT 1,
    sealed_key      BYTEA,                  -- the data key, sealed; NULL once erased
    sealed_ref      BYTEA,                  -- the dossier reference, under the data key
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    erased_at       TIMESTAMPTZ,
    UNIQUE (org, dossier_hmac)
);

CREATE TABLE reports (
    report_id       TEXT NOT NULL,
    version         INTEGER NOT NULL,
    content_hash    TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    org             TEXT NOT NULL,
    dossier_id      BIGINT NOT NULL REFERENCES dossiers (id),
    key_generation  INTEGER NOT NULL,
    template_id     TEXT,
    validated_at    TIMESTAMPTZ,
    validated_by    TEXT,                   -- the worker's display name
    worker_username TEXT,                   -- the worker's account name on the box
    received_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    facts_indexed   BOOLEAN NOT NULL,       -- false: some typed fact did not parse
    sealed_body     BYTEA NOT NULL,         -- the report JSON, under the dossier key
    sealed_pdf      BYTEA,
    PRIMARY KEY (report_id, version)
);
CREATE INDEX reports_dossier ON reports (dossier_id, validated_at);

CREATE TABLE conflicts (
    id              BIGSERIAL PRIMARY KEY,
    report_id       TEXT NOT NULL,
    version         INTEGER NOT NULL,
    content_hash    TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    org             TEXT NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE facts (
    id              BIGSERIAL PRIMARY KEY,
    org             TEXT NOT NULL,
    dossier_id      BIGINT NOT NULL REFERENCES dossiers (id),
    report_id       TEXT NOT NULL,
    version         INTEGER NOT NULL,
    ordinal         INTEGER NOT NULL,       -- position of the sentence in the report
    sentence_id     TEXT NOT NULL,
    kind            TEXT NOT NULL,          -- an indexed kind, or 'unparsed'
    on_date         DATE,                   -- appointment date, due date or request date
    indexed         BOOLEAN NOT NULL,
    sealed          BYTEA NOT NULL,         -- the fields (or why they did not parse)
    UNIQUE (report_id, version, ordinal),
    FOREIGN KEY (report_id, version) REFERENCES reports (report_id, version)
);
CREATE INDEX facts_dossier ON facts (dossier_id, kind);
CREATE INDEX facts_date ON facts (org, kind, on_date);

CREATE TABLE standing_flags (
    org          TEXT NOT NULL,
    dossier_hmac TEXT NOT NULL,             -- the boxes' HMAC, not central's
    flag         TEXT NOT NULL CHECK (flag IN ('manual_path', 'cleared')),
    set_at       TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (org, dossier_hmac)
);

CREATE TABLE audit (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    org         TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    dossier_id  BIGINT REFERENCES dossiers (id),
    detail      TEXT NOT NULL DEFAULT ''    -- never a dossier reference or client content
);
