-- 018_ipv6_track6: DHCPv6 prefix delegation and track6 (issue 18).
-- dhcp6_ia_pd_len: the delegation a dhcp6 interface asks for, as its
-- seed stores it (bits below /64: 0 asks for a /64, 8 for a /56; empty
-- asks for none). track6_interface / track6_prefix_id: the interface
-- whose delegated prefix a track6 interface takes, and which /64 of it.
-- system.dnsallowoverride: the DNS servers of leases follow the
-- configured ones in resolv.conf.

ALTER TABLE interfaces ADD COLUMN dhcp6_ia_pd_len TEXT NOT NULL DEFAULT '';
ALTER TABLE interfaces ADD COLUMN track6_interface TEXT NOT NULL DEFAULT '';
ALTER TABLE interfaces ADD COLUMN track6_prefix_id TEXT NOT NULL DEFAULT '0';
ALTER TABLE system ADD COLUMN dnsallowoverride TEXT NOT NULL DEFAULT '0';
