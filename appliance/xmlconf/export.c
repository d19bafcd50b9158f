/*
 * export.c — the stored configuration as a config.xml document.
 *
 * The forms marked XF_EXPORT in map.c are written in table order, rows
 * in the store's order, uuids as attributes, through libxml2's formatter
 * (two-space indent, UTF-8): the same store always gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "log.h"
#include "store.h"
#include "util.h"
#include "xmlconf_int.h"

/* The document's top level, in OPNsense's usual order. */
static const char *const toplevel[] = { "system", "interfaces",
    "staticroutes", "nat", "virtualip", "hasync", "OPNsense", NULL };

static void
export_row(struct xmlconf_exp *x, const struct xmlconf_form *f,
    xmlNode *item, json_t *row)
{
	const struct xmlconf_map *m;

	if (f->f_flags & XF_UUID)
		xmlNewProp(item, (const xmlChar *)"uuid",
		    (const xmlChar *)cfg_str(row, "uuid"));
	for (m = f->f_map; m->m_path != NULL; m++)
		xmlconf_conv_out(x, item, m, row);
	if (f->f_out != NULL)
		f->f_out(x, item, row);
}

static void
export_form(struct xmlconf_exp *x, xmlNode *root, const struct xmlconf_form *f)
{
	const struct cfg_section	*sec = cfg_section(f->f_section);
	json_t				*data, *row;
	xmlNode				*parent, *item;
	const char			*slash, *leaf;
	char				*ppath;
	size_t				 i;

	if (sec == NULL || (data = json_object_get(x->e_secs,
	    sec->s_name)) == NULL)
		return;
	if (sec->s_flags & CFG_S_SINGLETON) {
		export_row(x, f, xmlconf_mkpath(root, f->f_path), data);
		return;
	}
	if (f->f_flags & XF_ANYCHILD) {
		parent = xmlconf_mkpath(root, f->f_path);
		leaf = NULL;
	} else {
		slash = strrchr(f->f_path, '/');
		ppath = xasprintf("%.*s", (int)(slash - f->f_path), f->f_path);
		parent = xmlconf_mkpath(root, ppath);
		free(ppath);
		leaf = slash + 1;
	}
	if (f->f_outall != NULL)
		f->f_outall(x, parent, data);
	json_array_foreach(data, i, row) {
		item = xmlNewChild(parent, NULL, (const xmlChar *)(leaf != NULL ?
		    leaf : cfg_str(row, "name")), NULL);
		export_row(x, f, item, row);
	}
}

char *
xmlconf_export(struct store *st, int with_secrets, size_t *lenp)
{
	const struct xmlconf_form *const	*f;
	struct xmlconf_exp			 x;
	json_t					*snap;
	xmlDoc					*doc;
	xmlNode					*root;
	xmlChar					*mem = NULL;
	char					*out = NULL;
	size_t					 i;
	int					 size = 0;

	if ((snap = cfg_snapshot(st, NULL, with_secrets)) == NULL)
		return NULL;
	memset(&x, 0, sizeof(x));
	x.e_secs = json_object_get(snap, "sections");
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewNode(NULL, (const xmlChar *)"opnsense");
	xmlDocSetRootElement(doc, root);
	for (i = 0; toplevel[i] != NULL; i++)
		xmlNewChild(root, NULL, (const xmlChar *)toplevel[i], NULL);
	for (f = xmlconf_forms(); *f != NULL; f++)
		if ((*f)->f_flags & XF_EXPORT)
			export_form(&x, root, *f);
	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (mem != NULL && size > 0) {
		out = xmalloc((size_t)size + 1);
		memcpy(out, mem, (size_t)size);
		out[size] = '\0';
		*lenp = (size_t)size;
		explicit_bzero(mem, (size_t)size);
	} else
		log_warnx("xmlconf: cannot serialise the document");
	xmlFree(mem);
	xmlFreeDoc(doc);
	json_decref(snap);
	return out;
}

/* Tags OPNsense's XML-RPC client always sends as arrays. */
static int
export_is_list_tag(const char *name, const char *leaf)
{
	static const char *const tags[] = { "rule", "vip", "alias", "route",
	    "gateway_item", "gateway_group", "user", "group", "job", "item", NULL };
	size_t i;

	if (leaf != NULL && strcmp(name, leaf) == 0)
		return 1;
	for (i = 0; tags[i] != NULL; i++)
		if (strcmp(name, tags[i]) == 0)
			return 1;
	return 0;
}

/* An element as OPNsense's XML-RPC client packs it. New value. */
static json_t *
export_struct(xmlNode *n, const char *leaf)
{
	xmlNode		*c;
	xmlAttr		*a;
	json_t		*obj, *attrs = NULL, *v, *prev, *arr;
	xmlChar		*t;
	const char	*name;
	int		 elems = 0;

	for (c = n->children; c != NULL; c = c->next)
		elems += c->type == XML_ELEMENT_NODE;
	if (elems == 0 && n->properties == NULL) {
		t = xmlNodeGetContent(n);
		v = json_string(t != NULL ? (const char *)t : "");
		xmlFree(t);
		return v != NULL ? v : json_string("");
	}
	obj = json_object();
	for (a = n->properties; a != NULL; a = a->next) {
		if (attrs == NULL)
			attrs = json_object();
		t = xmlNodeGetContent((xmlNode *)a);
		json_object_set_new(attrs, (const char *)a->name,
		    json_string(t != NULL ? (const char *)t : ""));
		xmlFree(t);
	}
	if (attrs != NULL)
		json_object_set_new(obj, "@attributes", attrs);
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		name = (const char *)c->name;
		v = export_struct(c, leaf);
		prev = json_object_get(obj, name);
		if (prev == NULL && export_is_list_tag(name, leaf)) {
			arr = json_array();
			json_array_append_new(arr, v);
			json_object_set_new(obj, name, arr);
		} else if (prev == NULL)
			json_object_set_new(obj, name, v);
		else if (json_is_array(prev))
			json_array_append_new(prev, v);
		else {
			arr = json_pack("[O,o]", prev, v);
			json_object_set_new(obj, name, arr);
		}
	}
	return obj;
}

/* The items at path (parent/leaf) as an array. New. */
static json_t *
export_items(xmlNode *root, const char *path, const char *leaf)
{
	char	*ppath = xasprintf("%.*s", (int)(leaf - 1 - path), path);
	xmlNode	*p = xmlconf_path(root, ppath), *c;
	json_t	*arr = json_array();

	for (c = p != NULL ? p->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, leaf) == 0)
			json_array_append_new(arr, export_struct(c, leaf));
	free(ppath);
	return arr;
}

/* Sets v at the slash path in obj, making the structs on the way. */
/* Sets obj's member at path ("system/webgui"); takes v over. */
static void
export_struct_set(json_t *obj, const char *path, json_t *v)
{
	cfg_json_set_path(obj, path, '/', v);
	json_decref(v);
}

json_t *
xmlconf_export_struct(json_t *sections)
{
	const struct xmlconf_form *const	*f;
	const struct cfg_section		*sec;
	struct xmlconf_exp			 x;
	xmlDoc					*doc;
	xmlNode					*root, *n;
	json_t					*out;
	const char				*slash;
	char					*ppath;

	memset(&x, 0, sizeof(x));
	x.e_secs = sections;
	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = xmlNewNode(NULL, (const xmlChar *)"opnsense");
	xmlDocSetRootElement(doc, root);
	for (f = xmlconf_forms(); *f != NULL; f++)
		if ((*f)->f_flags & XF_EXPORT)
			export_form(&x, root, *f);
	out = json_object();
	/* Only the subtrees of the sections given, each whole (an empty
	 * list too: deletions travel), at OPNsense's paths. */
	for (f = xmlconf_forms(); *f != NULL; f++) {
		if (!((*f)->f_flags & XF_EXPORT) ||
		    (sec = cfg_section((*f)->f_section)) == NULL ||
		    json_object_get(sections, sec->s_name) == NULL)
			continue;
		slash = NULL;
		if (!(sec->s_flags & CFG_S_SINGLETON) &&
		    !((*f)->f_flags & XF_ANYCHILD))
			slash = strrchr((*f)->f_path, '/');
		/* In <system> only what OPNsense syncs: its users and
		 * groups, and the webgui (the rest is each node's own). */
		if (strcmp(sec->s_name, "system") == 0) {
			n = xmlconf_path(root, "system/webgui");
			export_struct_set(out, "system/webgui", n != NULL ?
			    export_struct(n, NULL) : json_string(""));
			continue;
		}
		if (slash != NULL && strncmp((*f)->f_path, "system/", 7) == 0) {
			export_struct_set(out, (*f)->f_path, export_items(root,
			    (*f)->f_path, slash + 1));
			continue;
		}
		if (slash == NULL)
			ppath = xstrdup((*f)->f_path);
		else
			ppath = xasprintf("%.*s", (int)(slash - (*f)->f_path),
			    (*f)->f_path);
		n = xmlconf_path(root, ppath);
		export_struct_set(out, ppath, n != NULL ?
		    export_struct(n, slash != NULL ? slash + 1 : NULL) :
		    json_string(""));
		free(ppath);
	}
	xmlFreeDoc(doc);
	return out;
}
