-- What is in force: per subsystem, the revision its last successful
-- apply brought to the host, and the outcome of the last attempt. A boot
-- brings the host back to these revisions; edits saved since stay
-- pending (the dirty table).
CREATE TABLE applied (
	subsys		TEXT PRIMARY KEY,
	revision	INTEGER NOT NULL DEFAULT 0,	-- 0: the store as created
	time		REAL NOT NULL DEFAULT 0,	-- of the last success
	attempt		REAL NOT NULL DEFAULT 0,	-- of the last attempt
	ok		INTEGER NOT NULL DEFAULT 1,	-- the last attempt's outcome
	message		TEXT NOT NULL DEFAULT '',	-- why it failed
	who		TEXT NOT NULL DEFAULT ''	-- api, boot, xmlrpc, cli, ...
);
