/*
 * pack.c — which sections a sync carries and in which shape, on both
 * sides: the master's view (nosync rows dropped, advskew + 100), the
 * backup's merge (its own nosync rows, VIPs without vhid and identity
 * fields survive) and the hash both compute over the same view.
 *
 * The rules follow OPNsense's rc.filter_synchronize and
 * restore_config_section_xmlrpc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "store.h"
#include "sync_int.h"
#include "util.h"

/*
 * Fields of a singleton that name the node itself: never sent, never
 * replaced, left out of the hash (OPNsense's webgui item syncs
 * system.webgui only, not the host name).
 */
static const struct {
	const char		*l_section;
	const char *const	 l_fields[4];
} sync_local_fields[] = {
	{ "system", { "hostname", "domain", NULL } },
};

static int
sync_is_local_field(const char *section, const char *field)
{
	size_t i, j;

	for (i = 0; i < nitems(sync_local_fields); i++) {
		if (strcmp(sync_local_fields[i].l_section, section) != 0)
			continue;
		for (j = 0; sync_local_fields[i].l_fields[j] != NULL; j++)
			if (strcmp(sync_local_fields[i].l_fields[j],
			    field) == 0)
				return 1;
	}
	return 0;
}

/* name itself when it is a plain identifier, for messages. Borrowed. */
static const char *
sync_safe(const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p) == NULL)
			return "(unprintable)";
	return name;
}

/* 1 when syncitems (comma-separated) holds item. */
static int
sync_list_has(const char *list, const char *item)
{
	size_t		 n = strlen(item);
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

json_t *
sync_sections_of(const char *syncitems)
{
	const struct cfg_section *const	*s;
	json_t				*names = json_array();

	for (s = cfg_sections(); *s != NULL; s++)
		if ((*s)->s_syncitem != NULL &&
		    !((*s)->s_flags & CFG_S_NOEXPORT) &&
		    sync_list_has(syncitems, (*s)->s_syncitem))
			json_array_append_new(names,
			    json_string((*s)->s_name));
	return names;
}

int
sync_section_ok(const char *name)
{
	const struct cfg_section *sec = cfg_section(name);

	return sec != NULL && sec->s_syncitem != NULL &&
	    !(sec->s_flags & CFG_S_NOEXPORT);
}

/* 1 when a row stays on its node: nosync, or a VIP without vhid. */
static int
sync_row_local(const char *section, json_t *row)
{
	if (strcmp(cfg_str(row, "nosync"), "1") == 0)
		return 1;
	return strcmp(section, "vips") == 0 && *cfg_str(row, "vhid") == '\0';
}

/* advskew = min(advskew + 100, 254) on a CARP VIP, in place. */
static void
sync_advskew(json_t *row)
{
	char	buf[24];
	long	v;

	if (strcmp(cfg_str(row, "mode"), "carp") != 0 ||
	    *cfg_str(row, "advskew") == '\0')
		return;
	v = cfg_int(row, "advskew", 0) + SYNC_ADVSKEW_ADD;
	if (v > SYNC_ADVSKEW_MAX)
		v = SYNC_ADVSKEW_MAX;
	snprintf(buf, sizeof(buf), "%ld", v);
	json_object_set_new(row, "advskew", json_string(buf));
}

json_t *
sync_view(json_t *sections, json_t *which, int flags)
{
	const struct cfg_section	*sec;
	json_t				*view = json_object(), *data, *out;
	json_t				*row, *v, *copy;
	const char			*name, *field;
	size_t				 i, k;

	json_array_foreach(which, k, v) {
		name = json_string_value(v);
		if (name == NULL || (sec = cfg_section(name)) == NULL)
			continue;
		data = json_object_get(sections, name);
		if (sec->s_flags & CFG_S_SINGLETON) {
			out = json_object();
			json_object_foreach(data, field, row)
				if (strcmp(field, "uuid") != 0 &&
				    !sync_is_local_field(name, field))
					json_object_set(out, field, row);
			json_object_set_new(view, name, out);
			continue;
		}
		out = json_array();
		json_array_foreach(data, i, row) {
			if (sync_row_local(name, row))
				continue;
			if ((flags & SYNC_VIEW_SEND) &&
			    strcmp(name, "vips") == 0) {
				copy = json_copy(row);
				sync_advskew(copy);
				json_array_append_new(out, copy);
			} else
				json_array_append(out, row);
		}
		json_object_set_new(view, name, out);
	}
	return view;
}

void
sync_view_hash(json_t *view, char out[65])
{
	json_t *wrap = json_pack("{s:O}", "sections", view);

	cfg_hash(wrap, out);
	json_decref(wrap);
}

/* 1 when index (uuid -> true) holds uuid. */
static int
sync_has_uuid(json_t *index, const char *uuid)
{
	return *uuid != '\0' && json_object_get(index, uuid) != NULL;
}

/* 1 when a section has a field of secret type. */
static int
sync_has_secrets(const struct cfg_section *sec)
{
	const struct cfg_field *f;

	for (f = sec->s_fields; f->f_name != NULL; f++)
		if (f->f_type == CFG_SECRET || f->f_type == CFG_PASSWORD)
			return 1;
	return 0;
}

/*
 * This node's rows of a section that stay local (nosync, VIPs without
 * vhid): a new array. Rule sections hold thousands of rows and no
 * secrets: only their nosync rows are read.
 */
static json_t *
sync_local_rows(struct store *st, const struct cfg_section *sec)
{
	struct cfg_query	 q;
	json_t			*which, *snap, *res, *rows, *row, *out;
	size_t			 i;

	out = json_array();
	if (cfg_field(sec, "nosync") == NULL &&
	    strcmp(sec->s_name, "vips") != 0)
		return out;
	if (!sync_has_secrets(sec) && strcmp(sec->s_name, "vips") != 0) {
		memset(&q, 0, sizeof(q));
		q.q_current = 1;
		q.q_rowcount = -1;
		q.q_where = json_pack("{s:s}", "nosync", "1");
		res = cfg_search(st, sec, &q);
		json_decref(q.q_where);
		json_array_extend(out, json_object_get(res, "rows"));
		json_decref(res);
		return out;
	}
	which = json_pack("[s]", sec->s_name);
	snap = cfg_snapshot(st, which, 1);
	rows = json_object_get(json_object_get(snap, "sections"), sec->s_name);
	json_array_foreach(rows, i, row)
		if (sync_row_local(sec->s_name, row))
			json_array_append(out, row);
	json_decref(which);
	json_decref(snap);
	return out;
}

/*
 * One list section: this node's local rows whose uuid the master did not
 * send, then the incoming rows (borrowed). Returns a new array.
 */
static json_t *
sync_merge_rows(struct store *st, const struct cfg_section *sec,
    json_t *rows)
{
	json_t	*mine, *row, *merged, *index;
	size_t	 i;

	index = json_object();
	json_array_foreach(rows, i, row)
		if (*cfg_str(row, "uuid") != '\0')
			json_object_set_new(index, cfg_str(row, "uuid"),
			    json_true());
	merged = json_array();
	mine = sync_local_rows(st, sec);
	/* Local rows first, as OPNsense keeps them. */
	json_array_foreach(mine, i, row)
		if (!sync_has_uuid(index, cfg_str(row, "uuid")))
			json_array_append(merged, row);
	json_array_extend(merged, rows);
	json_decref(mine);
	json_decref(index);
	return merged;
}

/* A singleton: the incoming fields over this node's row. New object. */
static json_t *
sync_merge_single(struct store *st, const struct cfg_section *sec,
    json_t *in)
{
	json_t		*row, *v;
	const char	*field;

	if ((row = cfg_get_singleton(st, sec, 1)) == NULL)
		row = cfg_defaults(sec);
	json_object_foreach(in, field, v)
		if (strcmp(field, "uuid") != 0 &&
		    !sync_is_local_field(sec->s_name, field))
			json_object_set(row, field, v);
	return row;
}

json_t *
sync_merge(struct store *st, json_t *incoming, char *err, size_t errlen)
{
	const struct cfg_section	*sec;
	json_t				*secs, *data, *row;
	const char			*name;
	size_t				 i, nrows = 0;

	if (!json_is_object(incoming)) {
		snprintf(err, errlen, "the argument must be a struct of "
		    "sections");
		return NULL;
	}
	json_object_foreach(incoming, name, data) {
		if ((sec = cfg_section(name)) == NULL) {
			snprintf(err, errlen, "unknown section \"%.64s\"",
			    sync_safe(name));
			return NULL;
		}
		if (!sync_section_ok(name)) {
			snprintf(err, errlen, "section %s is not synchronised "
			    "(it belongs to each node)", name);
			return NULL;
		}
		if (sec->s_flags & CFG_S_SINGLETON) {
			if (!json_is_object(data)) {
				snprintf(err, errlen, "section %s must be a "
				    "struct", name);
				return NULL;
			}
			continue;
		}
		if (!json_is_array(data)) {
			snprintf(err, errlen, "section %s must be an array of "
			    "structs", name);
			return NULL;
		}
		json_array_foreach(data, i, row)
			if (!json_is_object(row)) {
				snprintf(err, errlen, "section %s: item %zu is "
				    "not a struct", name, i);
				return NULL;
			}
		nrows += json_array_size(data);
	}
	if (nrows > SYNC_MAX_ROWS) {
		snprintf(err, errlen, "too many rows (%zu, at most %d)", nrows,
		    SYNC_MAX_ROWS);
		return NULL;
	}
	secs = json_object();
	json_object_foreach(incoming, name, data) {
		sec = cfg_section(name);
		json_object_set_new(secs, name, (sec->s_flags &
		    CFG_S_SINGLETON) ? sync_merge_single(st, sec, data) :
		    sync_merge_rows(st, sec, data));
	}
	return json_pack("{s:i,s:o}", "format", 1, "sections", secs);
}

json_t *
sync_wire_row(json_t *defaults, json_t *row)
{
	json_t		*out = json_object(), *v, *d;
	const char	*key;

	json_object_foreach(row, key, v) {
		d = json_object_get(defaults, key);
		if (d != NULL && json_equal(d, v))
			continue;
		json_object_set(out, key, v);
	}
	return out;
}

size_t
sync_xml_estimate(json_t *row)
{
	const char	*key, *s;
	json_t		*v;
	size_t		 n = 40;

	json_object_foreach(row, key, v) {
		n += strlen(key) + 56;
		if ((s = json_string_value(v)) == NULL) {
			n += 24;
			continue;
		}
		for (; *s != '\0'; s++)
			n += strchr("<>&\"'", *s) != NULL ? 6 : 1;
	}
	return n;
}
