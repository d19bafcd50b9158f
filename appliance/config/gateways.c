/*
 * gateways.c — the gateways section (routing/settings in the API).
 *
 * A gateway on an interface in DHCP mode is the lease's router: its
 * address is "dynamic" (OPNsense's word) and its name <IF>_DHCP or
 * <IF>_DHCP6. Such a gateway exists without a stored row while the
 * interface is in DHCP mode (routes, rules and the default route may
 * name it); a stored row of that name refines it, and a stored dynamic
 * row of another name (an import) is one more name for the same router. A static address on
 * such an interface could never be reached through the lease's subnet,
 * so it is refused, and so is "dynamic" on a static interface.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sections.h"
#include "store.h"
#include "util.h"

static const char *const gw_ipprotocols[] = { "inet", "inet6", NULL };

static const struct cfg_field gateways_fields[] = {
	{ "name", CFG_NAME, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 32, NULL, NULL,
	    NULL, "gateway name, e.g. WAN_GW" },
	{ "interface", CFG_REF, CFG_F_REQUIRED, 0, 16, NULL, NULL,
	    "interfaces", "interface the gateway is reached on" },
	{ "ipprotocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "inet",
	    gw_ipprotocols, NULL, "address family" },
	{ "gateway", CFG_TEXT, CFG_F_REQUIRED, 0, 64, NULL, NULL, NULL,
	    "gateway address, or dynamic (the DHCP lease's router)" },
	CFG_BOOLF("defaultgw", "0", "upstream gateway: the default route"),
	CFG_BOOLF("monitor_disable", "1", "no gateway monitoring"),
	{ "monitor", CFG_ADDR, 0, 0, 0, "", NULL, NULL,
	    "address to monitor instead of the gateway" },
	{ "priority", CFG_INT, 0, 0, 255, "255", NULL, NULL,
	    "priority, lower wins" },
	{ "weight", CFG_INT, 0, 1, 5, "1", NULL, NULL, "weight" },
	/* Probe timing and thresholds: seconds, ms and %, OPNsense's names. */
	{ "interval", CFG_INT, 0, 1, 3600, "1", NULL, NULL,
	    "seconds between probes" },
	{ "loss_interval", CFG_INT, 0, 1, 3600, "4", NULL, NULL,
	    "seconds without a reply before a probe counts as lost" },
	{ "time_period", CFG_INT, 0, 3, 86400, "60", NULL, NULL,
	    "seconds of probes loss and delay are averaged over" },
	{ "latencylow", CFG_INT, 0, 1, 100000, "200", NULL, NULL,
	    "delay (ms) above which the status is delay" },
	{ "latencyhigh", CFG_INT, 0, 1, 100000, "500", NULL, NULL,
	    "delay (ms) above which the gateway is down" },
	{ "losslow", CFG_INT, 0, 0, 99, "10", NULL, NULL,
	    "loss (%) above which the status is loss" },
	{ "losshigh", CFG_INT, 0, 1, 100, "20", NULL, NULL,
	    "loss (%) above which the gateway is down" },
	CFG_BOOLF("force_down", "0", "mark down"),
	CFG_BOOLF("disabled", "0", "disabled"),
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_BOOLF("nosync", "0", "do not sync to the HA peer"),
	CFG_END
};

void
cfg_gw_dynamic_name(const char *ifname, int v6, char *out, size_t len)
{
	size_t i;

	snprintf(out, len, "%s_DHCP%s", ifname, v6 ? "6" : "");
	for (i = 0; i < strlen(ifname) && out[i] != '\0'; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

int
cfg_if_dynamic(json_t *ifrow, int v6)
{
	const char *v = cfg_str(ifrow, v6 ? "ipaddrv6" : "ipaddr");

	if (!v6)
		return strcmp(v, "dhcp") == 0;
	return strcmp(v, "dhcp6") == 0 || strcmp(v, "slaac") == 0;
}

int
cfg_gw_dynamic_find(struct store *st, const char *gwname, char *ifname,
    size_t len, int *v6p)
{
	sqlite3_stmt	*stmt;
	json_t		*row;
	char		 want[64];
	const char	*name;
	int		 found = 0, v6;

	if ((stmt = store_stmt(st, "SELECT name FROM interfaces")) == NULL)
		return 0;
	while (!found && sqlite3_step(stmt) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(stmt, 0);
		for (v6 = 0; v6 < 2 && name != NULL && !found; v6++) {
			cfg_gw_dynamic_name(name, v6, want, sizeof(want));
			if (strcmp(want, gwname) != 0)
				continue;
			util_strlcpy(ifname, name, len);
			*v6p = v6;
			found = 1;
		}
	}
	store_stmt_done(st, stmt);
	if (!found)
		return 0;
	row = cfg_find(st, &cfg_sec_interfaces, ifname);
	found = row != NULL && cfg_if_dynamic(row, *v6p);
	json_decref(row);
	return found;
}

static int
gateways_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	int		 fam = strcmp(cfg_str(row, "ipprotocol"), "inet6") == 0 ?
			    6 : 4;
	const char	*gw = cfg_str(row, "gateway");
	const char	*ifname = cfg_str(row, "interface");
	json_t		*ifr;
	char		 dyn[64];
	int		 dynamic;

	ifr = cfg_find(st, &cfg_sec_interfaces, ifname);
	dynamic = ifr != NULL && cfg_if_dynamic(ifr, fam == 6);
	cfg_gw_dynamic_name(ifname, fam == 6, dyn, sizeof(dyn));
	if (strcmp(gw, "dynamic") == 0) {
		if (ifr != NULL && !dynamic)
			cfg_error(errs, "gateway", "dynamic: interface %s does "
			    "not get its IPv%d address by DHCP%s", ifname, fam,
			    fam == 6 ? "v6 or SLAAC" : "");
	} else if (!cfg_check_addr(gw, 0))
		cfg_error(errs, "gateway", "not a valid IP address (or "
		    "dynamic, the DHCP lease's router)");
	else if (!cfg_check_addr(gw, fam))
		cfg_error(errs, "gateway", "must be an IPv%d address "
		    "(ipprotocol is %s)", fam, cfg_str(row, "ipprotocol"));
	else if (dynamic)
		cfg_error(errs, "gateway", "interface %s gets its IPv%d "
		    "address by %s, so a static gateway there may be "
		    "unreachable: use its dynamic gateway %s (gateway "
		    "\"dynamic\")", ifname, fam, fam == 6 ? "DHCPv6/SLAAC" :
		    "DHCP", dyn);
	if (*cfg_str(row, "monitor") != '\0' &&
	    !cfg_check_addr(cfg_str(row, "monitor"), fam))
		cfg_error(errs, "monitor", "must be an IPv%d address", fam);
	if (cfg_int(row, "latencylow", 200) >= cfg_int(row, "latencyhigh", 500))
		cfg_error(errs, "latencylow", "must be below latencyhigh (%ld)",
		    cfg_int(row, "latencyhigh", 500));
	if (cfg_int(row, "losslow", 10) >= cfg_int(row, "losshigh", 20))
		cfg_error(errs, "losslow", "must be below losshigh (%ld)",
		    cfg_int(row, "losshigh", 20));
	/*
	 * A window must hold at least two probes with an outcome, or one
	 * lost probe is the whole verdict.
	 */
	if (cfg_int(row, "time_period", 60) < 2 * cfg_int(row, "interval", 1) +
	    cfg_int(row, "loss_interval", 4))
		cfg_error(errs, "time_period", "must be at least twice the "
		    "interval plus the loss_interval (%ld s)",
		    2 * cfg_int(row, "interval", 1) + cfg_int(row, "loss_interval", 4));
	/* A reply is awaited at most until the next probes are judged. */
	if (cfg_int(row, "loss_interval", 4) > cfg_int(row, "time_period", 60))
		cfg_error(errs, "loss_interval", "must not exceed time_period");
	/* Rules name a gateway or a group in one field (filter_rules.c). */
	if (cfg_count_where(st, cfg_sec_gateway_groups.s_name, "name",
	    cfg_str(row, "name"), NULL) > 0)
		cfg_error(errs, "name", "a gateway group is called %.32s",
		    cfg_str(row, "name"));
	json_decref(ifr);
	return cfg_errors_any(errs) ? -1 : 0;
}

int
cfg_gw_family(struct store *st, const char *name, char *fam, size_t len)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	json_t	*row, *gw = NULL;
	char	 ifname[64], first[64];
	size_t	 t;
	int	 v6;

	if ((gw = cfg_find(st, &cfg_sec_gateways, name)) == NULL &&
	    (row = cfg_find(st, &cfg_sec_gateway_groups, name)) != NULL) {
		/* One family per group (gateway_groups.c): any member's. */
		for (t = 0; t < nitems(tiers) && gw == NULL; t++) {
			util_strlcpy(first, cfg_str(row, tiers[t]),
			    sizeof(first));
			first[strcspn(first, ",")] = '\0';
			gw = cfg_find(st, &cfg_sec_gateways, first);
		}
		json_decref(row);
	}
	if (gw != NULL) {
		util_strlcpy(fam, strcmp(cfg_str(gw, "ipprotocol"), "inet6") ==
		    0 ? "inet6" : "inet", len);
		json_decref(gw);
		return 0;
	}
	if (cfg_gw_dynamic_find(st, name, ifname, sizeof(ifname), &v6)) {
		util_strlcpy(fam, v6 ? "inet6" : "inet", len);
		return 0;
	}
	return -1;
}

/* Monitoring thresholds of OPNsense's dpinger: no equivalent here. */
static const struct cfg_opn_name gateways_opn[] = {
	{ "fargw", NULL, "0" },
	{ "monitor_noroute", NULL, "0" },
	{ "latencylow", NULL, "200" },
	{ "latencyhigh", NULL, "500" },
	{ "losslow", NULL, "10" },
	{ "losshigh", NULL, "20" },
	{ "interval", NULL, "1" },
	{ "time_period", NULL, "60" },
	{ "loss_interval", NULL, "4" },
	{ "data_length", NULL, "0" },
	CFG_OPN_END
};

const struct cfg_section cfg_sec_gateways = {
	.s_name = "gateways", .s_key = "gateway", .s_subsys = SUBSYS_ROUTING,
	.s_syncitem = "staticroutes", .s_fields = gateways_fields,
	.s_namefield = "name", .s_toggle = "disabled", .s_descfield = "name",
	.s_check = gateways_check,
	.s_opn_path = "gateways.gateway_item", .s_opn_key = "gateway_item",
	.s_opn = gateways_opn,
};
