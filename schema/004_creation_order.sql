-- Rules of equal sequence are evaluated in the order they were created, as
-- OPNsense's model keeps insertion order; the uuid (random) decided before.
-- "created" is a per-table counter set on insert (max + 1), never updated;
-- a restore, a sync or an import inserts in the order it was given, so the
-- order travels with the rows. Existing rows keep the order they had.
ALTER TABLE filter_rules ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snat_rules ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dnat_rules ADD COLUMN created INTEGER NOT NULL DEFAULT 0;

UPDATE filter_rules SET created = o.n FROM (SELECT uuid, row_number() OVER
    (ORDER BY sequence, uuid) AS n FROM filter_rules) AS o WHERE o.uuid = filter_rules.uuid;
UPDATE snat_rules SET created = o.n FROM (SELECT uuid, row_number() OVER
    (ORDER BY sequence, uuid) AS n FROM snat_rules) AS o WHERE o.uuid = snat_rules.uuid;
UPDATE dnat_rules SET created = o.n FROM (SELECT uuid, row_number() OVER
    (ORDER BY sequence, uuid) AS n FROM dnat_rules) AS o WHERE o.uuid = dnat_rules.uuid;

-- Pages are read in (sequence, created) order: walk the index, never sort.
DROP INDEX filter_rules_seq;
DROP INDEX snat_rules_seq;
DROP INDEX dnat_rules_seq;
CREATE INDEX filter_rules_seq ON filter_rules (sequence, created);
CREATE INDEX snat_rules_seq ON snat_rules (sequence, created);
CREATE INDEX dnat_rules_seq ON dnat_rules (sequence, created);
-- max(created) for the next insert.
CREATE INDEX filter_rules_created ON filter_rules (created);
CREATE INDEX snat_rules_created ON snat_rules (created);
CREATE INDEX dnat_rules_created ON dnat_rules (created);
