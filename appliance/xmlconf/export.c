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
