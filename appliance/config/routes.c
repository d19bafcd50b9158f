/*
 * routes.c — static routes via named gateways.
 */
#include <string.h>

#include "sections.h"

static const struct cfg_field routes_fields[] = {
	{ "network", CFG_CIDR, CFG_F_REQUIRED, 0, 0, NULL, NULL, NULL,
	    "destination network (CIDR)" },
	{ "gateway", CFG_REF, CFG_F_REQUIRED, 0, 32, NULL, NULL, "gateways",
	    "gateway (by name)" },
	CFG_BOOLF("disabled", "0", "disabled"),
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

static int
routes_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	json_t		*gw;
	const char	*net = cfg_str(row, "network");
	int		 fam;

	gw = cfg_find(st, &cfg_sec_gateways, cfg_str(row, "gateway"));
	if (gw == NULL)
		return 0;	/* the reference check already said so */
	fam = strcmp(cfg_str(gw, "ipprotocol"), "inet6") == 0 ? 6 : 4;
	if (!cfg_check_cidr(net, fam))
		cfg_error(errs, "network", "gateway %s is IPv%d; the network "
		    "must be too", cfg_str(gw, "name"), fam);
	json_decref(gw);
	return cfg_errors_any(errs) ? -1 : 0;
}

static const struct cfg_opn_name routes_opn[] = {
	{ "description", "descr", NULL },
	CFG_OPN_END
};

const struct cfg_section cfg_sec_routes = {
	.s_name = "routes", .s_key = "route", .s_subsys = SUBSYS_ROUTING,
	.s_syncitem = "staticroutes", .s_fields = routes_fields,
	.s_toggle = "disabled", .s_descfield = "network",
	.s_check = routes_check,
	.s_opn_path = "route.route", .s_opn = routes_opn,
};
