-- Tip of the audit hash chain, kept apart from the log itself so that deleting the newest
-- entries is detected too. `mac` binds (seq, hash) to the chain key, so the head cannot be
-- wound back to an older entry's values without that key.
CREATE TABLE audit_head (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    seq           INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    mac           TEXT NOT NULL
);

-- Append-only by construction: the service never changes or removes an entry. (Someone with the
-- database key can drop these triggers; the hash chain is what then gives them away.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
