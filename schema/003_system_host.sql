-- 003_system_host: the system settings now reach the host, and an empty
-- host name, domain, zone, protocol or port means "the host's own" (or
-- the daemon's --listen), so that a fresh store changes nothing on the
-- machine. SQLite changes a CHECK only by rebuilding the table.

CREATE TABLE system_new (
	uuid		TEXT PRIMARY KEY,
	hostname	TEXT NOT NULL CHECK (length(hostname) <= 63),
	domain		TEXT NOT NULL CHECK (length(domain) <= 253),
	timezone	TEXT NOT NULL CHECK (length(timezone) <= 64),
	dnsserver	TEXT NOT NULL DEFAULT '',
	language	TEXT NOT NULL DEFAULT 'en_US',
	webgui_protocol	TEXT NOT NULL CHECK (webgui_protocol IN ('','http','https')),
	webgui_port	TEXT NOT NULL CHECK (webgui_port = '' OR CAST(webgui_port AS INTEGER) BETWEEN 1 AND 65535),
	update_command	TEXT NOT NULL DEFAULT ''
);
-- The old factory values were shown and never in force: they become
-- "the host's own", so an upgraded node keeps its name and GUI port.
INSERT INTO system_new SELECT uuid,
	CASE hostname WHEN 'twinwall' THEN '' ELSE hostname END,
	CASE domain WHEN 'localdomain' THEN '' ELSE domain END,
	CASE timezone WHEN 'Etc/UTC' THEN '' ELSE timezone END,
	dnsserver, language,
	CASE webgui_protocol WHEN 'https' THEN '' ELSE webgui_protocol END,
	CASE webgui_port WHEN '443' THEN '' ELSE webgui_port END,
	update_command FROM system;
DROP TABLE system;
ALTER TABLE system_new RENAME TO system;
