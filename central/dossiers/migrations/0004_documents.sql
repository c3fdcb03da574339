-- Derived documents (social report, proposal to the committee, decision letter), sealed under
-- the dossier's data key like its reports. A validated version is immutable, enforced here and
-- not only in the application: a correction is a new version that names the one it supersedes.

CREATE TABLE documents (
    document_id       TEXT NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 1),
    org               TEXT NOT NULL,
    dossier_id        BIGINT NOT NULL REFERENCES dossiers (id),
    key_generation    INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('sociaal_verslag', 'voorstel_bcsd', 'beslissingsbrief')),
    template_id       TEXT NOT NULL,
    template_version  TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'validated')),
    supersedes        INTEGER,
    based_on_id       TEXT,                   -- the validated document it was built from
    based_on_version  INTEGER,
    created_by        TEXT NOT NULL,          -- account name
    created_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    validated_by      TEXT,                   -- account name
    validated_name    TEXT,                   -- the name shown on the document
    validated_at      TIMESTAMPTZ,
    sealed_body       BYTEA NOT NULL,         -- the document JSON (and the built draft), under the dossier key
    PRIMARY KEY (document_id, version),
    FOREIGN KEY (based_on_id, based_on_version) REFERENCES documents (document_id, version),
    CHECK ((status = 'validated') = (validated_at IS NOT NULL))
);
CREATE INDEX documents_dossier ON documents (dossier_id, kind);

CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'validated' THEN
        RAISE EXCEPTION 'document % v% is validated and cannot change; make a new version',
            OLD.document_id, OLD.version USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.document_id, NEW.version, NEW.org, NEW.dossier_id, NEW.kind)
        IS DISTINCT FROM (OLD.document_id, OLD.version, OLD.org, OLD.dossier_id, OLD.kind) THEN
        RAISE EXCEPTION 'a document keeps its id, version, organisation, dossier and kind'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_immutable();

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY same_org ON documents USING (org = current_setting('spreekkamer.org', true))
    WITH CHECK (org = current_setting('spreekkamer.org', true));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'spreekkamer_web') THEN
        GRANT SELECT, INSERT, UPDATE ON documents TO spreekkamer_web;
    END IF;
END $$;
