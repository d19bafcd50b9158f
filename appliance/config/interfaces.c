/*
 * interfaces.c — the interfaces section: lan, wan, optN and their
 * devices and addresses.
 */
#include <stdio.h>
#include <string.h>

#include "sections.h"

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
	    "IPv6: none, dhcp6, slaac or a static address" },
	{ "subnetv6", CFG_INT, 0, 1, 128, "", NULL, NULL,
	    "IPv6 prefix length" },
	{ "gateway", CFG_REF, 0, 0, 32, "", NULL, "gateways",
	    "upstream gateway (by name)" },
	CFG_BOOLF("blockpriv", "0", "block private networks inbound"),
	CFG_BOOLF("blockbogons", "0", "block bogon networks inbound"),
	{ "mtu", CFG_INT, 0, 576, 9216, "", NULL, NULL, "MTU" },
	{ "mss", CFG_INT, 0, 536, 65535, "", NULL, NULL, "TCP MSS clamp" },
	CFG_END
};

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
	if (strcmp(v6, "none") != 0 && strcmp(v6, "dhcp6") != 0 &&
	    strcmp(v6, "slaac") != 0) {
		if (!cfg_check_addr(v6, 6))
			cfg_error(errs, "ipaddrv6", "must be none, dhcp6, "
			    "slaac or an IPv6 address");
		else if (*cfg_str(row, "subnetv6") == '\0')
			cfg_error(errs, "subnetv6", "a static address needs a "
			    "prefix length (1-128)");
	}
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
