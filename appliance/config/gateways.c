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
	/* Probe timing and thresholds: seconds, ms and %, the seed's names. */
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
	return cfg_errors_any(errs) ? -1 : 0;
}

const struct cfg_section cfg_sec_gateways = {
	.s_name = "gateways", .s_key = "gateway", .s_subsys = SUBSYS_ROUTING,
	.s_syncitem = "staticroutes", .s_fields = gateways_fields,
	.s_namefield = "name", .s_toggle = "disabled", .s_descfield = "name",
	.s_check = gateways_check,
};
