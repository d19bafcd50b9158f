/*
 * gateway_groups.c — gateway groups (routing/settings in the API): the
 * members in tiers 1-5 and the trigger that takes a member out of its
 * tier. The monitor (gwmon/) reports each group's tier in use.
 */
#include <stdlib.h>
#include <string.h>

#include "sections.h"
#include "util.h"

/* What takes a member out: OPNsense's trigger names. */
static const char *const gg_triggers[] = {
	"down", "downloss", "downlatency", "downlosslatency", NULL
};

static const struct cfg_field gateway_groups_fields[] = {
	{ "name", CFG_NAME, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 32, NULL, NULL,
	    NULL, "group name" },
	{ "trigger", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "down", gg_triggers,
	    NULL, "down: member down; downloss: packet loss; downlatency: "
	    "high latency; downlosslatency: either" },
	{ "tier1", CFG_REF, CFG_F_LIST, 0, 1024, "", NULL, "gateways",
	    "gateways of tier 1 (used first)" },
	{ "tier2", CFG_REF, CFG_F_LIST, 0, 1024, "", NULL, "gateways",
	    "gateways of tier 2" },
	{ "tier3", CFG_REF, CFG_F_LIST, 0, 1024, "", NULL, "gateways",
	    "gateways of tier 3" },
	{ "tier4", CFG_REF, CFG_F_LIST, 0, 1024, "", NULL, "gateways",
	    "gateways of tier 4" },
	{ "tier5", CFG_REF, CFG_F_LIST, 0, 1024, "", NULL, "gateways",
	    "gateways of tier 5" },
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

static int
gateway_groups_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	json_t		*gw, *seen = json_object();
	char		*list, *m, *save;
	const char	*fam = NULL;
	size_t		 t;
	int		 n = 0;

	for (t = 0; t < nitems(tiers); t++) {
		list = xstrdup(cfg_str(row, tiers[t]));
		save = NULL;
		for (m = strtok_r(list, ",", &save); m != NULL;
		    m = strtok_r(NULL, ",", &save)) {
			n++;
			if (json_object_get(seen, m) != NULL)
				cfg_error(errs, tiers[t], "gateway %.32s is "
				    "already in %s", m, json_string_value(
				    json_object_get(seen, m)));
			json_object_set_new(seen, m, json_string(tiers[t]));
			if ((gw = cfg_find(st, &cfg_sec_gateways, m)) == NULL)
				continue;	/* the reference check says so */
			/* One family per group: it stands for one route. */
			if (fam == NULL)
				fam = strcmp(cfg_str(gw, "ipprotocol"),
				    "inet6") == 0 ? "inet6" : "inet";
			else if (strcmp(fam, strcmp(cfg_str(gw, "ipprotocol"),
			    "inet6") == 0 ? "inet6" : "inet") != 0)
				cfg_error(errs, tiers[t], "gateway %.32s is "
				    "not %s like the group's other members",
				    m, fam);
			json_decref(gw);
		}
		free(list);
	}
	if (n == 0)
		cfg_error(errs, "tier1", "a group needs at least one gateway");
	/* Rules name a gateway or a group in one field (filter_rules.c). */
	if (cfg_count_where(st, cfg_sec_gateways.s_name, "name",
	    cfg_str(row, "name"), NULL) > 0)
		cfg_error(errs, "name", "a gateway is called %.32s",
		    cfg_str(row, "name"));
	json_decref(seen);
	return cfg_errors_any(errs) ? -1 : 0;
}

const struct cfg_section cfg_sec_gateway_groups = {
	.s_name = "gateway_groups", .s_key = "gateway_group",
	.s_subsys = SUBSYS_ROUTING, .s_syncitem = "staticroutes",
	.s_fields = gateway_groups_fields, .s_namefield = "name",
	.s_descfield = "name", .s_check = gateway_groups_check,
};
