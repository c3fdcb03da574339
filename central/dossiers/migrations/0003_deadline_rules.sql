-- Legal deadlines as data, versioned: a rule is never edited, a new version replaces it from
-- its `valid_from` date. The screen computes a deadline only from a fact's date; it never
-- guesses a date the report does not give.

CREATE TABLE deadline_rules (
    rule_id       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    valid_from    DATE NOT NULL,
    fact_kind     TEXT NOT NULL,                -- the fact whose date starts the term
    matches       TEXT NOT NULL,                -- case-insensitive regex on the fact's 'what'
    days          INTEGER NOT NULL CHECK (days > 0),
    after_rule    TEXT,                         -- counted from the end of this rule's term
    label_nl      TEXT NOT NULL,
    label_fr      TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    PRIMARY KEY (rule_id, version)
);

INSERT INTO deadline_rules VALUES
('rmi-decision', 1, '2002-10-01', 'request', 'leefloon|integratie|intégration|\mrmi\M|\mri\M', 30, NULL,
 'Beslissing over de aanvraag leefloon', 'Décision sur la demande de revenu d''intégration',
 'Wet van 26 mei 2002 betreffende het recht op maatschappelijke integratie, art. 21, § 1'),
('rmi-notification', 1, '2002-10-01', 'request', 'leefloon|integratie|intégration|\mrmi\M|\mri\M', 8, 'rmi-decision',
 'Kennisgeving van de beslissing (uiterlijk)', 'Notification de la décision (au plus tard)',
 'Wet van 26 mei 2002 betreffende het recht op maatschappelijke integratie, art. 21, § 2');

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'spreekkamer_web') THEN
        GRANT SELECT ON deadline_rules TO spreekkamer_web;
    END IF;
END $$;
