/*
 * gateways.c — the gateways section (routing/settings in the API).
 */
#include <string.h>

#include "sections.h"

static const char *const gw_ipprotocols[] = { "inet", "inet6", NULL };

static const struct cfg_field gateways_fields[] = {
	{ "name", CFG_NAME, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 32, NULL, NULL,
	    NULL, "gateway name, e.g. WAN_GW" },
	{ "interface", CFG_REF, CFG_F_REQUIRED, 0, 16, NULL, NULL,
	    "interfaces", "interface the gateway is reached on" },
	{ "ipprotocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "inet",
	    gw_ipprotocols, NULL, "address family" },
	{ "gateway", CFG_ADDR, CFG_F_REQUIRED, 0, 0, NULL, NULL, NULL,
	    "gateway address" },
	CFG_BOOLF("defaultgw", "0", "upstream gateway: the default route"),
	CFG_BOOLF("monitor_disable", "1", "no gateway monitoring"),
	{ "monitor", CFG_ADDR, 0, 0, 0, "", NULL, NULL,
	    "address to monitor instead of the gateway" },
	{ "priority", CFG_INT, 0, 0, 255, "255", NULL, NULL,
	    "priority, lower wins" },
	{ "weight", CFG_INT, 0, 1, 5, "1", NULL, NULL, "weight" },
	CFG_BOOLF("force_down", "0", "mark down"),
	CFG_BOOLF("disabled", "0", "disabled"),
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_BOOLF("nosync", "0", "do not sync to the HA peer"),
	CFG_END
};

static int
gateways_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	int fam = strcmp(cfg_str(row, "ipprotocol"), "inet6") == 0 ? 6 : 4;

	(void)st;
	if (!cfg_check_addr(cfg_str(row, "gateway"), fam))
		cfg_error(errs, "gateway", "must be an IPv%d address "
		    "(ipprotocol is %s)", fam, cfg_str(row, "ipprotocol"));
	if (*cfg_str(row, "monitor") != '\0' &&
	    !cfg_check_addr(cfg_str(row, "monitor"), fam))
		cfg_error(errs, "monitor", "must be an IPv%d address", fam);
	return cfg_errors_any(errs) ? -1 : 0;
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
