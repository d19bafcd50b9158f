/*
 * aliases.c — named lists of hosts, networks or ports; nft sets and pf
 * tables when rendered.
 */
#include <stdlib.h>
#include <string.h>

#include "sections.h"
#include "util.h"

static const char *const alias_types[] = { "host", "network", "port", NULL };

/* Words a rule field gives its own meaning to: never alias names. */
static const char *const alias_reserved[] = { "any", "self", "none",
    "inet", "inet6", "tcp", "udp", "icmp", NULL };

static const struct cfg_field aliases_fields[] = {
	{ "name", CFG_NAME, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 31, NULL, NULL,
	    NULL, "alias name (letters, digits, _)" },
	{ "type", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "host", alias_types, NULL,
	    "host, network or port" },
	/* Items are checked by type in aliases_check; 1 MiB is the body cap. */
	{ "content", CFG_TEXT, CFG_F_LIST, 0, 100000, "", NULL, NULL,
	    "entries, separated by commas or newlines" },
	CFG_BOOLF("enabled", "1", "enabled"),
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "description" },
	CFG_END
};

static int
aliases_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	const char	*name = cfg_str(row, "name");
	const char	*type = cfg_str(row, "type");
	char		*list, *item, *save = NULL;
	size_t		 i;
	json_t		*iface;

	for (i = 0; alias_reserved[i] != NULL; i++)
		if (strcasecmp(name, alias_reserved[i]) == 0)
			cfg_error(errs, "name", "\"%s\" is reserved", name);
	iface = cfg_find(st, &cfg_sec_interfaces, name);
	if (iface != NULL)
		cfg_error(errs, "name", "\"%s\" is an interface name", name);
	json_decref(iface);

	list = xstrdup(cfg_str(row, "content"));
	for (item = strtok_r(list, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (strcmp(type, "host") == 0 && !cfg_check_addr(item, 0)) {
			cfg_error(errs, "content", "%.64s is not an IP address",
			    item);
			break;
		}
		if (strcmp(type, "network") == 0 && !cfg_check_cidr(item, 0) &&
		    !cfg_check_addr(item, 0)) {
			cfg_error(errs, "content", "%.64s is not a network "
			    "(address/prefix)", item);
			break;
		}
		if (strcmp(type, "port") == 0 && !cfg_check_port(item)) {
			cfg_error(errs, "content", "%.64s is not a port or "
			    "port range", item);
			break;
		}
	}
	free(list);
	return cfg_errors_any(errs) ? -1 : 0;
}

/* OPNsense 24.7 Alias.xml fields twinwall has no use for are ignored. */
static const struct cfg_opn_name aliases_opn[] = {
	{ "description", "descr", NULL },
	{ "proto", NULL, NULL },
	{ "interface", NULL, NULL },
	{ "counters", NULL, "0" },
	{ "updatefreq", NULL, "" },
	{ "categories", NULL, NULL },
	CFG_OPN_END
};

const struct cfg_section cfg_sec_aliases = {
	.s_name = "aliases", .s_key = "alias", .s_subsys = SUBSYS_ALIASES,
	.s_syncitem = "aliases", .s_fields = aliases_fields,
	.s_namefield = "name", .s_toggle = "enabled", .s_descfield = "name",
	.s_check = aliases_check,
	.s_opn_path = "alias.aliases.alias", .s_opn = aliases_opn,
};
