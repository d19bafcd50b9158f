/*
 * dnat_rules.c — port forwards, with the associated pass rule.
 */
#include <string.h>

#include "sections.h"

static const char *const dnat_filter_rule[] = { "pass", "none", NULL };

static const struct cfg_field dnat_rules_fields[] = {
	{ "sequence", CFG_INT, 0, 1, 999999, NULL, NULL, NULL, "order" },
	CFG_BOOLF("disabled", "0", "disabled"),
	{ "interface", CFG_REF, CFG_F_REQUIRED, 0, 16, "wan", NULL,
	    "interfaces", "incoming interface" },
	{ "ipprotocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "inet",
	    cfg_enum_ipproto, NULL, "inet or inet6" },
	{ "protocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "tcp", cfg_enum_protocol,
	    NULL, "IP protocol" },
	CFG_RULE_ENDPOINTS("wanip"),
	{ "target", CFG_ADDR, CFG_F_REQUIRED, 0, 0, NULL, NULL, NULL,
	    "redirect target address" },
	{ "local_port", CFG_PORT, 0, 0, 0, "", NULL, NULL,
	    "redirect target port" },
	CFG_BOOLF("log", "0", "log"),
	CFG_BOOLF("nosync", "0", "do not sync to the HA peer"),
	{ "filter_rule", CFG_ENUM, 0, 0, 0, "pass", dnat_filter_rule, NULL,
	    "associated filter rule: pass or none" },
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

static int
dnat_rules_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	int fam = strcmp(cfg_str(row, "ipprotocol"), "inet6") == 0 ? 6 : 4;

	if (!cfg_check_addr(cfg_str(row, "target"), fam))
		cfg_error(errs, "target", "must be an IPv%d address", fam);
	if (*cfg_str(row, "local_port") != '\0' &&
	    *cfg_str(row, "destination_port") == '\0')
		cfg_error(errs, "destination_port", "a local port needs a "
		    "destination port to translate");
	return cfg_check_rule_common(st, row, errs) || cfg_errors_any(errs) ?
	    -1 : 0;
}

const struct cfg_section cfg_sec_dnat_rules = {
	.s_name = "dnat_rules", .s_key = "rule", .s_subsys = SUBSYS_NAT,
	.s_syncitem = "nat", .s_flags = CFG_S_SEQUENCE,
	.s_fields = dnat_rules_fields, .s_toggle = "disabled",
	.s_descfield = "descr", .s_check = dnat_rules_check,
};
