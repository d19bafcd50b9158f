-- 009_skip_rules_gw_down: the seed's "skip rules when gateway is down":
-- a rule whose gateway (or every member of its group) is down matches
-- nothing, instead of falling back to the default route.

ALTER TABLE system ADD COLUMN skip_rules_gw_down TEXT NOT NULL DEFAULT '0';
