-- 009_hasync_demoteupstream: opt-in demotion of CARP when every upstream
-- gateway is down and the peer's is up (appliance/carp/upstream.h).
-- Off by default: a pair must agree to it.

ALTER TABLE hasync ADD COLUMN demoteupstream TEXT NOT NULL DEFAULT '0'
	CHECK (demoteupstream IN ('0','1'));
