/*
 * map.c — where each section sits in config.xml: one table of forms,
 * each with its {element path, model field, converter} rows, plus the
 * few per-item rules no table row can say (floating rules, users'
 * privileges and password hashes, legacy hasync flags).
 *
 * Import reads every form in table order; export writes the forms marked
 * XF_EXPORT, in table order, which fixes the document's layout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "util.h"
#include "xmlconf_int.h"

#define M(p, f, c)	{ p, f, c, XM_BOTH }
#define MIN(p, f, c)	{ p, f, c, XM_IN }
#define MEND		{ NULL, NULL, 0, 0 }

/* system: host identity, DNS, web GUI. */
static const struct xmlconf_map system_map[] = {
	M("hostname", "hostname", XC_TEXT),
	M("domain", "domain", XC_TEXT),
	M("timezone", "timezone", XC_TEXT),
	M("language", "language", XC_TEXT),
	M("dnsserver", "dnsserver", XC_LIST),
	M("dnsallowoverride", "dnsallowoverride", XC_FLAG),
	M("webgui/protocol", "webgui_protocol", XC_TEXT),
	M("webgui/port", "webgui_port", XC_TEXT),
	M("update_command", "update_command", XC_TEXT),
	M("skip_rules_gw_down", "skip_rules_gw_down", XC_FLAG),
	MEND
};

/* interfaces/<name>: legacy isset() flags. */
static const struct xmlconf_map interfaces_map[] = {
	M("if", "device", XC_TEXT),
	M("descr", "descr", XC_TEXT),
	M("enable", "enabled", XC_FLAG),
	M("lock", "locked", XC_FLAG),
	M("ipaddr", "ipaddr", XC_IPADDR),
	M("subnet", "subnet", XC_TEXT),
	M("ipaddrv6", "ipaddrv6", XC_IPADDR),
	M("subnetv6", "subnetv6", XC_TEXT),
	M("dhcp6-ia-pd-len", "dhcp6_ia_pd_len", XC_TEXT),
	M("track6-interface", "track6_interface", XC_TEXT),
	M("track6-prefix-id", "track6_prefix_id", XC_TEXT),
	M("gateway", "gateway", XC_TEXT),
	M("blockpriv", "blockpriv", XC_FLAG),
	M("blockbogons", "blockbogons", XC_FLAG),
	M("mtu", "mtu", XC_TEXT),
	M("mss", "mss", XC_TEXT),
	MEND
};

/* OPNsense/Gateways/gateway_item (MVC) and the legacy gateways. */
static const struct xmlconf_map gateways_map[] = {
	M("name", "name", XC_TEXT),
	M("descr", "descr", XC_TEXT),
	M("interface", "interface", XC_TEXT),
	M("ipprotocol", "ipprotocol", XC_TEXT),
	M("gateway", "gateway", XC_TEXT),
	M("defaultgw", "defaultgw", XC_BOOL),
	M("monitor_disable", "monitor_disable", XC_BOOL),
	M("monitor", "monitor", XC_TEXT),
	M("priority", "priority", XC_TEXT),
	M("weight", "weight", XC_TEXT),
	M("interval", "interval", XC_TEXT),
	M("loss_interval", "loss_interval", XC_TEXT),
	M("time_period", "time_period", XC_TEXT),
	M("latencylow", "latencylow", XC_TEXT),
	M("latencyhigh", "latencyhigh", XC_TEXT),
	M("losslow", "losslow", XC_TEXT),
	M("losshigh", "losshigh", XC_TEXT),
	M("force_down", "force_down", XC_BOOL),
	M("disabled", "disabled", XC_BOOL),
	M("nosync", "nosync", XC_BOOL),
	MEND
};

static const struct xmlconf_map gateways_legacy_map[] = {
	MIN("name", "name", XC_TEXT),
	MIN("descr", "descr", XC_TEXT),
	MIN("interface", "interface", XC_TEXT),
	MIN("ipprotocol", "ipprotocol", XC_TEXT),
	MIN("gateway", "gateway", XC_TEXT),
	MIN("defaultgw", "defaultgw", XC_FLAG),
	MIN("monitor_disable", "monitor_disable", XC_FLAG),
	MIN("monitor", "monitor", XC_TEXT),
	MIN("priority", "priority", XC_TEXT),
	MIN("weight", "weight", XC_TEXT),
	MIN("interval", "interval", XC_TEXT),
	MIN("loss_interval", "loss_interval", XC_TEXT),
	MIN("time_period", "time_period", XC_TEXT),
	MIN("latencylow", "latencylow", XC_TEXT),
	MIN("latencyhigh", "latencyhigh", XC_TEXT),
	MIN("losslow", "losslow", XC_TEXT),
	MIN("losshigh", "losshigh", XC_TEXT),
	MIN("force_down", "force_down", XC_FLAG),
	MIN("disabled", "disabled", XC_FLAG),
	MIN("nosync", "nosync", XC_FLAG),
	MEND
};

/* gateways/gateway_group: the members are <item>s (gateways_group_in). */
static const struct xmlconf_map gateway_groups_map[] = {
	M("name", "name", XC_TEXT),
	M("trigger", "trigger", XC_TEXT),
	M("descr", "descr", XC_TEXT),
	MEND
};

static const char *const gg_tiers[] = { "tier1", "tier2", "tier3",
    "tier4", "tier5" };

static const struct xmlconf_map routes_map[] = {
	M("network", "network", XC_TEXT),
	M("gateway", "gateway", XC_TEXT),
	M("descr", "descr", XC_TEXT),
	M("disabled", "disabled", XC_BOOL),
	MIN("enabled", "disabled", XC_NOTBOOL),
	MEND
};

static const struct xmlconf_map aliases_map[] = {
	M("enabled", "enabled", XC_BOOL),
	M("name", "name", XC_TEXT),
	M("type", "type", XC_TEXT),
	M("content", "content", XC_LINES),
	M("description", "descr", XC_TEXT),
	MEND
};

static const struct xmlconf_map aliases_legacy_map[] = {
	MIN("name", "name", XC_TEXT),
	MIN("type", "type", XC_TEXT),
	MIN("address", "content", XC_LINES),
	MIN("descr", "descr", XC_TEXT),
	MEND
};

/* OPNsense/Firewall/Filter/rules/rule: the model's own names. */
static const struct xmlconf_map filter_map[] = {
	M("sequence", "sequence", XC_TEXT),
	M("enabled", "enabled", XC_BOOL),
	M("action", "action", XC_TEXT),
	M("quick", "quick", XC_BOOL),
	M("interface", "interface", XC_TEXT),
	M("direction", "direction", XC_TEXT),
	M("ipprotocol", "ipprotocol", XC_TEXT),
	M("protocol", "protocol", XC_PROTO),
	M("icmptype", "icmptype", XC_TEXT),
	M("source_net", "source_net", XC_TEXT),
	M("source_not", "source_not", XC_BOOL),
	M("source_port", "source_port", XC_TEXT),
	M("destination_net", "destination_net", XC_TEXT),
	M("destination_not", "destination_not", XC_BOOL),
	M("destination_port", "destination_port", XC_TEXT),
	M("gateway", "gateway", XC_TEXT),
	M("log", "log", XC_BOOL),
	M("statetype", "statetype", XC_STATETYPE),
	M("nosync", "nosync", XC_BOOL),
	M("nopfsync", "nopfsync", XC_BOOL),
	M("categories", "categories", XC_TEXT),
	M("description", "description", XC_TEXT),
	MEND
};

/* filter/rule: type, endpoints as <source>/<destination> trees. */
static const struct xmlconf_map filter_legacy_map[] = {
	MIN("sequence", "sequence", XC_TEXT),
	MIN("type", "action", XC_TEXT),
	MIN("disabled", "enabled", XC_NOTFLAG),
	MIN("interface", "interface", XC_TEXT),
	MIN("ipprotocol", "ipprotocol", XC_TEXT),
	MIN("protocol", "protocol", XC_PROTO),
	MIN("icmptype", "icmptype", XC_TEXT),
	MIN("source", "source", XC_ENDPOINT),
	MIN("destination", "destination", XC_ENDPOINT),
	MIN("gateway", "gateway", XC_TEXT),
	MIN("log", "log", XC_FLAG),
	MIN("statetype", "statetype", XC_STATETYPE),
	MIN("nosync", "nosync", XC_FLAG),
	MIN("nopfsync", "nopfsync", XC_FLAG),
	MIN("category", "categories", XC_TEXT),
	MIN("descr", "description", XC_TEXT),
	MEND
};

static const struct xmlconf_map snat_map[] = {
	M("mode", "mode", XC_TEXT),
	MEND
};

/* nat/outbound/rule; <sequence> is twinwall's, kept for the order. */
static const struct xmlconf_map snat_rules_map[] = {
	M("sequence", "sequence", XC_TEXT),
	M("disabled", "enabled", XC_NOTFLAG),
	M("nonat", "nonat", XC_FLAG),
	M("interface", "interface", XC_TEXT),
	M("ipprotocol", "ipprotocol", XC_TEXT),
	M("protocol", "protocol", XC_PROTO),
	M("source", "source", XC_ENDPOINT_NP),
	MIN("source/port", "source_port", XC_TEXT),
	M("sourceport", "source_port", XC_TEXT),
	M("destination", "destination", XC_ENDPOINT_NP),
	MIN("destination/port", "destination_port", XC_TEXT),
	M("dstport", "destination_port", XC_TEXT),
	M("target", "target", XC_SNATTARGET),
	M("natport", "target_port", XC_TEXT),
	M("staticnatport", "staticnatport", XC_FLAG),
	M("log", "log", XC_FLAG),
	M("nosync", "nosync", XC_FLAG),
	M("descr", "description", XC_TEXT),
	MEND
};

/* OPNsense/Firewall/Filter/snatrules/rule (read only). */
static const struct xmlconf_map snat_mvc_map[] = {
	MIN("sequence", "sequence", XC_TEXT),
	MIN("enabled", "enabled", XC_BOOL),
	MIN("nonat", "nonat", XC_BOOL),
	MIN("interface", "interface", XC_TEXT),
	MIN("ipprotocol", "ipprotocol", XC_TEXT),
	MIN("protocol", "protocol", XC_PROTO),
	MIN("source_net", "source_net", XC_TEXT),
	MIN("source_not", "source_not", XC_BOOL),
	MIN("source_port", "source_port", XC_TEXT),
	MIN("destination_net", "destination_net", XC_TEXT),
	MIN("destination_not", "destination_not", XC_BOOL),
	MIN("destination_port", "destination_port", XC_TEXT),
	MIN("target", "target", XC_TEXT),
	MIN("target_port", "target_port", XC_TEXT),
	MIN("staticnatport", "staticnatport", XC_BOOL),
	MIN("log", "log", XC_BOOL),
	MIN("nosync", "nosync", XC_BOOL),
	MIN("description", "description", XC_TEXT),
	MEND
};

/* nat/rule: port forwards. */
static const struct xmlconf_map dnat_map[] = {
	M("sequence", "sequence", XC_TEXT),
	M("disabled", "disabled", XC_FLAG),
	M("interface", "interface", XC_TEXT),
	M("ipprotocol", "ipprotocol", XC_TEXT),
	M("protocol", "protocol", XC_PROTO),
	M("source", "source", XC_ENDPOINT),
	M("destination", "destination", XC_ENDPOINT),
	M("target", "target", XC_TEXT),
	M("local-port", "local_port", XC_TEXT),
	M("log", "log", XC_FLAG),
	M("nosync", "nosync", XC_FLAG),
	M("associated-rule-id", "filter_rule", XC_ASSOC),
	M("descr", "descr", XC_TEXT),
	MEND
};

static const struct xmlconf_map vips_map[] = {
	M("mode", "mode", XC_TEXT),
	M("interface", "interface", XC_TEXT),
	M("subnet", "subnet", XC_TEXT),
	M("subnet_bits", "subnet_bits", XC_TEXT),
	M("vhid", "vhid", XC_TEXT),
	M("advbase", "advbase", XC_TEXT),
	M("advskew", "advskew", XC_TEXT),
	M("password", "password", XC_TEXT),
	M("peer", "peer", XC_TEXT),
	M("peer6", "peer6", XC_TEXT),
	M("nobind", "nobind", XC_FLAG),
	M("nosync", "nosync", XC_FLAG),
	M("descr", "descr", XC_TEXT),
	MEND
};

static const struct xmlconf_map hasync_map[] = {
	M("disablepreempt", "disablepreempt", XC_FLAG),
	M("pfsyncenabled", "pfsyncenabled", XC_FLAG),
	M("pfsyncinterface", "pfsyncinterface", XC_TEXT),
	M("pfsyncpeerip", "pfsyncpeerip", XC_TEXT),
	M("synchronizetoip", "synchronizetoip", XC_TEXT),
	M("verifypeer", "verifypeer", XC_FLAG),
	M("peerfingerprint", "peerfingerprint", XC_TEXT),
	M("username", "username", XC_TEXT),
	M("password", "password", XC_TEXT),
	M("syncitems", "syncitems", XC_SYNCITEMS),
	MEND
};

/* system/user; scope and uid come from users_in/users_out. */
static const struct xmlconf_map users_map[] = {
	M("name", "name", XC_TEXT),
	M("descr", "descr", XC_TEXT),
	M("password", "password", XC_TEXT),
	M("disabled", "disabled", XC_FLAG),
	MEND
};

static const struct xmlconf_map cron_map[] = {
	M("enabled", "enabled", XC_BOOL),
	M("minutes", "minute", XC_TEXT),
	M("hours", "hour", XC_TEXT),
	M("days", "day", XC_TEXT),
	M("months", "month", XC_TEXT),
	M("weekdays", "weekday", XC_TEXT),
	M("command", "command", XC_CRONCMD),
	M("parameters", "parameters", XC_TEXT),
	M("description", "descr", XC_TEXT),
	MEND
};

static const struct xmlconf_map cron_legacy_map[] = {
	MIN("minute", "minute", XC_TEXT),
	MIN("hour", "hour", XC_TEXT),
	MIN("mday", "day", XC_TEXT),
	MIN("month", "month", XC_TEXT),
	MIN("wday", "weekday", XC_TEXT),
	MIN("command", "command", XC_CRONCMD),
	MEND
};

/* Rule options that change what matches; twinwall has none of them. */
static const char *const filter_unsupported[] = { "sched", "tagged", "os",
    "tcpflags1", "tcpflags_any", "interfacenot", "max-src-conn-rate",
    NULL };
static const char *const nat_unsupported[] = { "nordr", "tagged", NULL };
static const char *const if_unsupported[] = { "internal_dynamic", NULL };

static const char *const alias_types[] = { "host", "network", "port", NULL };

/* Legacy hasync flags and the sync item each stands for. */
static const struct {
	const char	*l_flag;
	const char	*l_item;
} legacy_sync[] = {
	{ "synchronizerules", "rules" },
	{ "synchronizenat", "nat" },
	{ "synchronizealiases", "aliases" },
	{ "synchronizevirtualip", "virtualip" },
	{ "synchronizestaticroutes", "staticroutes" },
	{ "synchronizeusers", "users" },
	{ "synchronizecron", "cron" },
	{ "synchronizewebgui", "webgui" },
};

static int
interfaces_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	char	*t = xmlconf_get(item, "type"), path[96], *mode, *pd;
	int	 ok;

	/*
	 * track6 of an interface that asks for no delegated prefix has
	 * nothing to take (OPNsense keeps it and configures nothing): none.
	 */
	if (strcmp(cfg_str(row, "ipaddrv6"), "track6") == 0) {
		snprintf(path, sizeof(path), "interfaces/%.32s",
		    cfg_str(row, "track6_interface"));
		mode = xmlconf_text(xmlconf_path(xmlconf_path(
		    xmlDocGetRootElement(imp->i_doc), path), "ipaddrv6"));
		pd = xmlconf_text(xmlconf_path(xmlconf_path(
		    xmlDocGetRootElement(imp->i_doc), path),
		    "dhcp6-ia-pd-len"));
		ok = *cfg_str(row, "track6_interface") != '\0' &&
		    strcmp(mode, "dhcp6") == 0 && *pd != '\0';
		free(mode);
		free(pd);
		if (!ok) {
			xmlconf_note(imp, "ipaddrv6", "unsupported", "track6 of "
			    "%.32s, which asks for no delegated prefix; "
			    "imported as none", cfg_str(row,
			    "track6_interface"));
			json_object_set_new(row, "ipaddrv6", json_string("none"));
		}
	}
	if (t != NULL && strcmp(t, "group") == 0) {
		free(t);
		*why = "interface groups are not supported";
		return 1;
	}
	free(t);
	if (xmlconf_child(item, "virtual") != NULL) {
		*why = "virtual (VPN/loopback) interfaces are not supported";
		return 1;
	}
	return 0;
}

/*
 * OPNsense's own outbound rules (written on the switch to manual mode)
 * match "destination port 500" with no protocol: pf applies a port only
 * to TCP and UDP, so that is what the rule matches, and what it becomes.
 */
static int
snat_rules_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	const char *proto = cfg_str(row, "protocol");

	(void)item;
	(void)why;
	if ((*proto == '\0' || strcmp(proto, "any") == 0) &&
	    (*cfg_str(row, "destination_port") != '\0' ||
	    *cfg_str(row, "source_port") != '\0')) {
		json_object_set_new(row, "protocol", json_string("tcp/udp"));
		xmlconf_note(imp, "protocol", "converted", "a port with no "
		    "protocol matches TCP and UDP in pf: protocol tcp/udp");
	}
	return 0;
}

/*
 * A cron job whose OPNsense action twinwall has no equivalent for (conv.c
 * set command "none"): kept, disabled, the action in its parameters, and
 * said in the report.
 */
static int
cron_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	char	*cmd, *p;

	(void)why;
	if (strcmp(cfg_str(row, "command"), "none") != 0)
		return 0;
	cmd = xmlconf_get(item, "command");
	if (cmd != NULL && strcmp(cmd, "twinwall none") != 0) {
		p = *cfg_str(row, "parameters") ? xasprintf("%s %s", cmd,
		    cfg_str(row, "parameters")) : xstrdup(cmd);
		json_object_set_new(row, "parameters", json_string(p));
		free(p);
		xmlconf_note(imp, "command", "kept disabled", "OPNsense action "
		    "\"%.64s\" has no twinwall equivalent: kept disabled, the "
		    "action in parameters", cmd);
	}
	free(cmd);
	json_object_set_new(row, "enabled", json_string("0"));
	return 0;
}

static int
gateways_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	const char	*ifname = cfg_str(row, "interface");
	int		 v6 = strcmp(cfg_str(row, "ipprotocol"), "inet6") == 0;
	char		 path[96], *mode = NULL;
	int		 skip;

	(void)item;
	if (strcmp(cfg_str(row, "gateway"), "dynamic") != 0)
		return 0;
	/* The lease's router: kept while its interface is in DHCP mode. */
	snprintf(path, sizeof(path), "interfaces/%.32s/%s", ifname,
	    v6 ? "ipaddrv6" : "ipaddr");
	mode = xmlconf_text(xmlconf_path(xmlDocGetRootElement(imp->i_doc),
	    path));
	skip = v6 ? strcmp(mode, "dhcp6") != 0 && strcmp(mode, "slaac") != 0 :
	    strcmp(mode, "dhcp") != 0;
	free(mode);
	if (skip) {
		snprintf(imp->i_why, sizeof(imp->i_why), "a dynamic gateway "
		    "of %.32s, which does not get its address by DHCP",
		    ifname);
		*why = imp->i_why;
	}
	return skip;
}

/*
 * A group's members: one <item> each, "gateway|tier|address". The third
 * part chooses the source address of the member's interface; twinwall
 * routes from the interface address ("address"), so a virtual IP there
 * is said and left out. A tier outside 1-5 is said and the member left
 * out. The trigger names are the model's own (down, downloss,
 * downlatency, downlosslatency); the model refuses any other.
 */
static int
gateway_groups_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	xmlNode		*c;
	char		*v, *raw, *gw, *tier, *src, *end = NULL, *t;
	const char	*have;
	long		 n;

	(void)why;
	for (c = item->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "item") != 0)
			continue;
		v = xmlconf_text(c);
		raw = xstrdup(v);
		gw = v;
		if ((tier = strchr(gw, '|')) != NULL)
			*tier++ = '\0';
		if (tier != NULL && (src = strchr(tier, '|')) != NULL)
			*src++ = '\0';
		else
			src = NULL;
		n = tier != NULL ? strtol(tier, &end, 10) : 0;
		if (*gw == '\0' || tier == NULL || *tier == '\0' ||
		    *end != '\0' || n < 1 || n > (long)nitems(gg_tiers)) {
			xmlconf_note(imp, "tier1", "unsupported", "member "
			    "\"%.80s\" is not gateway|tier 1-5; left out",
			    raw);
			free(raw);
			free(v);
			continue;
		}
		if (src != NULL && *src != '\0' && strcmp(src, "address") != 0)
			xmlconf_note(imp, gg_tiers[n - 1], "unsupported",
			    "%.32s sends from virtual IP %.64s: twinwall "
			    "routes from the interface address", gw, src);
		have = cfg_str(row, gg_tiers[n - 1]);
		t = *have ? xasprintf("%s,%s", have, gw) : xstrdup(gw);
		json_object_set_new(row, gg_tiers[n - 1], json_string(t));
		free(t);
		free(raw);
		free(v);
	}
	return 0;
}

/* A group's members as OPNsense writes them, tier by tier. */
static void
gateway_groups_out(struct xmlconf_exp *x, xmlNode *item, json_t *row)
{
	char	*list, *m, *save, *line;
	size_t	 t;

	(void)x;
	for (t = 0; t < nitems(gg_tiers); t++) {
		list = xstrdup(cfg_str(row, gg_tiers[t]));
		save = NULL;
		for (m = strtok_r(list, ",", &save); m != NULL;
		    m = strtok_r(NULL, ",", &save)) {
			line = xasprintf("%s|%zu|address", m, t + 1);
			xmlconf_add(item, "item", line);
			free(line);
		}
		free(list);
	}
}

static int
aliases_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	const char	*type = cfg_str(row, "type");
	size_t		 i;

	(void)item;
	if (!json_object_get(row, "type"))
		return 0;
	for (i = 0; alias_types[i] != NULL; i++)
		if (strcmp(type, alias_types[i]) == 0)
			return 0;
	snprintf(imp->i_why, sizeof(imp->i_why), "alias type %.32s is not "
	    "supported (host, network and port are)", type);
	*why = imp->i_why;
	return 1;
}

/*
 * Legacy rules: floating rules come first and match quick only when
 * told; interface rules are always quick and inbound.
 */
static int
filter_legacy_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	char	*v, *q, *d;
	int	 floating;

	v = xmlconf_get(item, "associated-rule-id");
	if (v != NULL && *v != '\0') {
		free(v);
		*why = "the filter rule of a port forward: twinwall derives "
		    "it from the port forward";
		return 1;
	}
	free(v);
	v = xmlconf_get(item, "floating");
	floating = v != NULL && strcmp(v, "0") != 0 && strcmp(v, "no") != 0;
	free(v);
	q = xmlconf_get(item, "quick");
	d = xmlconf_get(item, "direction");
	if (floating) {
		json_object_set_new(row, "quick", json_string(q != NULL &&
		    strcmp(q, "0") != 0 ? "1" : "0"));
		json_object_set_new(row, "direction", json_string(d != NULL &&
		    *d != '\0' ? d : "any"));
		imp->i_rank = 1;
	} else {
		json_object_set_new(row, "quick", json_string("1"));
		json_object_set_new(row, "direction", json_string("in"));
		imp->i_rank = 2;
	}
	free(q);
	free(d);
	return 0;
}

/* A hash in a format libcrypt verifies (auth.h): bcrypt, SHA-2, yescrypt. */
static int
hash_ok(const char *h)
{
	static const char *const prefixes[] = { "$2y$", "$2b$", "$6$", "$5$",
	    "$y$", NULL };
	size_t i;

	for (i = 0; prefixes[i] != NULL; i++)
		if (strncmp(h, prefixes[i], strlen(prefixes[i])) == 0)
			break;
	if (prefixes[i] == NULL || strlen(h) > 128)
		return 0;
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789./$=,-") == strlen(h);
}

/* Does a group with page-all privileges count this user (uid, name)? */
static int
user_is_admin(xmlDoc *doc, xmlNode *user)
{
	xmlNode	*sys = xmlconf_child(xmlDocGetRootElement(doc), "system");
	xmlNode	*g, *c;
	char	*uid = xmlconf_get(user, "uid"), *gname = NULL, *v;
	int	 all, admin = 0;

	for (c = user->children; c != NULL && !admin; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "priv") == 0) {
			v = xmlconf_text(c);
			admin = strcmp(v, "page-all") == 0;
			free(v);
		}
	for (g = sys != NULL ? sys->children : NULL; g != NULL && !admin;
	    g = g->next) {
		if (g->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)g->name, "group") != 0)
			continue;
		all = 0;
		gname = xmlconf_get(g, "name");
		for (c = g->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			v = xmlconf_text(c);
			if (strcmp((const char *)c->name, "priv") == 0 &&
			    strcmp(v, "page-all") == 0)
				all = 1;
			free(v);
		}
		for (c = user->children; all && c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE ||
			    strcmp((const char *)c->name, "groupname") != 0)
				continue;
			v = xmlconf_text(c);
			admin |= gname != NULL && strcmp(v, gname) == 0;
			free(v);
		}
		for (c = g->children; all && c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE ||
			    strcmp((const char *)c->name, "member") != 0)
				continue;
			v = xmlconf_text(c);
			admin |= uid != NULL && strcmp(v, uid) == 0;
			free(v);
		}
		free(gname);
	}
	free(uid);
	return admin;
}

/*
 * Privileges: page-all (directly or through a group) is admin, anything
 * else read-only. A hash libcrypt cannot verify is replaced by a random
 * one and the user imported disabled.
 */
static int
users_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	const char	*pw = cfg_str(row, "password");
	unsigned char	 rnd[24];
	char		 hex[49], *hash;

	(void)why;
	json_object_set_new(row, "scope", json_string(user_is_admin(
	    imp->i_doc, item) ? "admin" : "user"));
	if (hash_ok(pw))
		return 0;
	if (*pw == '\0')
		xmlconf_note(imp, "password", "unsupported", "no password "
		    "hash; user imported disabled");
	else
		xmlconf_note(imp, "password", "unsupported", "hash format "
		    "%.4s... cannot be verified by libcrypt; user imported "
		    "disabled (set a password with twinwall passwd)", pw);
	if (util_random(rnd, sizeof(rnd)) == -1)
		return -1;
	util_hex(rnd, sizeof(rnd), hex);
	if ((hash = auth_hash(hex)) == NULL)
		return -1;
	explicit_bzero(hex, sizeof(hex));
	json_object_set_new(row, "password", json_string(hash));
	json_object_set_new(row, "disabled", json_string("1"));
	util_free_secret(hash);
	return 0;
}

static int
users_uid(struct xmlconf_exp *x, json_t *row)
{
	if (strcmp(cfg_str(row, "name"), "root") == 0)
		return 0;
	return 2000 + x->e_next_uid++;
}

static void
users_out(struct xmlconf_exp *x, xmlNode *item, json_t *row)
{
	char uid[16];

	snprintf(uid, sizeof(uid), "%d", users_uid(x, row));
	xmlconf_add(item, "scope", strcmp(uid, "0") == 0 ? "system" : "user");
	if (strcmp(cfg_str(row, "scope"), "admin") == 0)
		xmlconf_add(item, "groupname", "admins");
	xmlconf_add(item, "uid", uid);
}

static void
users_outall(struct xmlconf_exp *x, xmlNode *parent, json_t *rows)
{
	xmlNode	*g = xmlNewChild(parent, NULL, (const xmlChar *)"group", NULL);
	json_t	*row;
	size_t	 i;
	char	 uid[16];

	xmlconf_add(g, "name", "admins");
	xmlconf_add(g, "description", "System Administrators");
	xmlconf_add(g, "scope", "system");
	xmlconf_add(g, "gid", "1999");
	json_array_foreach(rows, i, row) {
		snprintf(uid, sizeof(uid), "%d", users_uid(x, row));
		if (strcmp(cfg_str(row, "scope"), "admin") == 0)
			xmlconf_add(g, "member", uid);
	}
	xmlconf_add(g, "priv", "page-all");
	x->e_next_uid = 0;	/* users_out counts again */
}

static int
vips_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	(void)imp;
	(void)item;
	if (strcmp(cfg_str(row, "mode"), "other") == 0) {
		*why = "VIP mode other is not supported";
		return 1;
	}
	return 0;
}

/* Before 24.7 hasync named its items with one flag each. */
static int
hasync_in(struct xmlconf_imp *imp, xmlNode *item, json_t *row,
    const char **why)
{
	xmlNode	*c;
	char	*list = xstrdup(""), *t, *v;
	size_t	 i;

	(void)why;
	if (xmlconf_child(item, "syncitems") != NULL) {
		free(list);
		return 0;
	}
	for (c = item->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strncmp((const char *)
		    c->name, "synchronize", 11) != 0 ||
		    strcmp((const char *)c->name, "synchronizetoip") == 0)
			continue;
		v = xmlconf_text(c);
		for (i = 0; i < nitems(legacy_sync); i++)
			if (strcmp((const char *)c->name,
			    legacy_sync[i].l_flag) == 0)
				break;
		if (i == nitems(legacy_sync))
			xmlconf_note(imp, "syncitems", "unsupported", "%.40s "
			    "is not supported; left out", (const char *)c->name);
		else if (strcmp(v, "0") != 0) {
			t = xasprintf("%s%s%s", list, *list ? "," : "",
			    legacy_sync[i].l_item);
			free(list);
			list = t;
		}
		free(v);
	}
	json_object_set_new(row, "syncitems", json_string(list));
	free(list);
	return 0;
}

#define FORM(n, s, p, m, fl, un, in, out, all) \
	{ n, s, p, m, fl, un, in, out, all }
#define XE	(XF_EXPORT | XF_UUID)

static const struct xmlconf_form forms[] = {
	FORM("system", "system", "system", system_map, XF_EXPORT, NULL,
	    NULL, NULL, NULL),
	FORM("interface", "interfaces", "interfaces", interfaces_map,
	    XE | XF_ANYCHILD, if_unsupported, interfaces_in, NULL, NULL),
	FORM("gateway", "gateways", "OPNsense/Gateways/gateway_item",
	    gateways_map, XE, NULL, gateways_in, NULL, NULL),
	FORM("legacy gateway", "gateways", "gateways/gateway_item",
	    gateways_legacy_map, XF_UUID, NULL, gateways_in, NULL, NULL),
	FORM("gateway group", "gateway_groups", "gateways/gateway_group",
	    gateway_groups_map, XE, NULL, gateway_groups_in,
	    gateway_groups_out, NULL),
	FORM("static route", "routes", "staticroutes/route", routes_map, XE,
	    NULL, NULL, NULL, NULL),
	FORM("alias", "aliases", "OPNsense/Firewall/Alias/aliases/alias",
	    aliases_map, XE, NULL, aliases_in, NULL, NULL),
	FORM("legacy alias", "aliases", "aliases/alias", aliases_legacy_map,
	    XF_UUID, NULL, aliases_in, NULL, NULL),
	FORM("rule", "filter_rules", "OPNsense/Firewall/Filter/rules/rule",
	    filter_map, XE, filter_unsupported, NULL, NULL, NULL),
	FORM("legacy rule", "filter_rules", "filter/rule", filter_legacy_map,
	    XF_UUID, filter_unsupported, filter_legacy_in, NULL, NULL),
	FORM("outbound NAT", "snat", "nat/outbound", snat_map, XF_EXPORT,
	    NULL, NULL, NULL, NULL),
	FORM("outbound NAT rule", "snat_rules", "nat/outbound/rule",
	    snat_rules_map, XE, nat_unsupported, snat_rules_in, NULL, NULL),
	FORM("source NAT rule", "snat_rules",
	    "OPNsense/Firewall/Filter/snatrules/rule", snat_mvc_map, XF_UUID,
	    nat_unsupported, NULL, NULL, NULL),
	FORM("port forward", "dnat_rules", "nat/rule", dnat_map, XE,
	    nat_unsupported, NULL, NULL, NULL),
	FORM("virtual IP", "vips", "virtualip/vip", vips_map, XE, NULL,
	    vips_in, NULL, NULL),
	FORM("hasync", "hasync", "hasync", hasync_map, XF_EXPORT, NULL,
	    hasync_in, NULL, NULL),
	FORM("user", "users", "system/user", users_map, XE, NULL, users_in,
	    users_out, users_outall),
	FORM("cron job", "cron_jobs", "OPNsense/cron/jobs/job", cron_map, XE,
	    NULL, cron_in, NULL, NULL),
	FORM("legacy cron job", "cron_jobs", "cron/item", cron_legacy_map,
	    XF_UUID, NULL, cron_in, NULL, NULL),
};

static const struct xmlconf_form *const form_list[] = {
	&forms[0], &forms[1], &forms[2], &forms[3], &forms[4], &forms[5],
	&forms[6], &forms[7], &forms[8], &forms[9], &forms[10], &forms[11],
	&forms[12], &forms[13], &forms[14], &forms[15], &forms[16],
	&forms[17], &forms[18], NULL
};

const struct xmlconf_form *const *
xmlconf_forms(void)
{
	_Static_assert(nitems(form_list) == nitems(forms) + 1,
	    "form_list lists every form");
	return form_list;
}
