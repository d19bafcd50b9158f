/*
 * snat.c — outbound NAT: the mode (singleton) and the manual rules.
 * Targets are addresses (a VIP's, so flows survive failover), never
 * masquerade.
 */
#include <string.h>

#include "sections.h"

static const char *const snat_modes[] = { "automatic", "hybrid", "advanced",
    "disabled", NULL };

static const struct cfg_field snat_fields[] = {
	{ "mode", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "automatic", snat_modes,
	    NULL, "automatic, hybrid, advanced (manual) or disabled" },
	CFG_END
};

const struct cfg_section cfg_sec_snat = {
	.s_name = "snat", .s_key = "snat", .s_subsys = SUBSYS_NAT,
	.s_syncitem = "nat", .s_flags = CFG_S_SINGLETON,
	.s_fields = snat_fields,
};

static const struct cfg_field snat_rules_fields[] = {
	{ "sequence", CFG_INT, 0, 1, 999999, NULL, NULL, NULL, "order" },
	CFG_BOOLF("enabled", "1", "enabled"),
	CFG_BOOLF("nonat", "0", "do not translate matching traffic"),
	{ "interface", CFG_REF, CFG_F_REQUIRED, 0, 16, "wan", NULL,
	    "interfaces", "outgoing interface" },
	{ "ipprotocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "inet",
	    cfg_enum_ipproto, NULL, "inet or inet6" },
	{ "protocol", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "any", cfg_enum_protocol,
	    NULL, "IP protocol" },
	CFG_RULE_ENDPOINTS("any"),
	{ "target", CFG_TARGET, 0, 0, 0, "", NULL, NULL,
	    "translate to: an address, a VIP's address or <if>ip" },
	{ "target_port", CFG_PORT, 0, 0, 0, "", NULL, NULL,
	    "translated port" },
	CFG_BOOLF("staticnatport", "0", "keep the source port"),
	CFG_BOOLF("log", "0", "log"),
	CFG_BOOLF("nosync", "0", "do not sync to the HA peer"),
	{ "description", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

static int
snat_rules_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	if (!cfg_bool(row, "nonat") && *cfg_str(row, "target") == '\0')
		cfg_error(errs, "target", "a translation target is required "
		    "(or set nonat)");
	if (*cfg_str(row, "target_port") != '\0' &&
	    strcmp(cfg_str(row, "protocol"), "tcp") != 0 &&
	    strcmp(cfg_str(row, "protocol"), "udp") != 0 &&
	    strcmp(cfg_str(row, "protocol"), "tcp/udp") != 0)
		cfg_error(errs, "target_port", "a target port needs protocol "
		    "tcp, udp or tcp/udp");
	return cfg_check_rule_common(st, row, errs) || cfg_errors_any(errs) ?
	    -1 : 0;
}

const struct cfg_section cfg_sec_snat_rules = {
	.s_name = "snat_rules", .s_key = "rule", .s_subsys = SUBSYS_NAT,
	.s_syncitem = "nat", .s_flags = CFG_S_SEQUENCE,
	.s_fields = snat_rules_fields, .s_toggle = "enabled",
	.s_descfield = "description", .s_check = snat_rules_check,
	.s_opn_path = "filter.snatrules.rule",
};
