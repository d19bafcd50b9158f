-- 007_gateway_monitor: gateways are watched. The probe timing and the
-- thresholds a status is judged by, with the seed's defaults (seconds,
-- milliseconds and per cent, as its gateway model names them).

ALTER TABLE gateways ADD COLUMN interval TEXT NOT NULL DEFAULT '1';
ALTER TABLE gateways ADD COLUMN loss_interval TEXT NOT NULL DEFAULT '4';
ALTER TABLE gateways ADD COLUMN time_period TEXT NOT NULL DEFAULT '60';
ALTER TABLE gateways ADD COLUMN latencylow TEXT NOT NULL DEFAULT '200';
ALTER TABLE gateways ADD COLUMN latencyhigh TEXT NOT NULL DEFAULT '500';
ALTER TABLE gateways ADD COLUMN losslow TEXT NOT NULL DEFAULT '10';
ALTER TABLE gateways ADD COLUMN losshigh TEXT NOT NULL DEFAULT '20';
