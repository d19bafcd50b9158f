-- 006_hasync_liveness: the liveness channel between the HA peers
-- (appliance/carp/live.h): on by default, hellos every 50 ms, the peer
-- is lost after 3 missed on every path.

ALTER TABLE hasync ADD COLUMN livenessenabled TEXT NOT NULL DEFAULT '1'
	CHECK (livenessenabled IN ('0','1'));
ALTER TABLE hasync ADD COLUMN livenessinterval TEXT NOT NULL DEFAULT '50'
	CHECK (CAST(livenessinterval AS INTEGER) BETWEEN 10 AND 10000);
ALTER TABLE hasync ADD COLUMN livenessmultiplier TEXT NOT NULL DEFAULT '3'
	CHECK (CAST(livenessmultiplier AS INTEGER) BETWEEN 2 AND 50);
