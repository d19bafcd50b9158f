/*
 * import.c — config.xml into the store: read every form of map.c into
 * model rows, then one cfg_restore() of the whole snapshot.
 *
 * Rows are handed over in the order the store reads them back (sequence,
 * name or uuid), so that the messages cfg_restore keys by row index —
 * from its field pass and from its reference pass alike — name the item
 * they came from. With XMLCONF_PARTIAL the rows named are dropped and
 * the rest is tried again, until it passes or nothing is left to drop.
 */
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "store.h"
#include "util.h"
#include "xmlconf_int.h"

struct item {
	json_t		*it_row;	/* model row */
	char		*it_origin;	/* "filter/rule[3] (Allow DNS)" */
	int		 it_rank;
	long		 it_pos;	/* document order over all forms */
	long		 it_seq;	/* sort keys */
	const char	*it_key;
	int		 it_drop;
};

struct secbuf {
	const struct cfg_section *sb_sec;
	struct item	*sb_v;
	size_t		 sb_n, sb_cap;
	int		 sb_present;	/* singleton: read from the document */
	int		 sb_found;	/* the document holds a form's list */
	int		 sb_dropped;	/* left out: the stored one stays */
	json_t		*sb_items;	/* skipped rows */
	size_t		 sb_nread;	/* of which skipped while reading */
	json_t		*sb_notes;	/* values dropped from rows */
};

struct run {
	struct xmlconf_imp	 r_imp;		/* first: xmlconf_note() casts */
	struct secbuf		*r_secs;
	size_t			 r_nsecs;
	struct secbuf		*r_cur;
	long			 r_pos;
	int			 r_dry;		/* finding every error only */
};

static struct secbuf *
run_sec(struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->r_nsecs; i++)
		if (strcmp(r->r_secs[i].sb_sec->s_name, name) == 0)
			return &r->r_secs[i];
	return NULL;
}

static json_t *
entry(const char *item, const char *reason, const char *field,
    const char *msg)
{
	json_t *o = json_pack("{s:s,s:s,s:s}", "item", item, "reason", reason,
	    "message", msg);

	if (field != NULL && *field != '\0')
		json_object_set_new(o, "field", json_string(field));
	return o;
}

void
xmlconf_note(struct xmlconf_imp *imp, const char *field, const char *reason,
    const char *fmt, ...)
{
	struct run	*r = (struct run *)imp;
	char		 msg[256];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->r_cur != NULL)
		json_array_append_new(r->r_cur->sb_notes, entry(
		    imp->i_origin ? imp->i_origin : "", reason, field, msg));
}

static void
item_add(struct secbuf *sb, json_t *row, const char *origin, int rank,
    long pos)
{
	struct item *it;

	if (sb->sb_n == sb->sb_cap) {
		sb->sb_cap = sb->sb_cap ? sb->sb_cap * 2 : 16;
		sb->sb_v = xrealloc(sb->sb_v, sb->sb_cap * sizeof(*sb->sb_v));
	}
	it = &sb->sb_v[sb->sb_n++];
	memset(it, 0, sizeof(*it));
	it->it_row = row;
	it->it_origin = xstrdup(origin);
	it->it_rank = rank;
	it->it_pos = pos;
}

/* "filter/rule[3] (Allow DNS)": where an item came from. New string. */
static char *
origin_of(const struct xmlconf_form *f, const char *elem, size_t n,
    xmlNode *item)
{
	static const char *const names[] = { "name", "descr", "description",
	    NULL };
	char	*d = NULL, *s;
	size_t	 i;

	for (i = 0; names[i] != NULL && d == NULL; i++)
		d = xmlconf_get(item, names[i]);
	if (elem != NULL)
		s = xasprintf("%s/%s", f->f_path, elem);
	else if (n == 0)
		s = xstrdup(f->f_path);
	else if (d != NULL && *d != '\0')
		s = xasprintf("%s[%zu] (%.60s)", f->f_path, n, d);
	else
		s = xasprintf("%s[%zu]", f->f_path, n);
	free(d);
	return s;
}

/* Reads one item with its form. The row is kept, or skipped and said. */
static int
read_item(struct run *r, const struct xmlconf_form *f, xmlNode *node,
    size_t n)
{
	const struct xmlconf_map	*m;
	const char			*why = NULL, *const *u;
	xmlChar				*uuid;
	char				*origin, *v;
	json_t				*row = json_object();
	int				 rc = 0, anychild = f->f_flags & XF_ANYCHILD;

	origin = origin_of(f, anychild ? (const char *)node->name : NULL, n,
	    node);
	r->r_imp.i_origin = origin;
	r->r_imp.i_rank = 0;
	if ((f->f_flags & XF_UUID) && (uuid = xmlGetProp(node,
	    (const xmlChar *)"uuid")) != NULL) {
		json_object_set_new(row, "uuid", json_string((char *)uuid));
		xmlFree(uuid);
	}
	if (anychild)
		json_object_set_new(row, "name",
		    json_string((const char *)node->name));
	for (u = f->f_unsupported; u != NULL && *u != NULL && rc == 0; u++) {
		v = xmlconf_get(node, *u);
		if (v != NULL && *v != '\0' && strcmp(v, "0") != 0) {
			snprintf(r->r_imp.i_why, sizeof(r->r_imp.i_why),
			    "<%s> has no twinwall equivalent", *u);
			why = r->r_imp.i_why;
			rc = 1;
		}
		free(v);
	}
	for (m = f->f_map; rc == 0 && m->m_path != NULL; m++)
		if (m->m_flags & XM_IN)
			rc = xmlconf_conv_in(&r->r_imp, node, r->r_cur->sb_sec,
			    m, row, &why);
	if (rc == 0 && f->f_in != NULL)
		rc = f->f_in(&r->r_imp, node, row, &why);
	if (rc == 0) {
		if (r->r_cur->sb_sec->s_flags & CFG_S_SINGLETON) {
			json_decref(r->r_cur->sb_v[0].it_row);
			r->r_cur->sb_v[0].it_row = row;
			r->r_cur->sb_present = 1;
		} else
			item_add(r->r_cur, row, origin, r->r_imp.i_rank,
			    r->r_pos++);
		row = NULL;
	} else if (rc == 1)
		json_array_append_new(r->r_cur->sb_items, entry(origin,
		    "unsupported", NULL, why ? why : "not supported"));
	json_decref(row);
	free(origin);
	r->r_imp.i_origin = NULL;
	return rc == -1 ? -1 : 0;
}

static int
read_form(struct run *r, xmlNode *root, const struct xmlconf_form *f)
{
	xmlNode		*parent, *c;
	char		 ppath[256];
	const char	*leaf, *slash;
	size_t		 n = 0;

	if ((r->r_cur = run_sec(r, f->f_section)) == NULL)
		return -1;
	if (r->r_cur->sb_sec->s_flags & CFG_S_SINGLETON) {
		c = xmlconf_path(root, f->f_path);
		return c != NULL ? read_item(r, f, c, 0) : 0;
	}
	if (f->f_flags & XF_ANYCHILD) {
		parent = xmlconf_path(root, f->f_path);
		leaf = NULL;
	} else {
		slash = strrchr(f->f_path, '/');
		snprintf(ppath, sizeof(ppath), "%.*s", (int)(slash - f->f_path),
		    f->f_path);
		parent = xmlconf_path(root, ppath);
		leaf = slash + 1;
	}
	if (parent != NULL)
		r->r_cur->sb_found = 1;
	for (c = parent != NULL ? parent->children : NULL; c != NULL;
	    c = c->next) {
		if (c->type != XML_ELEMENT_NODE || (leaf != NULL &&
		    strcmp((const char *)c->name, leaf) != 0))
			continue;
		if (read_item(r, f, c, ++n) == -1)
			return -1;
	}
	return 0;
}

/* Elements no form reads, down to where the forms' items start. */
static void
find_ignored(xmlNode *n, const char *prefix, json_t *out)
{
	const struct xmlconf_form *const	*f;
	xmlNode					*c;
	char					*p;
	size_t					 k;
	int					 under, stop;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		p = *prefix ? xasprintf("%s/%s", prefix, c->name) :
		    xstrdup((const char *)c->name);
		under = stop = 0;
		k = strlen(p);
		for (f = xmlconf_forms(); *f != NULL; f++) {
			const char *fp = (*f)->f_path, *slash;

			if (strncmp(fp, p, k) != 0 || (fp[k] != '\0' &&
			    fp[k] != '/'))
				continue;
			under = 1;
			slash = strrchr(fp, '/');
			if (fp[k] == '\0' || (slash != NULL &&
			    (size_t)(slash - fp) == k))
				stop = 1;
		}
		if (!under) {
			if (json_array_size(out) < 200)
				json_array_append_new(out, json_string(p));
		} else if (!stop)
			find_ignored(c, p, out);
		free(p);
	}
}

/* uuids: kept when valid and unique in the section, else new. */
static void
fix_uuids(struct run *r, struct secbuf *sb)
{
	json_t		*seen = json_object();
	char		 u[UUID_LEN + 1];
	const char	*have;
	size_t		 i;

	for (i = 0; i < sb->sb_n; i++) {
		have = cfg_str(sb->sb_v[i].it_row, "uuid");
		if (util_is_uuid(have) && json_object_get(seen, have) == NULL) {
			json_object_set_new(seen, have, json_true());
			continue;
		}
		if (*have != '\0') {
			r->r_cur = sb;
			r->r_imp.i_origin = sb->sb_v[i].it_origin;
			xmlconf_note(&r->r_imp, "uuid", util_is_uuid(have) ?
			    "duplicate" : "invalid", "uuid %.40s %s; a new one "
			    "was given", have, util_is_uuid(have) ?
			    "is used twice" : "is not a uuid");
			r->r_imp.i_origin = NULL;
		}
		do
			util_uuid(u);
		while (json_object_get(seen, u) != NULL);
		json_object_set_new(seen, u, json_true());
		json_object_set_new(sb->sb_v[i].it_row, "uuid", json_string(u));
	}
	json_decref(seen);
}

static int
cmp_pos(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;

	if (x->it_rank != y->it_rank)
		return x->it_rank < y->it_rank ? -1 : 1;
	return x->it_pos < y->it_pos ? -1 : x->it_pos > y->it_pos;
}

/* Rows without a sequence follow the highest one, in rank/doc order. */
static void
fix_sequences(struct secbuf *sb)
{
	struct item	**todo;
	const char	*s;
	char		*end, num[32];
	long		 max = 0, v;
	size_t		 i, n = 0;

	todo = xcalloc(sb->sb_n + 1, sizeof(*todo));
	for (i = 0; i < sb->sb_n; i++) {
		s = cfg_str(sb->sb_v[i].it_row, "sequence");
		errno = 0;
		v = strtol(s, &end, 10);
		if (*s == '\0')
			todo[n++] = &sb->sb_v[i];
		else if (errno == 0 && *end == '\0' && v > max && v <= 999999)
			max = v;
	}
	qsort(todo, n, sizeof(*todo), cmp_pos);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%ld", max + 1 + (long)i > 999999 ?
		    999999L : max + 1 + (long)i);
		json_object_set_new(todo[i]->it_row, "sequence",
		    json_string(num));
	}
	free(todo);
}

static int
cmp_store(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->it_seq != y->it_seq)
		return x->it_seq < y->it_seq ? -1 : 1;
	/* Equal sequences: the document's order becomes the order of
	 * creation, which the store keeps (cfg_order_by). */
	if (x->it_key == NULL)
		return cmp_pos(&x, &y);
	if ((c = strcmp(x->it_key, y->it_key)) != 0)
		return c;
	return strcmp(cfg_str(x->it_row, "uuid"), cfg_str(y->it_row, "uuid"));
}

/* The order cfg_rows_where() reads: sequence, creation | name | uuid. */
static void
sort_store(struct secbuf *sb)
{
	const struct cfg_section	*sec = sb->sb_sec;
	struct item			*it;
	size_t				 i;

	for (i = 0; i < sb->sb_n; i++) {
		it = &sb->sb_v[i];
		it->it_seq = 0;
		if (sec->s_flags & CFG_S_SEQUENCE) {
			it->it_seq = strtol(cfg_str(it->it_row, "sequence"),
			    NULL, 10);
			it->it_key = NULL;
		} else if (sec->s_namefield != NULL)
			it->it_key = cfg_str(it->it_row, sec->s_namefield);
		else
			it->it_key = cfg_str(it->it_row, "uuid");
	}
	if (sb->sb_n > 1)
		qsort(sb->sb_v, sb->sb_n, sizeof(*sb->sb_v), cmp_store);
}

static json_t *
build_snapshot(struct run *r)
{
	json_t	*secs = json_object(), *rows;
	size_t	 i, k;

	for (i = 0; i < r->r_nsecs; i++) {
		struct secbuf *sb = &r->r_secs[i];

		if (sb->sb_dropped)
			continue;
		if (sb->sb_sec->s_flags & CFG_S_SINGLETON) {
			json_object_set(secs, sb->sb_sec->s_name,
			    sb->sb_v[0].it_row);
			continue;
		}
		rows = json_array();
		for (k = 0; k < sb->sb_n; k++)
			json_array_append(rows, sb->sb_v[k].it_row);
		json_object_set_new(secs, sb->sb_sec->s_name, rows);
	}
	return json_pack("{s:i,s:o}", "format", 1, "sections", secs);
}

static const char *
reason_of(const struct cfg_section *sec, const char *field, const char *msg)
{
	const struct cfg_field *f = cfg_field(sec, field);

	if (strstr(msg, "already exists") != NULL ||
	    strstr(msg, "already used") != NULL ||
	    strstr(msg, "UNIQUE constraint") != NULL)
		return "duplicate";
	if (f != NULL && (f->f_type == CFG_REF || f->f_type == CFG_ENDPOINT ||
	    f->f_type == CFG_PORT || f->f_type == CFG_TARGET) &&
	    strncmp(msg, "no ", 3) == 0)
		return "reference";
	return "invalid";
}

/*
 * Turns cfg_restore's messages into report entries. partial: drops the
 * rows (or singleton fields, or sections) they name. Returns how many
 * things were dropped.
 */
static int
sort_errors(struct run *r, json_t *errs, int partial)
{
	struct secbuf	*sb;
	const char	*key, *msg, *dot, *field;
	char		 name[64], *end, *m;
	const char	*kept = r->r_dry ? "not imported" :
			    "the stored section is kept";
	json_t		*v;
	long		 idx;
	int		 dropped = 0;

	json_object_foreach(errs, key, v) {
		msg = json_string_value(v) ? json_string_value(v) : "invalid";
		if (strncmp(key, "import.", 7) == 0 &&
		    (sb = run_sec(r, key + 7)) != NULL) {
			m = xasprintf("%s; %s", msg, partial ? kept :
			    "nothing imported");
			json_array_append_new(sb->sb_items, entry(
			    sb->sb_sec->s_name, "invalid", NULL, m));
			free(m);
			if (partial && !sb->sb_dropped) {
				sb->sb_dropped = 1;
				dropped++;
			}
			continue;
		}
		dot = strchr(key, '.');
		if (dot == NULL || (size_t)(dot - key) >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(dot - key), key);
		errno = 0;
		idx = strtol(dot + 1, &end, 10);
		if ((sb = run_sec(r, name)) == NULL || *end != '.' || idx < 0 ||
		    (size_t)idx >= sb->sb_n || sb->sb_dropped)
			continue;
		field = end + 1;
		if (!(sb->sb_sec->s_flags & CFG_S_SINGLETON)) {
			if (sb->sb_v[idx].it_drop)
				continue;	/* first message explains */
			json_array_append_new(sb->sb_items, entry(
			    sb->sb_v[idx].it_origin, reason_of(sb->sb_sec,
			    field, msg), field, msg));
			sb->sb_v[idx].it_drop = 1;
			dropped++;
			continue;
		}
		if (!partial)
			json_array_append_new(sb->sb_items, entry(
			    sb->sb_v[0].it_origin, reason_of(sb->sb_sec, field,
			    msg), field, msg));
		else if (json_object_get(sb->sb_v[0].it_row, field) != NULL) {
			json_array_append_new(r->r_dry ? sb->sb_items :
			    sb->sb_notes, entry(
			    sb->sb_v[0].it_origin, reason_of(sb->sb_sec, field,
			    msg), field, msg));
			json_object_del(sb->sb_v[0].it_row, field);
			dropped++;
		} else {
			m = xasprintf("%s; %s", msg, kept);
			json_array_append_new(sb->sb_items, entry(
			    sb->sb_v[0].it_origin, "invalid", field, m));
			free(m);
			sb->sb_dropped = 1;
			dropped++;
		}
	}
	return dropped;
}

static void
drop_marked(struct secbuf *sb)
{
	size_t i, o = 0;

	for (i = 0; i < sb->sb_n; i++) {
		if (sb->sb_v[i].it_drop) {
			json_decref(sb->sb_v[i].it_row);
			free(sb->sb_v[i].it_origin);
			continue;
		}
		sb->sb_v[o++] = sb->sb_v[i];
	}
	sb->sb_n = o;
}

/*
 * cfg_restore() until it passes; with partial, the rows it names are
 * dropped before each new round. *snapp receives the last snapshot.
 */
static int
restore_loop(struct run *r, struct cfg_ctx *ctx, int partial,
    const char *descr, json_t **snapp, int *rounds)
{
	struct cfg_errors	 e;
	size_t			 i;
	int			 rc, more;

	for (;;) {
		for (i = 0; i < r->r_nsecs; i++)
			sort_store(&r->r_secs[i]);
		json_decref(*snapp);
		*snapp = build_snapshot(r);
		cfg_errors_init(&e, "import");
		rc = cfg_restore(ctx, *snapp, descr, &e);
		(*rounds)++;
		more = (rc == CFG_EINVAL || rc == CFG_EREF) &&
		    sort_errors(r, e.e_obj, partial) > 0 && partial;
		cfg_errors_free(&e);
		if (!more)
			return rc == CFG_EREF ? CFG_EINVAL : rc;
		for (i = 0; i < r->r_nsecs; i++)
			drop_marked(&r->r_secs[i]);
	}
}

/*
 * cfg_restore stops at its first pass with errors; to report every
 * invalid item of an all-or-nothing import, the partial rounds run
 * against a scratch store, which is thrown away.
 */
static void
find_all_errors(struct run *r, const char *descr)
{
	static const char *const files[] = { STORE_DB_NAME,
	    STORE_DB_NAME "-wal", STORE_DB_NAME "-shm" };
	struct cfg_ctx	 ctx;
	const char	*tmp = getenv("TMPDIR");
	char		*dir, *p, err[256];
	json_t		*snap = NULL;
	size_t		 i, k;
	int		 rounds = 0;

	dir = xasprintf("%s/twinwall-xmlconf.XXXXXX", tmp && *tmp ? tmp :
	    "/tmp");
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_user = "import-xml (check)";
	if ((ctx.c_st = store_open(dir, err, sizeof(err))) != NULL) {
		for (i = 0; i < r->r_nsecs; i++) {
			while (json_array_size(r->r_secs[i].sb_items) >
			    r->r_secs[i].sb_nread)
				json_array_remove(r->r_secs[i].sb_items,
				    json_array_size(r->r_secs[i].sb_items) - 1);
			for (k = 0; k < r->r_secs[i].sb_n; k++)
				r->r_secs[i].sb_v[k].it_drop = 0;
		}
		r->r_dry = 1;
		restore_loop(r, &ctx, 1, descr, &snap, &rounds);
		r->r_dry = 0;
		json_decref(snap);
		store_close(ctx.c_st);
	}
	for (i = 0; i < nitems(files); i++) {
		p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(dir);
}

static json_t *
report_new(const char *name, int partial)
{
	return json_pack("{s:s,s:s,s:b,s:o,s:[]}", "result", "failed",
	    "document", name, "partial", partial, "sections", json_object(),
	    "ignored");
}

static void
report_sections(struct run *r, json_t *rep, int ok)
{
	json_t	*secs = json_object_get(rep, "sections");
	size_t	 i, n;

	for (i = 0; i < r->r_nsecs; i++) {
		struct secbuf *sb = &r->r_secs[i];

		if (sb->sb_sec->s_flags & CFG_S_SINGLETON)
			n = sb->sb_present && !sb->sb_dropped;
		else
			n = sb->sb_dropped ? 0 : sb->sb_n;
		json_object_set_new(secs, sb->sb_sec->s_name, json_pack(
		    "{s:I,s:I,s:O,s:O}", "imported", (json_int_t)(ok ? n : 0),
		    "skipped", (json_int_t)json_array_size(sb->sb_items),
		    "items", sb->sb_items, "notes", sb->sb_notes));
	}
}

static void
run_free(struct run *r)
{
	size_t i, k;

	for (i = 0; i < r->r_nsecs; i++) {
		for (k = 0; k < r->r_secs[i].sb_n; k++) {
			json_decref(r->r_secs[i].sb_v[k].it_row);
			free(r->r_secs[i].sb_v[k].it_origin);
		}
		free(r->r_secs[i].sb_v);
		json_decref(r->r_secs[i].sb_items);
		json_decref(r->r_secs[i].sb_notes);
	}
	free(r->r_secs);
	if (r->r_imp.i_doc != NULL)
		xmlFreeDoc(r->r_imp.i_doc);
}

static void
run_init(struct run *r, xmlDoc *doc)
{
	const struct cfg_section *const	*s;
	struct secbuf			*sb;

	memset(r, 0, sizeof(*r));
	r->r_imp.i_doc = doc;
	for (s = cfg_sections(); *s != NULL; s++)
		if (!((*s)->s_flags & CFG_S_NOEXPORT))
			r->r_nsecs++;
	r->r_secs = xcalloc(r->r_nsecs, sizeof(*r->r_secs));
	sb = r->r_secs;
	for (s = cfg_sections(); *s != NULL; s++) {
		if ((*s)->s_flags & CFG_S_NOEXPORT)
			continue;
		sb->sb_sec = *s;
		sb->sb_items = json_array();
		sb->sb_notes = json_array();
		/* A singleton the document lacks gets the model defaults. */
		if ((*s)->s_flags & CFG_S_SINGLETON)
			item_add(sb, json_object(), (*s)->s_name, 0, 0);
		sb++;
	}
}

int
xmlconf_import(struct cfg_ctx *ctx, const char *buf, size_t len, size_t cap,
    int flags, const char *name, json_t **reportp)
{
	const struct xmlconf_form *const	*f;
	struct run				 r;
	json_t					*rep, *snap = NULL;
	xmlDoc					*doc;
	char					 err[320], hash[65], *descr;
	size_t					 i;
	int					 partial = flags & XMLCONF_PARTIAL;
	int					 rc, rounds = 0;

	rep = report_new(name, partial);
	*reportp = rep;
	if ((doc = xmlconf_parse(buf, len, cap, err, sizeof(err))) == NULL) {
		json_object_set_new(rep, "message", json_string(err));
		json_object_set_new(rep, "error", json_string("parse"));
		return -1;
	}
	run_init(&r, doc);
	find_ignored(xmlDocGetRootElement(doc), "",
	    json_object_get(rep, "ignored"));
	for (f = xmlconf_forms(); *f != NULL; f++)
		if (read_form(&r, xmlDocGetRootElement(doc), *f) == -1)
			goto fail;
	for (i = 0; i < r.r_nsecs; i++) {
		r.r_secs[i].sb_nread = json_array_size(r.r_secs[i].sb_items);
		if (r.r_secs[i].sb_sec->s_flags & CFG_S_SINGLETON)
			continue;
		fix_uuids(&r, &r.r_secs[i]);
		if (r.r_secs[i].sb_sec->s_flags & CFG_S_SEQUENCE)
			fix_sequences(&r.r_secs[i]);
	}
	descr = xasprintf("import of %s", name);
	rc = restore_loop(&r, ctx, partial, descr, &snap, &rounds);
	if (!partial && rc == CFG_EINVAL)
		find_all_errors(&r, descr);
	free(descr);
	report_sections(&r, rep, rc == 0);
	json_object_set_new(rep, "rounds", json_integer(rounds));
	if (rc == 0) {
		/* The hash of what the store now holds, as status shows it. */
		json_decref(snap);
		if ((snap = cfg_snapshot(ctx->c_st, NULL, 1)) != NULL)
			cfg_hash(snap, hash);
		else
			hash[0] = '\0';
		json_object_set_new(rep, "result", json_string("imported"));
		json_object_set_new(rep, "config_hash", json_string(hash));
		json_object_set_new(rep, "message", json_string(partial ?
		    "imported what is valid" : "imported"));
	} else
		json_object_set_new(rep, "message", json_string(rc ==
		    CFG_ESTORE ? "the store failed; nothing changed" :
		    partial ? "nothing valid to import; nothing changed" :
		    "invalid items, nothing changed (--partial imports the "
		    "rest)"));
	json_decref(snap);
	run_free(&r);
	return rc == 0 ? 0 : -1;
fail:
	json_object_set_new(rep, "message", json_string("out of resources "
	    "reading the document; nothing changed"));
	run_free(&r);
	return -1;
}

int
xmlconf_read_doc(struct _xmlDoc *doc, json_t **sectionsp, json_t **reportp)
{
	const struct xmlconf_form *const	*f;
	struct run				 r;
	json_t					*rep, *secs, *rows;
	size_t					 i, k;

	rep = report_new("XML-RPC sections", 0);
	*reportp = rep;
	*sectionsp = NULL;
	run_init(&r, doc);
	find_ignored(xmlDocGetRootElement(doc), "",
	    json_object_get(rep, "ignored"));
	for (f = xmlconf_forms(); *f != NULL; f++)
		if (read_form(&r, xmlDocGetRootElement(doc), *f) == -1) {
			run_free(&r);
			return -1;
		}
	secs = json_object();
	for (i = 0; i < r.r_nsecs; i++) {
		struct secbuf *sb = &r.r_secs[i];

		sb->sb_nread = json_array_size(sb->sb_items);
		if (sb->sb_sec->s_flags & CFG_S_SINGLETON) {
			if (sb->sb_present)
				json_object_set(secs, sb->sb_sec->s_name,
				    sb->sb_v[0].it_row);
			continue;
		}
		if (!sb->sb_found)
			continue;
		fix_uuids(&r, sb);
		if (sb->sb_sec->s_flags & CFG_S_SEQUENCE)
			fix_sequences(sb);
		sort_store(sb);
		rows = json_array();
		for (k = 0; k < sb->sb_n; k++)
			json_array_append(rows, sb->sb_v[k].it_row);
		json_object_set_new(secs, sb->sb_sec->s_name, rows);
	}
	report_sections(&r, rep, 1);
	run_free(&r);
	*sectionsp = secs;
	return 0;
}

int
xmlconf_import_file(struct cfg_ctx *ctx, const char *path, int flags,
    json_t **reportp)
{
	char	*buf, msg[300];
	size_t	 len;
	FILE	*fp;
	long	 size;
	int	 rc;

	if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) == -1 ||
	    (size = ftell(fp)) < 0) {
		snprintf(msg, sizeof(msg), "line 0: %s", strerror(errno));
		if (fp != NULL)
			fclose(fp);
		goto err;
	}
	if ((unsigned long)size > XMLCONF_MAX_FILE) {
		fclose(fp);
		snprintf(msg, sizeof(msg), "line 0: file of %ld bytes "
		    "exceeds the limit of %u bytes", size, XMLCONF_MAX_FILE);
		goto err;
	}
	rewind(fp);
	buf = xmalloc((size_t)size + 1);
	len = fread(buf, 1, (size_t)size, fp);
	fclose(fp);
	rc = xmlconf_import(ctx, buf, len, XMLCONF_MAX_FILE, flags, path,
	    reportp);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
err:
	*reportp = report_new(path, flags & XMLCONF_PARTIAL);
	json_object_set_new(*reportp, "message", json_string(msg));
	json_object_set_new(*reportp, "error", json_string("file"));
	return -1;
}
