/*
 * conv.c — converters between config.xml elements and model values,
 * both ways, and the small tree helpers they share.
 *
 * Every converter is lossless for what the model can hold: a value
 * written by xmlconf_conv_out() reads back to the same value, which is
 * what makes export -> import -> export byte-identical.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmlconf_int.h"

/* Configd actions (and descriptions) a cron job may name. */
static const struct {
	const char	*c_xml;		/* command or description */
	const char	*c_cmd;		/* twinwall command */
} cron_commands[] = {
	{ "system ha_reconfigure_backup", "ha_sync_restart" },
	{ "ha_reconfigure_backup", "ha_sync_restart" },
	{ "HA update and reconfigure backup", "ha_sync_restart" },
	{ "/usr/local/etc/rc.filter_synchronize", "ha_sync" },
	/* What export writes for commands OPNsense has no action for. */
	{ "twinwall ha_sync", "ha_sync" },
	{ "twinwall ha_sync_restart", "ha_sync_restart" },
	{ "twinwall apply_all", "apply_all" },
	{ "twinwall backup", "backup" },
	{ "twinwall none", "none" },
};

/* hasync syncitems twinwall replicates (config/hasync.c). */
static const char *const sync_items[] = { "rules", "nat", "aliases",
    "virtualip", "staticroutes", "users", "cron", "webgui", NULL };

/* Interface address kinds the model holds besides an address. */
static const char *const ipaddr_kinds[] = { "dhcp", "dhcp6", "slaac",
    "track6", NULL };

xmlNode *
xmlconf_child(xmlNode *n, const char *name)
{
	xmlNode *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

xmlNode *
xmlconf_path(xmlNode *n, const char *path)
{
	char	 step[64];
	size_t	 k;

	while (n != NULL && *path != '\0') {
		k = strcspn(path, "/");
		if (k >= sizeof(step))
			return NULL;
		memcpy(step, path, k);
		step[k] = '\0';
		n = xmlconf_child(n, step);
		path += k;
		if (*path == '/')
			path++;
	}
	return n;
}

/*
 * The element's text, a new string. Text with line breaks or tabs (CDATA
 * descriptions) is folded to single spaces and trimmed; other text is
 * kept as it is, so values export wrote read back unchanged.
 */
char *
xmlconf_text(xmlNode *n)
{
	xmlChar	*c = n != NULL ? xmlNodeGetContent(n) : NULL;
	char	*s, *o, *p;
	int	 space = 0;

	s = xstrdup(c != NULL ? (const char *)c : "");
	xmlFree(c);
	if (strpbrk(s, "\r\n\t") == NULL)
		return s;
	for (p = o = s; *p != '\0'; p++) {
		if (isspace((unsigned char)*p)) {
			space = o != s;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *p;
	}
	*o = '\0';
	return s;
}

char *
xmlconf_get(xmlNode *n, const char *path)
{
	xmlNode *c = xmlconf_path(n, path);

	return c != NULL ? xmlconf_text(c) : NULL;
}

xmlNode *
xmlconf_add(xmlNode *parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name,
	    text != NULL && *text != '\0' ? (const xmlChar *)text : NULL);
}

xmlNode *
xmlconf_mkpath(xmlNode *n, const char *path)
{
	xmlNode	*c;
	char	 step[64];
	size_t	 k;

	while (*path != '\0') {
		k = strcspn(path, "/");
		if (k >= sizeof(step))
			k = sizeof(step) - 1;
		memcpy(step, path, k);
		step[k] = '\0';
		if ((c = xmlconf_child(n, step)) == NULL)
			c = xmlNewChild(n, NULL, (const xmlChar *)step, NULL);
		n = c;
		path += strcspn(path, "/");
		if (*path == '/')
			path++;
	}
	return n;
}

/* The last step of a path: the element a map row writes. */
static const char *
path_leaf(const char *path, char *parent, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		parent[0] = '\0';
		return path;
	}
	snprintf(parent, len, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

/* Can "" be a stored value of field f? Else an empty element = default. */
static int
empty_ok(const struct cfg_field *f)
{
	size_t i;

	if (f == NULL)
		return 1;
	if ((f->f_flags & CFG_F_REQUIRED) || f->f_type == CFG_BOOL)
		return 0;
	if (f->f_flags & CFG_F_LIST)
		return 1;
	if (f->f_type == CFG_ENUM) {
		for (i = 0; f->f_enum[i] != NULL; i++)
			if (*f->f_enum[i] == '\0')
				return 1;
		return 0;
	}
	return 1;
}

static void
set(json_t *row, const char *field, const char *v)
{
	json_object_set_new(row, field, json_string(v));
}

/* isset() semantics: present and not "0" (legacy flags). */
static int
flag_of(const char *v)
{
	return v != NULL && strcmp(v, "0") != 0;
}

/* Joins the text of every child named leaf with ','; new string. */
static char *
join_children(xmlNode *parent, const char *leaf)
{
	xmlNode	*c;
	char	*out = xstrdup(""), *t, *v;

	for (c = parent != NULL ? parent->children : NULL; c != NULL;
	    c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, leaf) != 0)
			continue;
		v = xmlconf_text(c);
		if (*v != '\0') {
			t = xasprintf("%s%s%s", out, *out ? "," : "", v);
			free(out);
			out = t;
		}
		free(v);
	}
	return out;
}

/* <source>: any | network | address, not, port. */
static void
endpoint_in(xmlNode *ep, const char *prefix, int port, json_t *row)
{
	char	 f[64], *v = NULL;

	snprintf(f, sizeof(f), "%s_net", prefix);
	if (ep == NULL || xmlconf_child(ep, "any") != NULL)
		v = xstrdup("any");
	else if ((v = xmlconf_get(ep, "network")) == NULL &&
	    (v = xmlconf_get(ep, "address")) == NULL)
		v = xstrdup("any");
	set(row, f, *v != '\0' ? v : "any");
	free(v);
	v = xmlconf_get(ep, "not");
	snprintf(f, sizeof(f), "%s_not", prefix);
	set(row, f, flag_of(v) ? "1" : "0");
	free(v);
	if (!port)
		return;
	snprintf(f, sizeof(f), "%s_port", prefix);
	v = xmlconf_get(ep, "port");
	set(row, f, v != NULL ? v : "");
	free(v);
}

/* An interface ("lan") or its address ("lanip") goes in <network>. */
static int
is_ifname(struct xmlconf_exp *x, const char *v)
{
	json_t	*rows = json_object_get(x->e_secs, "interfaces"), *r;
	size_t	 i, n = strlen(v);

	json_array_foreach(rows, i, r) {
		const char *name = cfg_str(r, "name");

		if (strcmp(v, name) == 0 || (n == strlen(name) + 2 &&
		    strncmp(v, name, n - 2) == 0 && strcmp(v + n - 2, "ip") ==
		    0))
			return 1;
	}
	return 0;
}

static void
endpoint_out(struct xmlconf_exp *x, xmlNode *item, const char *elem,
    const char *prefix, int port, json_t *row)
{
	xmlNode		*ep = xmlNewChild(item, NULL, (const xmlChar *)elem,
			    NULL);
	char		 f[64];
	const char	*net;

	snprintf(f, sizeof(f), "%s_net", prefix);
	net = cfg_str(row, f);
	if (strcmp(net, "any") == 0)
		xmlconf_add(ep, "any", "1");
	else
		xmlconf_add(ep, is_ifname(x, net) ? "network" : "address", net);
	snprintf(f, sizeof(f), "%s_not", prefix);
	if (cfg_bool(row, f))
		xmlconf_add(ep, "not", "1");
	snprintf(f, sizeof(f), "%s_port", prefix);
	if (port && *cfg_str(row, f) != '\0')
		xmlconf_add(ep, "port", cfg_str(row, f));
}

static int
ipaddr_in(struct xmlconf_imp *imp, const struct xmlconf_map *m,
    const char *v, json_t *row)
{
	size_t i;

	if (*v == '\0' || strcmp(v, "none") == 0) {
		set(row, m->m_field, "none");
		return 0;
	}
	for (i = 0; ipaddr_kinds[i] != NULL; i++)
		if (strcmp(v, ipaddr_kinds[i]) == 0)
			break;
	/* An address, or a kind the model holds: the model judges. */
	if (ipaddr_kinds[i] != NULL || strchr(v, '.') != NULL ||
	    strchr(v, ':') != NULL) {
		set(row, m->m_field, v);
		return 0;
	}
	xmlconf_note(imp, m->m_field, "unsupported", "address mode %.32s "
	    "is not supported; imported as none", v);
	set(row, m->m_field, "none");
	return 0;
}

static int
croncmd_in(xmlNode *item, const char *v, json_t *row)
{
	char	*d = xmlconf_get(item, "description");
	size_t	 i;

	if (d == NULL)
		d = xmlconf_get(item, "descr");
	for (i = 0; i < nitems(cron_commands); i++)
		if (strcmp(v, cron_commands[i].c_xml) == 0 ||
		    (d != NULL && strcmp(d, cron_commands[i].c_xml) == 0))
			break;
	free(d);
	/* No equivalent: kept disabled (map.c cron_in says so). */
	set(row, "command", i == nitems(cron_commands) ? "none" :
	    cron_commands[i].c_cmd);
	return 0;
}

static const char *
croncmd_out(const char *cmd)
{
	if (strcmp(cmd, "ha_sync_restart") == 0)
		return "system ha_reconfigure_backup";
	return NULL;
}

static int
syncitems_in(struct xmlconf_imp *imp, const char *v, json_t *row)
{
	char	*list = xstrdup(v), *item, *save = NULL, *out = xstrdup("");
	char	*t;
	size_t	 i;

	for (item = strtok_r(list, ", \t\r\n", &save); item != NULL;
	    item = strtok_r(NULL, ", \t\r\n", &save)) {
		for (i = 0; sync_items[i] != NULL; i++)
			if (strcmp(item, sync_items[i]) == 0)
				break;
		if (sync_items[i] == NULL) {
			xmlconf_note(imp, "syncitems", "unsupported",
			    "sync item %.32s is not supported; left out", item);
			continue;
		}
		t = xasprintf("%s%s%s", out, *out ? "," : "", item);
		free(out);
		out = t;
	}
	set(row, "syncitems", out);
	free(out);
	free(list);
	return 0;
}

int
xmlconf_conv_in(struct xmlconf_imp *imp, xmlNode *item,
    const struct cfg_section *sec, const struct xmlconf_map *m, json_t *row,
    const char **why)
{
	const struct cfg_field	*f = cfg_field(sec, m->m_field);
	xmlNode			*n = xmlconf_path(item, m->m_path), *p;
	char			 parent[128], *v = NULL, *lc;
	const char		*leaf;
	int			 rc = 0;

	if (m->m_conv == XC_ENDPOINT || m->m_conv == XC_ENDPOINT_NP) {
		endpoint_in(n, m->m_field, m->m_conv == XC_ENDPOINT, row);
		return 0;
	}
	if (m->m_conv == XC_LIST) {
		leaf = path_leaf(m->m_path, parent, sizeof(parent));
		p = *parent ? xmlconf_path(item, parent) : item;
		if (xmlconf_path(item, m->m_path) == NULL)
			return 0;
		v = join_children(p, leaf);
		set(row, m->m_field, v);
		free(v);
		return 0;
	}
	if (n != NULL)
		v = xmlconf_text(n);
	switch (m->m_conv) {
	case XC_FLAG:
		set(row, m->m_field, flag_of(v) ? "1" : "0");
		break;
	case XC_NOTFLAG:
		set(row, m->m_field, flag_of(v) ? "0" : "1");
		break;
	case XC_NOTBOOL:
		if (v != NULL)
			set(row, m->m_field, flag_of(v) && *v != '\0' ?
			    "0" : "1");
		break;
	case XC_SNATTARGET:
		if (v != NULL && strcmp(v, "other-subnet") == 0) {
			free(v);
			if ((v = xmlconf_get(item, "targetip")) == NULL)
				v = xstrdup("");
			lc = xmlconf_get(item, "targetip_subnet");
			if (lc != NULL && *lc != '\0' && strcmp(lc, "32") !=
			    0 && strcmp(lc, "128") != 0) {
				*why = "translation to a subnet (pool) is not "
				    "supported";
				rc = 1;
			}
			free(lc);
		}
		if (rc == 0 && (v == NULL || *v == '\0')) {
			/* "" is the interface address (unless nonat). */
			lc = xmlconf_get(item, "nonat");
			free(v);
			v = flag_of(lc) ? xstrdup("") : xasprintf("%sip",
			    *cfg_str(row, "interface") ? cfg_str(row,
			    "interface") : "wan");
			free(lc);
		}
		if (rc == 0)
			set(row, m->m_field, v);
		break;
	case XC_ASSOC:
		if (v == NULL || *v == '\0')
			set(row, m->m_field, "none");
		else {
			if (strcmp(v, "pass") != 0)
				xmlconf_note(imp, m->m_field, "unsupported",
				    "linked filter rule %.40s replaced by the "
				    "associated pass rule", v);
			set(row, m->m_field, "pass");
		}
		break;
	case XC_CRONCMD:
		if (v == NULL) {
			*why = "no command";
			rc = 1;
		} else
			rc = croncmd_in(item, v, row);
		break;
	default:
		if (v == NULL)
			break;		/* absent: the model's default */
		if (*v == '\0' && m->m_conv != XC_IPADDR &&
		    m->m_conv != XC_SYNCITEMS && !empty_ok(f))
			break;
		switch (m->m_conv) {
		case XC_IPADDR:
			rc = ipaddr_in(imp, m, v, row);
			break;
		case XC_PROTO:
			for (lc = v; *lc != '\0'; lc++)
				*lc = (char)tolower((unsigned char)*lc);
			set(row, m->m_field, strcmp(v, "ipv6-icmp") == 0 ?
			    "icmpv6" : v);
			break;
		case XC_STATETYPE:
			if ((lc = strstr(v, " state")) != NULL)
				*lc = '\0';
			set(row, m->m_field, v);
			break;
		case XC_SYNCITEMS:
			rc = syncitems_in(imp, v, row);
			break;
		default:	/* XC_TEXT, XC_LINES, XC_BOOL */
			set(row, m->m_field, v);
			break;
		}
	}
	free(v);
	return rc;
}

void
xmlconf_conv_out(struct xmlconf_exp *x, xmlNode *item,
    const struct xmlconf_map *m, json_t *row)
{
	xmlNode		*p;
	char		 parent[128], *list, *it, *save = NULL, *t;
	const char	*leaf, *v = cfg_str(row, m->m_field);

	if (!(m->m_flags & XM_OUT))
		return;
	leaf = path_leaf(m->m_path, parent, sizeof(parent));
	p = *parent ? xmlconf_mkpath(item, parent) : item;
	switch (m->m_conv) {
	case XC_ENDPOINT:
	case XC_ENDPOINT_NP:
		endpoint_out(x, p, leaf, m->m_field,
		    m->m_conv == XC_ENDPOINT, row);
		break;
	case XC_LIST:
		list = xstrdup(v);
		for (it = strtok_r(list, ",", &save); it != NULL;
		    it = strtok_r(NULL, ",", &save))
			xmlconf_add(p, leaf, it);
		free(list);
		break;
	case XC_LINES:
		list = xstrdup(v);
		for (t = list; *t != '\0'; t++)
			if (*t == ',')
				*t = '\n';
		xmlconf_add(p, leaf, list);
		free(list);
		break;
	case XC_FLAG:
		if (strcmp(v, "1") == 0)
			xmlconf_add(p, leaf, "1");
		break;
	case XC_NOTFLAG:
		if (strcmp(v, "0") == 0)
			xmlconf_add(p, leaf, "1");
		break;
	case XC_NOTBOOL:
		xmlconf_add(p, leaf, strcmp(v, "1") == 0 ? "0" : "1");
		break;
	case XC_IPADDR:
		xmlconf_add(p, leaf, strcmp(v, "none") == 0 ? "" : v);
		break;
	case XC_SNATTARGET:
		t = xasprintf("%sip", cfg_str(row, "interface"));
		xmlconf_add(p, leaf, strcmp(v, t) == 0 ? "" : v);
		free(t);
		break;
	case XC_ASSOC:
		if (strcmp(v, "pass") == 0)
			xmlconf_add(p, leaf, "pass");
		break;
	case XC_CRONCMD:
		if (croncmd_out(v) != NULL)
			xmlconf_add(p, leaf, croncmd_out(v));
		else {
			t = xasprintf("twinwall %s", v);
			xmlconf_add(p, leaf, t);
			free(t);
		}
		break;
	default:
		xmlconf_add(p, leaf, v);
		break;
	}
}
