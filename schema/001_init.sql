-- 001_init: every configuration section of DESIGN.md section 3.
-- Values are kept as the API shows them (text, "0"/"1" booleans) with
-- CHECK constraints as the last line of defence behind config/*.c.

CREATE TABLE schema_version (
	version		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,
	applied		INTEGER NOT NULL
);

CREATE TABLE system (
	uuid		TEXT PRIMARY KEY,
	hostname	TEXT NOT NULL CHECK (length(hostname) BETWEEN 1 AND 63),
	domain		TEXT NOT NULL CHECK (length(domain) <= 253),
	timezone	TEXT NOT NULL CHECK (length(timezone) <= 64),
	dnsserver	TEXT NOT NULL DEFAULT '',
	language	TEXT NOT NULL DEFAULT 'en_US',
	webgui_protocol	TEXT NOT NULL CHECK (webgui_protocol IN ('http','https')),
	webgui_port	TEXT NOT NULL CHECK (webgui_port = '' OR CAST(webgui_port AS INTEGER) BETWEEN 1 AND 65535),
	update_command	TEXT NOT NULL DEFAULT ''
);

CREATE TABLE interfaces (
	uuid		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 16),
	device		TEXT NOT NULL DEFAULT '' CHECK (length(device) <= 15),
	descr		TEXT NOT NULL DEFAULT '',
	enabled		TEXT NOT NULL CHECK (enabled IN ('0','1')),
	locked		TEXT NOT NULL CHECK (locked IN ('0','1')),
	ipaddr		TEXT NOT NULL DEFAULT 'none',
	subnet		TEXT NOT NULL DEFAULT '',
	ipaddrv6	TEXT NOT NULL DEFAULT 'none',
	subnetv6	TEXT NOT NULL DEFAULT '',
	gateway		TEXT NOT NULL DEFAULT '',
	blockpriv	TEXT NOT NULL CHECK (blockpriv IN ('0','1')),
	blockbogons	TEXT NOT NULL CHECK (blockbogons IN ('0','1')),
	mtu		TEXT NOT NULL DEFAULT '',
	mss		TEXT NOT NULL DEFAULT ''
);

CREATE TABLE gateways (
	uuid		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),
	interface	TEXT NOT NULL,
	ipprotocol	TEXT NOT NULL CHECK (ipprotocol IN ('inet','inet6')),
	gateway		TEXT NOT NULL,
	defaultgw	TEXT NOT NULL CHECK (defaultgw IN ('0','1')),
	monitor_disable	TEXT NOT NULL CHECK (monitor_disable IN ('0','1')),
	monitor		TEXT NOT NULL DEFAULT '',
	priority	TEXT NOT NULL CHECK (CAST(priority AS INTEGER) BETWEEN 0 AND 255),
	weight		TEXT NOT NULL CHECK (CAST(weight AS INTEGER) BETWEEN 1 AND 5),
	force_down	TEXT NOT NULL CHECK (force_down IN ('0','1')),
	disabled	TEXT NOT NULL CHECK (disabled IN ('0','1')),
	descr		TEXT NOT NULL DEFAULT '',
	nosync		TEXT NOT NULL CHECK (nosync IN ('0','1'))
);

CREATE TABLE routes (
	uuid		TEXT PRIMARY KEY,
	network		TEXT NOT NULL CHECK (instr(network, '/') > 0),
	gateway		TEXT NOT NULL,
	disabled	TEXT NOT NULL CHECK (disabled IN ('0','1')),
	descr		TEXT NOT NULL DEFAULT ''
);

CREATE TABLE aliases (
	uuid		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),
	type		TEXT NOT NULL CHECK (type IN ('host','network','port')),
	content		TEXT NOT NULL DEFAULT '',
	enabled		TEXT NOT NULL CHECK (enabled IN ('0','1')),
	descr		TEXT NOT NULL DEFAULT ''
);

CREATE TABLE filter_rules (
	uuid		TEXT PRIMARY KEY,
	sequence	INTEGER NOT NULL CHECK (sequence BETWEEN 1 AND 999999),
	enabled		TEXT NOT NULL CHECK (enabled IN ('0','1')),
	action		TEXT NOT NULL CHECK (action IN ('pass','block','reject')),
	quick		TEXT NOT NULL CHECK (quick IN ('0','1')),
	interface	TEXT NOT NULL DEFAULT '',
	direction	TEXT NOT NULL CHECK (direction IN ('in','out','any')),
	ipprotocol	TEXT NOT NULL CHECK (ipprotocol IN ('inet','inet6','inet46')),
	protocol	TEXT NOT NULL,
	icmptype	TEXT NOT NULL DEFAULT '',
	source_net	TEXT NOT NULL,
	source_not	TEXT NOT NULL CHECK (source_not IN ('0','1')),
	source_port	TEXT NOT NULL DEFAULT '',
	destination_net	TEXT NOT NULL,
	destination_not	TEXT NOT NULL CHECK (destination_not IN ('0','1')),
	destination_port TEXT NOT NULL DEFAULT '',
	gateway		TEXT NOT NULL DEFAULT '',
	log		TEXT NOT NULL CHECK (log IN ('0','1')),
	statetype	TEXT NOT NULL CHECK (statetype IN ('keep','sloppy','modulate','synproxy','none')),
	nosync		TEXT NOT NULL CHECK (nosync IN ('0','1')),
	nopfsync	TEXT NOT NULL CHECK (nopfsync IN ('0','1')),
	categories	TEXT NOT NULL DEFAULT '',
	description	TEXT NOT NULL DEFAULT ''
);
-- Pages are read in (sequence, uuid) order: walk the index, never sort.
CREATE INDEX filter_rules_seq ON filter_rules (sequence, uuid);

CREATE TABLE snat (
	uuid		TEXT PRIMARY KEY,
	mode		TEXT NOT NULL CHECK (mode IN ('automatic','hybrid','advanced','disabled'))
);

CREATE TABLE snat_rules (
	uuid		TEXT PRIMARY KEY,
	sequence	INTEGER NOT NULL CHECK (sequence BETWEEN 1 AND 999999),
	enabled		TEXT NOT NULL CHECK (enabled IN ('0','1')),
	nonat		TEXT NOT NULL CHECK (nonat IN ('0','1')),
	interface	TEXT NOT NULL,
	ipprotocol	TEXT NOT NULL CHECK (ipprotocol IN ('inet','inet6')),
	protocol	TEXT NOT NULL,
	source_net	TEXT NOT NULL,
	source_not	TEXT NOT NULL CHECK (source_not IN ('0','1')),
	source_port	TEXT NOT NULL DEFAULT '',
	destination_net	TEXT NOT NULL,
	destination_not	TEXT NOT NULL CHECK (destination_not IN ('0','1')),
	destination_port TEXT NOT NULL DEFAULT '',
	target		TEXT NOT NULL DEFAULT '',
	target_port	TEXT NOT NULL DEFAULT '',
	staticnatport	TEXT NOT NULL CHECK (staticnatport IN ('0','1')),
	log		TEXT NOT NULL CHECK (log IN ('0','1')),
	nosync		TEXT NOT NULL CHECK (nosync IN ('0','1')),
	description	TEXT NOT NULL DEFAULT ''
);
CREATE INDEX snat_rules_seq ON snat_rules (sequence, uuid);

CREATE TABLE dnat_rules (
	uuid		TEXT PRIMARY KEY,
	sequence	INTEGER NOT NULL CHECK (sequence BETWEEN 1 AND 999999),
	disabled	TEXT NOT NULL CHECK (disabled IN ('0','1')),
	interface	TEXT NOT NULL,
	ipprotocol	TEXT NOT NULL CHECK (ipprotocol IN ('inet','inet6')),
	protocol	TEXT NOT NULL,
	source_net	TEXT NOT NULL,
	source_not	TEXT NOT NULL CHECK (source_not IN ('0','1')),
	source_port	TEXT NOT NULL DEFAULT '',
	destination_net	TEXT NOT NULL,
	destination_not	TEXT NOT NULL CHECK (destination_not IN ('0','1')),
	destination_port TEXT NOT NULL DEFAULT '',
	target		TEXT NOT NULL,
	local_port	TEXT NOT NULL DEFAULT '',
	log		TEXT NOT NULL CHECK (log IN ('0','1')),
	nosync		TEXT NOT NULL CHECK (nosync IN ('0','1')),
	filter_rule	TEXT NOT NULL CHECK (filter_rule IN ('pass','none')),
	descr		TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dnat_rules_seq ON dnat_rules (sequence, uuid);

CREATE TABLE vips (
	uuid		TEXT PRIMARY KEY,
	mode		TEXT NOT NULL CHECK (mode IN ('carp','ipalias','proxyarp')),
	interface	TEXT NOT NULL,
	subnet		TEXT NOT NULL,
	subnet_bits	TEXT NOT NULL CHECK (CAST(subnet_bits AS INTEGER) BETWEEN 1 AND 128),
	vhid		TEXT NOT NULL DEFAULT '' CHECK (vhid = '' OR CAST(vhid AS INTEGER) BETWEEN 1 AND 255),
	advbase		TEXT NOT NULL DEFAULT '1' CHECK (advbase = '' OR CAST(advbase AS INTEGER) BETWEEN 1 AND 254),
	advskew		TEXT NOT NULL DEFAULT '0' CHECK (advskew = '' OR CAST(advskew AS INTEGER) BETWEEN 0 AND 254),
	password	TEXT NOT NULL DEFAULT '',
	peer		TEXT NOT NULL DEFAULT '',
	peer6		TEXT NOT NULL DEFAULT '',
	nobind		TEXT NOT NULL CHECK (nobind IN ('0','1')),
	nosync		TEXT NOT NULL CHECK (nosync IN ('0','1')),
	descr		TEXT NOT NULL DEFAULT ''
);

CREATE TABLE hasync (
	uuid		TEXT PRIMARY KEY,
	disablepreempt	TEXT NOT NULL CHECK (disablepreempt IN ('0','1')),
	pfsyncenabled	TEXT NOT NULL CHECK (pfsyncenabled IN ('0','1')),
	pfsyncinterface	TEXT NOT NULL DEFAULT '',
	pfsyncpeerip	TEXT NOT NULL DEFAULT '',
	synchronizetoip	TEXT NOT NULL DEFAULT '',
	verifypeer	TEXT NOT NULL CHECK (verifypeer IN ('0','1')),
	peerfingerprint	TEXT NOT NULL DEFAULT '',
	username	TEXT NOT NULL DEFAULT '',
	password	TEXT NOT NULL DEFAULT '',
	syncitems	TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
	uuid		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),
	password	TEXT NOT NULL DEFAULT '' CHECK (password = '' OR substr(password, 1, 1) = '$'),
	scope		TEXT NOT NULL CHECK (scope IN ('admin','user')),
	disabled	TEXT NOT NULL CHECK (disabled IN ('0','1')),
	descr		TEXT NOT NULL DEFAULT ''
);

-- API keys are credentials, not configuration: kept out of snapshots so a
-- revision restore or a sync never resurrects or leaks a secret.
CREATE TABLE apikeys (
	key		TEXT PRIMARY KEY,
	user		TEXT NOT NULL,	-- users.name; dropped with the user by config/users.c
	secret		TEXT NOT NULL CHECK (substr(secret, 1, 1) = '$'),
	descr		TEXT NOT NULL DEFAULT '',
	created		INTEGER NOT NULL
);

CREATE TABLE cron_jobs (
	uuid		TEXT PRIMARY KEY,
	enabled		TEXT NOT NULL CHECK (enabled IN ('0','1')),
	minute		TEXT NOT NULL,
	hour		TEXT NOT NULL,
	day		TEXT NOT NULL,
	month		TEXT NOT NULL,
	weekday		TEXT NOT NULL,
	command		TEXT NOT NULL,
	parameters	TEXT NOT NULL DEFAULT '',
	descr		TEXT NOT NULL DEFAULT ''
);

-- A revision keeps the SQLite session changeset of its save: only the
-- rows it changed. The configuration as of revision N is the current one
-- with the inverted changesets of every later revision applied.
CREATE TABLE revisions (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,
	time		REAL NOT NULL,
	user		TEXT NOT NULL,
	description	TEXT NOT NULL,
	changeset	BLOB NOT NULL
);

CREATE TABLE dirty (
	subsys		TEXT PRIMARY KEY,
	since		REAL NOT NULL
);

CREATE TABLE kv (
	key		TEXT PRIMARY KEY,
	value		TEXT NOT NULL
);
