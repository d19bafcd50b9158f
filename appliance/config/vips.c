/*
 * vips.c — virtual IPs: CARP, IP alias, proxy ARP.
 *
 * CARP rules as kernel CARP enforces them: vhid 1-255, advbase 1-254,
 * advskew 0-254 (FreeBSD sends at most 240 after demotion), a password of
 * at most 19 bytes (ifconfig copies it into a 20-byte key), one VHID per
 * interface. An IP alias bound to a VHID needs that CARP VIP on the same
 * interface (OPNsense Vip.php).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sections.h"
#include "store.h"

#define CARP_KEY_MAX	19

static const char *const vip_modes[] = { "carp", "ipalias", "proxyarp", NULL };

static const struct cfg_field vips_fields[] = {
	{ "mode", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "carp", vip_modes, NULL,
	    "carp, ipalias or proxyarp" },
	{ "interface", CFG_REF, CFG_F_REQUIRED, 0, 16, NULL, NULL,
	    "interfaces", "interface" },
	{ "subnet", CFG_ADDR, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 0, NULL, NULL,
	    NULL, "the virtual address" },
	{ "subnet_bits", CFG_INT, CFG_F_REQUIRED, 1, 128, "24", NULL, NULL,
	    "prefix length (same as the interface's)" },
	{ "vhid", CFG_INT, 0, 1, 255, "", NULL, NULL,
	    "virtual host id 1-255 (carp)" },
	{ "advbase", CFG_INT, 0, 1, 254, "1", NULL, NULL,
	    "advertisement base, seconds" },
	{ "advskew", CFG_INT, 0, 0, 254, "0", NULL, NULL,
	    "advertisement skew; lower wins" },
	{ "password", CFG_SECRET, 0, 0, 64, "", NULL, NULL,
	    "CARP password (at most 19 characters)" },
	{ "peer", CFG_ADDR4, 0, 0, 0, "", NULL, NULL,
	    "unicast peer (IPv4) instead of multicast" },
	{ "peer6", CFG_ADDR6, 0, 0, 0, "", NULL, NULL,
	    "unicast peer (IPv6)" },
	CFG_BOOLF("nobind", "0", "do not bind the address (ipalias)"),
	CFG_BOOLF("nosync", "0", "do not sync to the HA peer"),
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};


/*
 * A CARP VIP is a second address in the subnet of the interface's own
 * static address (OPNsense refuses it otherwise): the adverts leave
 * from the interface's address, and the VIP's subnet route is its.
 */
static void
vips_check_carp_subnet(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char	*vip = cfg_str(row, "subnet");
	int		 v6 = strchr(vip, ':') != NULL;
	json_t		*ifr;
	const char	*addr;
	long		 bits;

	if ((ifr = cfg_find(st, &cfg_sec_interfaces,
	    cfg_str(row, "interface"))) == NULL)
		return;		/* the reference check said so */
	addr = cfg_str(ifr, v6 ? "ipaddrv6" : "ipaddr");
	bits = cfg_int(ifr, v6 ? "subnetv6" : "subnet", 0);
	if (!cfg_check_addr(addr, v6 ? 6 : 4) || bits <= 0)
		cfg_error(errs, "interface", "a CARP VIP needs a static IPv%d "
		    "address on interface %s (it is \"%s\"): the VIP is "
		    "a second address in that address's subnet, and CARP "
		    "advertises from it", v6 ? 6 : 4, cfg_str(ifr, "name"),
		    addr);
	else if (!cfg_same_net(vip, addr, (int)bits))
		cfg_error(errs, "subnet", "%s is not in the subnet of %s's "
		    "address %s/%ld; a CARP VIP must be", vip,
		    cfg_str(ifr, "name"), addr, bits);
	json_decref(ifr);
}

static int
vips_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char	*mode = cfg_str(row, "mode");
	const char	*vhid = cfg_str(row, "vhid");
	long		 bits = cfg_int(row, "subnet_bits", 0);
	sqlite3_stmt	*stmt;
	int		 n = 0;

	if (cfg_check_addr(cfg_str(row, "subnet"), 4) && bits > 32)
		cfg_error(errs, "subnet_bits", "an IPv4 prefix is 1-32");
	if (strcmp(mode, "carp") == 0) {
		if (*vhid == '\0')
			cfg_error(errs, "vhid", "a CARP VIP needs a vhid "
			    "(1-255)");
		if (*cfg_str(row, "password") == '\0')
			cfg_error(errs, "password", "a CARP VIP needs a "
			    "password");
		else if (strlen(cfg_str(row, "password")) > CARP_KEY_MAX)
			cfg_error(errs, "password", "at most %d characters "
			    "(the CARP key is 20 bytes)", CARP_KEY_MAX);
		if (*cfg_str(row, "advbase") == '\0')
			cfg_error(errs, "advbase", "required for CARP (1-254)");
		if (*cfg_str(row, "advskew") == '\0')
			cfg_error(errs, "advskew", "required for CARP (0-254)");
		vips_check_carp_subnet(st, row, errs);
	} else if (strcmp(mode, "proxyarp") == 0 && *vhid != '\0')
		cfg_error(errs, "vhid", "a proxy ARP VIP has no vhid");
	if (*vhid == '\0' || cfg_errors_any(errs))
		return cfg_errors_any(errs) ? -1 : 0;

	/* Count CARP VIPs with this vhid on this interface, except us. */
	if ((stmt = store_stmt(st, "SELECT count(*) FROM vips WHERE "
	    "mode = 'carp' AND interface = ? AND vhid = ? AND uuid != ?")) ==
	    NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, cfg_str(row, "interface"), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, vhid, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, cfg_str(row, "uuid"), -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	store_stmt_done(st, stmt);
	if (strcmp(mode, "carp") == 0 && n > 0)
		cfg_error(errs, "vhid", "vhid %s is already used on %s", vhid,
		    cfg_str(row, "interface"));
	if (strcmp(mode, "ipalias") == 0 && n == 0)
		cfg_error(errs, "vhid", "no CARP VIP with vhid %s on %s", vhid,
		    cfg_str(row, "interface"));
	return cfg_errors_any(errs) ? -1 : 0;
}

/* "network" (address/bits) is split and joined in webapi/handlers_opn.c. */
static const struct cfg_opn_name vips_opn[] = {
	{ "noexpand", NULL, "0" },
	{ "gateway", NULL, "" },
	CFG_OPN_END
};

const struct cfg_section cfg_sec_vips = {
	.s_name = "vips", .s_key = "vip", .s_subsys = SUBSYS_VIP,
	.s_syncitem = "virtualip", .s_fields = vips_fields,
	/* Rules and NAT name a VIP by its address. */
	.s_namefield = "subnet", .s_descfield = "subnet",
	.s_check = vips_check,
	.s_opn_path = "vip.vip", .s_opn = vips_opn,
};
