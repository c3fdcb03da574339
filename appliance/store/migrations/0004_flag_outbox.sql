-- Standing-choice flags on their way to central (and from there to every room of the org).
-- Only the HMAC of the dossier reference travels, never the reference itself.
CREATE TABLE flag_outbox (
    id              INTEGER PRIMARY KEY,
    dossier_hmac    TEXT NOT NULL,
    flag            TEXT NOT NULL CHECK (flag IN ('manual_path', 'cleared')),
    set_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL
);

-- The newest flag event known per dossier, 'cleared' included: dossier_flags forgets a cleared
-- flag, and without this an old 'manual_path' arriving late would bring it back.
CREATE TABLE flag_clock (
    dossier_hmac    TEXT PRIMARY KEY,
    flag            TEXT NOT NULL CHECK (flag IN ('manual_path', 'cleared')),
    set_at          TEXT NOT NULL
);
