/*
 * filter_rules.c — the firewall rules, in OPNsense's MVC field names.
 * pf semantics: in sequence, quick ends evaluation, else last match wins.
 */
#include <stdlib.h>
#include <string.h>

#include "sections.h"

static const char *const rule_actions[] = { "pass", "block", "reject", NULL };
static const char *const rule_directions[] = { "in", "out", "any", NULL };
static const char *const rule_statetypes[] = { "keep", "sloppy", "modulate",
    "synproxy", "none", NULL };
static const char *const icmp_types[] = { "", "echoreq", "echorep", "unreach",
    "timex", "paramprob", "redir", "squench", "timereq", "timerep",
    "inforeq", "inforep", "maskreq", "maskrep", "routeradv", "routersol",
    NULL };

static const struct cfg_field filter_rules_fields[] = {
	{ "sequence", CFG_INT, 0, 1, 999999, NULL, NULL, NULL,
	    "order; lower first (default: after the last rule)" },
	CFG_BOOLF("enabled", "1", "enabled"),
	{ "action", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "pass", rule_actions,
	    NULL, "pass, block or reject" },
	CFG_BOOLF("quick", "1", "a match ends evaluation (else last match "
	    "wins)"),
	{ "interface", CFG_REF, CFG_F_LIST | CFG_F_FLOATING, 0, 16, "", NULL,
	    "interfaces", "interfaces (comma separated); empty = floating" },
	{ "direction", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "in", rule_directions,
	    NULL, "in, out or any" },
	{ "ipprotocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "inet",
	    cfg_enum_ipproto46, NULL, "inet, inet6 or inet46" },
	{ "protocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "any", cfg_enum_protocol,
	    NULL, "IP protocol" },
	{ "icmptype", CFG_ENUM, 0, 0, 0, "", icmp_types, NULL,
	    "ICMP type (protocol icmp)" },
	CFG_RULE_ENDPOINTS("any"),
	{ "gateway", CFG_REF, CFG_F_GWGROUP, 0, 32, "", NULL, "gateways",
	    "policy routing: the gateway or gateway group a pass rule's "
	    "connections leave by" },
	CFG_BOOLF("log", "0", "log packets that match"),
	{ "statetype", CFG_ENUM, 0, 0, 0, "keep", rule_statetypes, NULL,
	    "state tracking" },
	CFG_BOOLF("nosync", "0", "do not sync to the HA peer"),
	CFG_BOOLF("nopfsync", "0", "do not replicate this rule's states"),
	{ "categories", CFG_TEXT, CFG_F_LIST, 0, 255, "", NULL, NULL,
	    "categories" },
	{ "description", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

/*
 * A gateway stands for one route of one family: the rule must be of that
 * family alone (OPNsense refuses inet46 with a gateway, too).
 */
static void
filter_rules_gateway(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char	*gw = cfg_str(row, "gateway");
	const char	*ipp = cfg_str(row, "ipprotocol");
	char		 fam[8];

	if (*gw == '\0')
		return;
	if (strcmp(cfg_str(row, "action"), "pass") != 0) {
		cfg_error(errs, "gateway", "only a pass rule routes: a %s "
		    "rule takes no gateway", cfg_str(row, "action"));
		return;
	}
	if (cfg_gw_family(st, gw, fam, sizeof(fam)) == -1)
		return;		/* the reference check names it */
	if (strcmp(ipp, fam) != 0)
		cfg_error(errs, "gateway", "gateway %.32s is %s: the rule's "
		    "ipprotocol must be %s, not %s", gw, fam, fam, ipp);
}

static int
filter_rules_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char *proto = cfg_str(row, "protocol");

	if (*cfg_str(row, "icmptype") != '\0' && strcmp(proto, "icmp") != 0)
		cfg_error(errs, "icmptype", "an ICMP type needs protocol icmp");
	filter_rules_gateway(st, row, errs);
	return cfg_check_rule_common(st, row, errs);
}

const struct cfg_section cfg_sec_filter_rules = {
	.s_name = "filter_rules", .s_key = "rule", .s_subsys = SUBSYS_FILTER,
	.s_syncitem = "rules", .s_flags = CFG_S_SEQUENCE,
	.s_fields = filter_rules_fields, .s_toggle = "enabled",
	.s_descfield = "description", .s_check = filter_rules_check,
	.s_opn_path = "filter.rules.rule",
};
