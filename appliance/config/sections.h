/*
 * sections.h — the section descriptors, one per config/<section>.c, and
 * the value lists they share. Private to appliance/config/.
 */
#ifndef TW_SECTIONS_H
#define TW_SECTIONS_H

#include "config.h"

extern const struct cfg_section cfg_sec_system;
extern const struct cfg_section cfg_sec_interfaces;
extern const struct cfg_section cfg_sec_gateways;
extern const struct cfg_section cfg_sec_gateway_groups;
extern const struct cfg_section cfg_sec_routes;
extern const struct cfg_section cfg_sec_aliases;
extern const struct cfg_section cfg_sec_filter_rules;
extern const struct cfg_section cfg_sec_snat;
extern const struct cfg_section cfg_sec_snat_rules;
extern const struct cfg_section cfg_sec_dnat_rules;
extern const struct cfg_section cfg_sec_vips;
extern const struct cfg_section cfg_sec_hasync;
extern const struct cfg_section cfg_sec_users;
extern const struct cfg_section cfg_sec_cron_jobs;

extern const char *const cfg_enum_protocol[];
extern const char *const cfg_enum_ipproto46[];
extern const char *const cfg_enum_ipproto[];

/*
 * The source/destination block of every rule-like section (filter, snat,
 * dnat), as OPNsense's models name it. dst is the destination default.
 */
#define CFG_RULE_ENDPOINTS(dst)						\
	{ "source_net", CFG_ENDPOINT, CFG_F_REQUIRED, 0, 0, "any", NULL,	\
	    NULL, "any, address, network, alias, interface net or <if>ip" },\
	CFG_BOOLF("source_not", "0", "invert source"),			\
	{ "source_port", CFG_PORT, 0, 0, 0, "", NULL, NULL,		\
	    "port, range lo:hi or port alias" },				\
	{ "destination_net", CFG_ENDPOINT, CFG_F_REQUIRED, 0, 0, dst, NULL, \
	    NULL, "any, address, network, alias, interface net or <if>ip" },\
	CFG_BOOLF("destination_not", "0", "invert destination"),	\
	{ "destination_port", CFG_PORT, 0, 0, 0, "", NULL, NULL,	\
	    "port, range lo:hi or port alias" }

/* Rules shared by the rule-like sections (filter, snat, dnat). */
int	cfg_check_rule_common(struct store *, json_t *row, struct cfg_errors *);
/* Family of an endpoint value: 4, 6, or 0 when it has none (any, alias, if). */
int	cfg_endpoint_family(const char *);
/* Counts rows of section (table) where field = value, except uuid. */
int	cfg_count_where(struct store *, const char *table, const char *field,
	    const char *value, const char *except_uuid);

/* rules.c: 1 when addresses a and b (one family) share bits leading bits. */
int	cfg_same_net(const char *a, const char *b, int bits);
/* gateways.c: 1 when interface row gets that family by DHCP/SLAAC. */
int	cfg_if_dynamic(json_t *ifrow, int v6);
/*
 * gateways.c: 1 when gwname is the dynamic gateway of an interface now
 * in DHCP mode (its name into ifname, the family into *v6).
 */
int	cfg_gw_dynamic_find(struct store *, const char *gwname, char *ifname,
	    size_t len, int *v6);
/*
 * gateways.c: the family ("inet" or "inet6") of the gateway, dynamic
 * gateway or gateway group called name into fam. 0, or -1: none such
 * (or a group without a member that exists).
 */
int	cfg_gw_family(struct store *, const char *name, char *fam,
	    size_t len);

#endif
