/*
 * xmlconf_int.h — internals of the config.xml mapping, private to
 * appliance/xmlconf/.
 *
 * The mapping is a table of forms (map.c): each names where a section's
 * items sit in config.xml and lists {element path, model field,
 * converter}. Import (import.c) and export (export.c) walk the same
 * tables; converters (conv.c) know both directions.
 */
#ifndef TW_XMLCONF_INT_H
#define TW_XMLCONF_INT_H

#include <libxml/tree.h>
#include <jansson.h>

#include "config.h"
#include "xmlconf.h"

enum xmlconf_conv {
	XC_TEXT,	/* element text; empty where "" is no valid value
			   means the model default */
	XC_LIST,	/* repeated elements <-> a comma list */
	XC_LINES,	/* one element, items one per line <-> a comma list */
	XC_FLAG,	/* legacy isset(): present (not "0") = 1, absent = 0 */
	XC_BOOL,	/* MVC boolean text "0"/"1"; absent = model default */
	XC_NOTFLAG,	/* legacy <disabled> <-> the model's "enabled" */
	XC_NOTBOOL,	/* MVC <enabled> <-> the model's "disabled" */
	XC_IPADDR,	/* interface address: "" <-> "none" */
	XC_ENDPOINT,	/* <source>: any|network|address, not, port */
	XC_ENDPOINT_NP,	/* the same without the port (outbound NAT) */
	XC_PROTO,	/* protocol, lower case, ipv6-icmp = icmpv6 */
	XC_STATETYPE,	/* "keep state" = keep */
	XC_CRONCMD,	/* configd action <-> the job's command */
	XC_SNATTARGET,	/* outbound NAT target: "" = <interface>ip */
	XC_ASSOC,	/* port forward associated-rule-id <-> filter_rule */
	XC_SYNCITEMS,	/* hasync syncitems, unknown items dropped */
};

/* Map row flags. */
#define XM_IN		0x01	/* read on import */
#define XM_OUT		0x02	/* written on export */
#define XM_BOTH		(XM_IN | XM_OUT)

struct xmlconf_map {
	const char		*m_path;	/* under the item: "webgui/port" */
	const char		*m_field;	/* model field (endpoint: prefix) */
	enum xmlconf_conv	 m_conv;
	unsigned		 m_flags;
};

struct xmlconf_imp;
struct xmlconf_exp;

/* Form flags. */
#define XF_EXPORT	0x01	/* the shape export writes */
#define XF_UUID		0x02	/* items carry uuid="" */
#define XF_ANYCHILD	0x04	/* every child of f_path is an item, named
				   by its element (interfaces) */

struct xmlconf_form {
	const char		*f_name;	/* in the report */
	const char		*f_section;	/* model section */
	const char		*f_path;	/* from <opnsense>: "filter/rule" */
	const struct xmlconf_map *f_map;
	unsigned		 f_flags;
	/* Elements that change what a row means and have no counterpart:
	 * a row using one (not empty, not "0") is skipped. */
	const char *const	*f_unsupported;
	/*
	 * After the map: 0 keep, 1 skip (*why set, static or imp-owned),
	 * -1 failure.
	 */
	int			(*f_in)(struct xmlconf_imp *, xmlNode *,
				    json_t *row, const char **why);
	/* Export: extra elements of an item (users: uid, groupname). */
	void			(*f_out)(struct xmlconf_exp *, xmlNode *,
				    json_t *row);
	/* Export: written once before the items (users: the group). */
	void			(*f_outall)(struct xmlconf_exp *, xmlNode *,
				    json_t *rows);
};

/* map.c: the forms, in import order; NULL-terminated. */
const struct xmlconf_form *const *xmlconf_forms(void);

/* An import in progress, as converters see it (import.c embeds it). */
struct xmlconf_imp {
	xmlDoc			*i_doc;
	const char		*i_origin;	/* item being read */
	int			 i_rank;	/* set by f_in: order of rows
						   without a sequence */
	char			 i_why[160];	/* room for an f_in reason */
};

/* An export in progress (export.c). */
struct xmlconf_exp {
	json_t			*e_secs;	/* the snapshot's sections */
	int			 e_next_uid;	/* users: uids 2000... */
};

/* import.c: a note on the item being read (a value that was dropped). */
void	 xmlconf_note(struct xmlconf_imp *, const char *field,
	    const char *reason, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* conv.c */
/* The first element child of n named name, or NULL. Borrowed. */
xmlNode	*xmlconf_child(xmlNode *n, const char *name);
/* Follows "a/b/c" from n; NULL when any step is missing. Borrowed. */
xmlNode	*xmlconf_path(xmlNode *n, const char *path);
/* The text of an element; a new string the caller frees ("" if none). */
char	*xmlconf_text(xmlNode *n);
/* Text of the child at path, or NULL when absent; new string. */
char	*xmlconf_get(xmlNode *n, const char *path);
/* Applies one map row to row. 0 ok, 1 skip the item (*why), -1. */
int	 xmlconf_conv_in(struct xmlconf_imp *, xmlNode *item,
	    const struct cfg_section *, const struct xmlconf_map *,
	    json_t *row, const char **why);
/* Writes one map row of row under item. */
void	 xmlconf_conv_out(struct xmlconf_exp *, xmlNode *item,
	    const struct xmlconf_map *, json_t *row);
/* Finds or creates the element path under n ("a/b"). Borrowed. */
xmlNode	*xmlconf_mkpath(xmlNode *n, const char *path);
/* Appends <name>text</name> (<name/> for ""). Borrowed. */
xmlNode	*xmlconf_add(xmlNode *parent, const char *name, const char *text);

/* parse.c: a checked document, or NULL with "line N: reason" in err.
 * The caller frees the document with xmlFreeDoc(). */
xmlDoc	*xmlconf_parse(const char *buf, size_t len, size_t cap, char *err,
	    size_t errlen);

#endif
