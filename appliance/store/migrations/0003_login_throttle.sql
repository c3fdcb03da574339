-- Failed-login counting per attempted user name, for known and unknown names alike, so the
-- back-off itself does not reveal which accounts exist. Keyed by a hash, not the typed name.
CREATE TABLE login_throttle (
    name_hash     TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL DEFAULT 0,
    blocked_until TEXT,
    last_failure  TEXT NOT NULL
);
