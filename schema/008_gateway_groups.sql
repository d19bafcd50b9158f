-- 008_gateway_groups: gateways grouped in tiers 1-5 with a trigger.

CREATE TABLE gateway_groups (
	uuid		TEXT PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),
	trigger		TEXT NOT NULL CHECK (trigger IN ('down','downloss','downlatency','downlosslatency')),
	tier1		TEXT NOT NULL DEFAULT '',
	tier2		TEXT NOT NULL DEFAULT '',
	tier3		TEXT NOT NULL DEFAULT '',
	tier4		TEXT NOT NULL DEFAULT '',
	tier5		TEXT NOT NULL DEFAULT '',
	descr		TEXT NOT NULL DEFAULT ''
);
