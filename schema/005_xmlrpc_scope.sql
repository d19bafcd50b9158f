-- A third user scope, "xmlrpc": OPNsense's "XMLRPC Library" privilege. Such
-- an account may call /xmlrpc.php (config sync from an HA master) and
-- nothing else. SQLite cannot change a CHECK in place: the table is
-- copied, same columns, same rows.
CREATE TABLE users_new (
	uuid		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),
	password	TEXT NOT NULL DEFAULT '' CHECK (password = '' OR substr(password, 1, 1) = '$'),
	scope		TEXT NOT NULL CHECK (scope IN ('admin','user','xmlrpc')),
	disabled	TEXT NOT NULL CHECK (disabled IN ('0','1')),
	descr		TEXT NOT NULL DEFAULT ''
);
INSERT INTO users_new (uuid, name, password, scope, disabled, descr)
    SELECT uuid, name, password, scope, disabled, descr FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
