-- The workers' screen: accounts made by IT, login throttling and sessions (the box's rules),
-- marks on agreements and documents, and per-organisation row-level security for the role the
-- screen connects as (spreekkamer_web): it sees only rows of the organisation it sets with
-- set_config('spreekkamer.org', ...) in each transaction. Receivers connect as the owner.

CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,             -- the same name the worker uses on the boxes
    org           TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,                -- argon2id
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE login_throttle (
    name_hash     TEXT PRIMARY KEY,             -- per attempted name, known or not
    failures      INTEGER NOT NULL,
    blocked_until TIMESTAMPTZ,
    last_failure  TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    username      TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    csrf_hash     TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE fact_marks (
    org           TEXT NOT NULL,
    dossier_id    BIGINT NOT NULL REFERENCES dossiers (id),
    report_id     TEXT NOT NULL,
    sentence_id   TEXT NOT NULL,                -- the mark holds for later versions too
    mark          TEXT NOT NULL CHECK (mark IN ('done', 'received')),
    by_username   TEXT NOT NULL,
    by_name       TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (dossier_id, report_id, sentence_id)
);

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['dossiers', 'reports', 'facts', 'fact_marks', 'audit'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY same_org ON %I USING (org = current_setting(''spreekkamer.org'', true))'
                       ' WITH CHECK (org = current_setting(''spreekkamer.org'', true))', t);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'spreekkamer_web') THEN
        GRANT SELECT ON dossiers, reports, facts TO spreekkamer_web;
        GRANT SELECT, INSERT, UPDATE, DELETE ON fact_marks TO spreekkamer_web;
        GRANT SELECT, INSERT ON audit TO spreekkamer_web;
        GRANT USAGE ON SEQUENCE audit_id_seq TO spreekkamer_web;
        GRANT SELECT ON accounts TO spreekkamer_web;
        GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle, sessions TO spreekkamer_web;
    END IF;
END $$;
