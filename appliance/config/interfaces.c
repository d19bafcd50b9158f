/*
 * interfaces.c — the interfaces section: lan, wan, optN and their
 * devices and addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sections.h"
#include "store.h"

static const struct cfg_field interfaces_fields[] = {
	{ "name", CFG_NAME, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 16, NULL, NULL,
	    NULL, "interface name: wan, lan, optN" },
	{ "device", CFG_DEVICE, 0, 0, 15, "", NULL, NULL,
	    "network device assigned (eth0, enp1s0, ...)" },
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_BOOLF("enabled", "1", "enabled"),
	CFG_BOOLF("locked", "0", "locked against deletion"),
	{ "ipaddr", CFG_TEXT, 0, 0, 64, "none", NULL, NULL,
	    "IPv4: none, dhcp or a static address" },
	{ "subnet", CFG_INT, 0, 1, 32, "", NULL, NULL,
	    "IPv4 prefix length" },
	{ "ipaddrv6", CFG_TEXT, 0, 0, 64, "none", NULL, NULL,
	    "IPv6: none, dhcp6, slaac, track6 or a static address" },
	{ "subnetv6", CFG_INT, 0, 1, 128, "", NULL, NULL,
	    "IPv6 prefix length" },
	{ "dhcp6_ia_pd_len", CFG_INT, 0, 0, 16, "", NULL, NULL,
	    "dhcp6: prefix delegation asked for, in bits below /64 (0: a "
	    "/64, 8: a /56, 16: a /48); empty: none" },
	{ "track6_interface", CFG_TEXT, 0, 0, 16, "", NULL, NULL,
	    "track6: the dhcp6 interface whose delegated prefix this one "
	    "takes a /64 of" },
	{ "track6_prefix_id", CFG_INT, 0, 0, 65535, "0", NULL, NULL,
	    "track6: which /64 of the delegated prefix (0 is the first)" },
	{ "gateway", CFG_REF, 0, 0, 32, "", NULL, "gateways",
	    "upstream gateway (by name)" },
	CFG_BOOLF("blockpriv", "0", "block private networks inbound"),
	CFG_BOOLF("blockbogons", "0", "block bogon networks inbound"),
	{ "mtu", CFG_INT, 0, 576, 9216, "", NULL, NULL, "MTU" },
	{ "mss", CFG_INT, 0, 536, 65535, "", NULL, NULL, "TCP MSS clamp" },
	CFG_END
};


/*
 * The first rows (at most 3) an SQL query with two text parameters
 * returns, as "a, b, c" into out; the count (all of them).
 */
static int
interfaces_list(struct store *st, const char *sql, const char *p1,
    const char *p2, char *out, size_t len)
{
	sqlite3_stmt	*stmt;
	const char	*v;
	size_t		 o = 0;
	int		 n = 0;

	out[0] = '\0';
	if ((stmt = store_stmt(st, sql)) == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, p1, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, p2, -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(stmt, 0);
		if (n++ < 3 && o < len)
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    o ? ", " : "", v ? v : "");
	}
	store_stmt_done(st, stmt);
	if (n > 3 && o < len)
		snprintf(out + o, len - o, " and %d more", n - 3);
	return n;
}

/*
 * A static address moved out of the subnet of the interface's CARP VIPs
 * would leave them where nothing advertises for them (vips.c).
 */
static void
interfaces_check_vips(struct store *st, json_t *row, int v6,
    struct cfg_errors *errs)
{
	const char	*addr = cfg_str(row, v6 ? "ipaddrv6" : "ipaddr");
	long		 bits = cfg_int(row, v6 ? "subnetv6" : "subnet", 0);
	sqlite3_stmt	*stmt;
	const char	*vip;
	char		 bad[256];
	size_t		 o = 0;

	if (!cfg_check_addr(addr, v6 ? 6 : 4) || bits <= 0 ||
	    (stmt = store_stmt(st, "SELECT subnet FROM vips WHERE interface "
	    "= ? AND mode = 'carp'")) == NULL)
		return;
	bad[0] = '\0';
	sqlite3_bind_text(stmt, 1, cfg_str(row, "name"), -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		vip = (const char *)sqlite3_column_text(stmt, 0);
		if (vip == NULL || (strchr(vip, ':') != NULL) != v6 ||
		    cfg_same_net(vip, addr, (int)bits) || o >= sizeof(bad))
			continue;
		o += (size_t)snprintf(bad + o, sizeof(bad) - o, "%s%s",
		    o ? ", " : "", vip);
	}
	store_stmt_done(st, stmt);
	if (bad[0] != '\0')
		cfg_error(errs, v6 ? "ipaddrv6" : "ipaddr", "CARP VIP %s would "
		    "no longer be in the subnet of %s/%ld; move or delete it "
		    "first", bad, addr, bits);
}

/*
 * DHCP and what names an interface's address: a static gateway, a route
 * through one or a CARP VIP need a static address whose subnet they are
 * in; the dynamic gateway <IF>_DHCP exists only in DHCP mode.
 */
static void
interfaces_check_dynamic(struct store *st, json_t *row, int v6,
    struct cfg_errors *errs)
{
	const char	*name = cfg_str(row, "name");
	const char	*field = v6 ? "ipaddrv6" : "ipaddr";
	const char	*fam = v6 ? "inet6" : "inet";
	const char	*mode = v6 ? "DHCPv6/SLAAC" : "DHCP";
	char		 dyn[64], list[256], routes[256];
	int		 self;

	cfg_gw_dynamic_name(name, v6, dyn, sizeof(dyn));
	if (cfg_if_dynamic(row, v6)) {
		if (interfaces_list(st, "SELECT name || ' (' || gateway || ')' "
		    "FROM gateways WHERE interface = ?1 AND ipprotocol = ?2 "
		    "AND gateway != 'dynamic'", name, fam, list,
		    sizeof(list)) > 0) {
			interfaces_list(st, "SELECT network FROM routes WHERE "
			    "gateway IN (SELECT name FROM gateways WHERE "
			    "interface = ?1 AND ipprotocol = ?2 AND gateway "
			    "!= 'dynamic')", name, fam, routes,
			    sizeof(routes));
			cfg_error(errs, field, "%s cannot work on %s: gateway "
			    "%s refers to it by a static address%s%s%s, which "
			    "a lease's subnet may not reach; delete it or use "
			    "the dynamic gateway %s", mode, name, list,
			    routes[0] ? " (routes " : "", routes,
			    routes[0] ? ")" : "", dyn);
		}
		if (interfaces_list(st, "SELECT subnet FROM vips WHERE "
		    "interface = ?1 AND mode = 'carp' AND (instr(subnet, ':') "
		    "> 0) = (?2 = 'inet6')", name, fam, list,
		    sizeof(list)) > 0)
			cfg_error(errs, field, "%s cannot work on %s: CARP VIP "
			    "%s needs a static address of its subnet on the "
			    "interface", mode, name, list);
		return;
	}
	interfaces_check_vips(st, row, v6, errs);
	if (interfaces_list(st, "SELECT name FROM gateways WHERE interface = "
	    "?1 AND ipprotocol = ?2 AND gateway = 'dynamic'", name, fam, list,
	    sizeof(list)) > 0) {
		cfg_error(errs, field, "gateway %s is dynamic (the router of "
		    "%s's %s lease); without %s it has no address: delete it "
		    "first", list, name, mode, mode);
		return;
	}
	if (cfg_count_where(st, "gateways", "name", dyn, NULL) != 0)
		return;
	self = strcmp(cfg_str(row, "gateway"), dyn) == 0;
	if (interfaces_list(st, "SELECT 'route ' || network FROM routes WHERE "
	    "gateway = ?1 UNION ALL SELECT 'interface ' || name FROM "
	    "interfaces WHERE gateway = ?1 AND name != ?2 UNION ALL SELECT "
	    "'rule ' || description FROM filter_rules WHERE gateway = ?1",
	    dyn, name, list, sizeof(list)) > 0 || self)
		cfg_error(errs, field, "the dynamic gateway %s (%s's %s "
		    "lease) is still used by %s%s%s", dyn, name, mode, list,
		    list[0] && self ? ", " : "", self ? "this interface's "
		    "gateway" : "");
}

/*
 * track6 takes a /64 of the prefix delegated to a dhcp6 interface that
 * asks for one; the prefix id must fit the delegation asked for (a /56
 * holds ids 0-255).
 */
static void
interfaces_check_track6(struct store *st, json_t *row,
    struct cfg_errors *errs)
{
	const char	*up = cfg_str(row, "track6_interface");
	const char	*len;
	json_t		*ur;
	long		 bits, id = strtol(cfg_str(row, "track6_prefix_id"),
			    NULL, 10);

	if (*up == '\0') {
		cfg_error(errs, "track6_interface", "track6 needs the "
		    "interface whose delegated prefix it takes");
		return;
	}
	if (strcmp(up, cfg_str(row, "name")) == 0) {
		cfg_error(errs, "track6_interface", "an interface cannot "
		    "track itself");
		return;
	}
	if ((ur = cfg_find(st, &cfg_sec_interfaces, up)) == NULL) {
		cfg_error(errs, "track6_interface", "no interface %.16s", up);
		return;
	}
	len = cfg_str(ur, "dhcp6_ia_pd_len");
	if (strcmp(cfg_str(ur, "ipaddrv6"), "dhcp6") != 0 || *len == '\0')
		cfg_error(errs, "track6_interface", "%s does not ask for a "
		    "delegated prefix: set its ipaddrv6 to dhcp6 and its "
		    "dhcp6_ia_pd_len", up);
	else if ((bits = strtol(len, NULL, 10)) >= 0 && bits < 31 &&
	    id >= (1L << bits))
		cfg_error(errs, "track6_prefix_id", "%ld does not fit the /%ld "
		    "%s asks for (0-%ld)", id, 64 - bits, up,
		    (1L << bits) - 1);
	json_decref(ur);
}

/* An interface others track keeps asking for a prefix they fit in. */
static void
interfaces_check_tracked(struct store *st, json_t *row,
    struct cfg_errors *errs)
{
	const char	*name = cfg_str(row, "name");
	const char	*len = cfg_str(row, "dhcp6_ia_pd_len");
	char		 list[256], bits[8];
	int		 dhcp6 = strcmp(cfg_str(row, "ipaddrv6"), "dhcp6") == 0;

	if (!dhcp6 || *len == '\0') {
		if (interfaces_list(st, "SELECT name FROM interfaces WHERE "
		    "ipaddrv6 = 'track6' AND track6_interface = ?1 AND name "
		    "!= ?2", name, name, list, sizeof(list)) > 0)
			cfg_error(errs, dhcp6 ? "dhcp6_ia_pd_len" : "ipaddrv6",
			    "%s tracks %s's delegated prefix: %s must stay "
			    "dhcp6 and ask for one", list, name, name);
		return;
	}
	snprintf(bits, sizeof(bits), "%ld", 1L << strtol(len, NULL, 10));
	if (interfaces_list(st, "SELECT name FROM interfaces WHERE "
	    "ipaddrv6 = 'track6' AND track6_interface = ?1 AND "
	    "CAST(track6_prefix_id AS INTEGER) >= CAST(?2 AS INTEGER)", name,
	    bits, list, sizeof(list)) > 0)
		cfg_error(errs, "dhcp6_ia_pd_len", "the prefix id of %s does "
		    "not fit a /%ld", list, 64 - strtol(len, NULL, 10));
}

static int
interfaces_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char	*name = cfg_str(row, "name");
	const char	*v4 = cfg_str(row, "ipaddr");
	const char	*v6 = cfg_str(row, "ipaddrv6");
	const char	*dev = cfg_str(row, "device");
	const char	*uuid = cfg_str(row, "uuid");
	size_t		 n = strlen(name);

	/* "<if>ip" names an interface's address in rules: keep it unique. */
	if (n >= 2 && strcmp(name + n - 2, "ip") == 0)
		cfg_error(errs, "name", "an interface name may not end in "
		    "\"ip\" (\"%sip\" would be ambiguous)", name);
	if (strcmp(name, "any") == 0 || strcmp(name, "self") == 0)
		cfg_error(errs, "name", "\"%s\" is reserved", name);
	if (strcmp(v4, "none") != 0 && strcmp(v4, "dhcp") != 0) {
		if (!cfg_check_addr(v4, 4))
			cfg_error(errs, "ipaddr", "must be none, dhcp or an "
			    "IPv4 address");
		else if (*cfg_str(row, "subnet") == '\0')
			cfg_error(errs, "subnet", "a static address needs a "
			    "prefix length (1-32)");
		else if (cfg_count_where(st, "interfaces", "ipaddr", v4,
		    uuid) > 0)
			cfg_error(errs, "ipaddr", "%s is already used by "
			    "another interface", v4);
	}
	if (strcmp(v6, "track6") == 0)
		interfaces_check_track6(st, row, errs);
	else if (strcmp(v6, "none") != 0 && strcmp(v6, "dhcp6") != 0 &&
	    strcmp(v6, "slaac") != 0) {
		if (!cfg_check_addr(v6, 6))
			cfg_error(errs, "ipaddrv6", "must be none, dhcp6, "
			    "slaac, track6 or an IPv6 address");
		else if (*cfg_str(row, "subnetv6") == '\0')
			cfg_error(errs, "subnetv6", "a static address needs a "
			    "prefix length (1-128)");
	}
	interfaces_check_tracked(st, row, errs);
	interfaces_check_dynamic(st, row, 0, errs);
	interfaces_check_dynamic(st, row, 1, errs);
	if (*dev != '\0' && cfg_count_where(st, "interfaces", "device", dev,
	    uuid) > 0)
		cfg_error(errs, "device", "device %s is already assigned to "
		    "another interface", dev);
	return cfg_errors_any(errs) ? -1 : 0;
}

const struct cfg_section cfg_sec_interfaces = {
	.s_name = "interfaces", .s_key = "interface",
	.s_subsys = SUBSYS_INTERFACES, .s_fields = interfaces_fields,
	.s_namefield = "name", .s_toggle = "enabled", .s_descfield = "name",
	.s_check = interfaces_check,
};
