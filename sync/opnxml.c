/*
 * opnxml.c — an OPNsense master's restore_config_section payload read as
 * what it is: config.xml subtrees (rc.filter_synchronize sends the
 * sections of its config keyed by top-level tag, repeated elements as
 * arrays, XML attributes under "@attributes"). The struct becomes a
 * document again and goes through the config.xml importer's own forms
 * (appliance/xmlconf/map.c): one mapping for files and for sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "config.h"
#include "log.h"
#include "util.h"
#include "xmlconf.h"
#include "sync_int.h"

#define OPNXML_ATTRS	"@attributes"

/* An element name libxml2 and config.xml both take: [A-Za-z_][\w.-]*. */
static int
opnxml_name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > 64 || !(s[0] == '_' ||
	    (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!(s[i] == '_' || s[i] == '-' || s[i] == '.' ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int opnxml_add(xmlNode *parent, const char *name, json_t *v,
    char *err, size_t errlen);

/* The members of a struct as children (and attributes) of n. */
static int
opnxml_fill(xmlNode *n, json_t *obj, char *err, size_t errlen)
{
	const char	*k, *av;
	json_t		*v, *a;
	const char	*ak;

	json_object_foreach(obj, k, v) {
		if (strcmp(k, OPNXML_ATTRS) == 0) {
			if (!json_is_object(v))
				goto bad;
			json_object_foreach(v, ak, a) {
				av = json_string_value(a);
				if (!opnxml_name_ok(ak) || av == NULL)
					goto bad;
				xmlSetProp(n, (const xmlChar *)ak,
				    (const xmlChar *)av);
			}
			continue;
		}
		if (opnxml_add(n, k, v, err, errlen) == -1)
			return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s must be a struct of strings",
	    OPNXML_ATTRS);
	return -1;
}

/* name = v under parent: a struct, an array (repeated), or a value. */
static int
opnxml_add(xmlNode *parent, const char *name, json_t *v, char *err,
    size_t errlen)
{
	xmlNode	*n;
	json_t	*e;
	size_t	 i;
	char	 num[32];

	if (!opnxml_name_ok(name)) {
		snprintf(err, errlen, "a member name is not an element name "
		    "(letters, digits, _ - .)");
		return -1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (json_is_array(e)) {
				snprintf(err, errlen, "%s: an array in an "
				    "array has no config.xml form", name);
				return -1;
			}
			if (opnxml_add(parent, name, e, err, errlen) == -1)
				return -1;
		}
		return 0;
	}
	n = xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
	if (json_is_object(v))
		return opnxml_fill(n, v, err, errlen);
	if (json_is_string(v))
		xmlNodeAddContent(n, (const xmlChar *)json_string_value(v));
	else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		xmlNodeAddContent(n, (const xmlChar *)num);
	} else if (json_is_boolean(v))
		xmlNodeAddContent(n, (const xmlChar *)(json_is_true(v) ?
		    "1" : "0"));
	return 0;
}

int
sync_opn_shaped(json_t *in)
{
	const struct cfg_section	*sec;
	const char			*k;
	json_t				*v;

	/* "aliases" is both: OPNsense's holds a struct, ours a list. */
	json_object_foreach(in, k, v)
		if ((sec = cfg_section(k)) == NULL || (!(sec->s_flags &
		    CFG_S_SINGLETON) && json_is_object(v)))
			return 1;
	return 0;
}

/*
 * Sections twinwall merges from an OPNsense push: the synchronised list
 * sections, and of the singletons only the outbound NAT mode (the rest of
 * system, hasync and interfaces belongs to each node).
 */
static int
opnxml_take(const char *name)
{
	const struct cfg_section *sec = cfg_section(name);

	if (sec == NULL || !sync_section_ok(name))
		return 0;
	if (sec->s_flags & CFG_S_SINGLETON)
		return strcmp(name, "snat") == 0;
	return 1;
}

json_t *
sync_opn_sections(json_t *in, json_t **ignoredp, char *err, size_t errlen)
{
	xmlDoc		*doc;
	xmlNode		*root;
	json_t		*secs = NULL, *rep = NULL, *out = NULL, *s, *it, *ign;
	const char	*name;
	size_t		 i;
	int		 n = 0;

	*ignoredp = json_array();
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewNode(NULL, (const xmlChar *)"opnsense");
	xmlDocSetRootElement(doc, root);
	if (opnxml_fill(root, in, err, errlen) == -1) {
		xmlFreeDoc(doc);
		return NULL;
	}
	/* The importer takes the document over. */
	if (xmlconf_read_doc(doc, &secs, &rep) == -1) {
		snprintf(err, errlen, "out of resources reading the sections");
		goto done;
	}
	/* Rows the forms could not read: nothing is half-applied. */
	err[0] = '\0';
	json_object_foreach(json_object_get(rep, "sections"), name, s)
		json_array_foreach(json_object_get(s, "items"), i, it) {
			if (n++ == 0)
				snprintf(err, errlen, "cannot map, nothing "
				    "changed: %s: %s", cfg_str(it, "item"),
				    cfg_str(it, "message"));
		}
	if (n > 0)
		goto done;
	out = json_object();
	json_object_foreach(secs, name, s)
		if (opnxml_take(name))
			json_object_set(out, name, s);
	ign = json_object_get(rep, "ignored");
	json_array_extend(*ignoredp, ign);
	/* Nothing at all to take: a mistake, not a sync. */
	if (json_object_size(out) == 0) {
		name = "";
		json_object_foreach(in, name, s)
			break;
		snprintf(err, errlen, "unknown section \"%.64s\": nothing "
		    "twinwall maps, nothing changed", opnxml_name_ok(name) ?
		    name : "?");
		json_decref(out);
		out = NULL;
	}
done:
	json_decref(secs);
	json_decref(rep);
	return out;
}
