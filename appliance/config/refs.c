/*
 * refs.c — references between sections.
 *
 * A field names another item in four ways: CFG_REF (by the referenced
 * section's name field: a rule's interface, a route's gateway), an
 * endpoint (an alias, an interface's network "lan" or address "lanip"),
 * a port (a port alias) and a NAT target (a VIP's address or "<if>ip").
 * The store refuses a row whose names do not resolve, and a delete or
 * rename that would leave one dangling — naming the referrer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sections.h"
#include "store.h"
#include "util.h"
#include "model_int.h"

static int
exists(struct store *st, const struct cfg_section *sec, const char *name)
{
	return cfg_count_where(st, sec->s_name, sec->s_namefield, name,
	    NULL) > 0;
}

/* "lanip" -> the interface "lan" exists. */
static int
is_ifaddr(struct store *st, const char *v)
{
	size_t	 n = strlen(v);
	char	*base;
	int	 ok;

	if (n < 3 || strcmp(v + n - 2, "ip") != 0)
		return 0;
	base = xstrdup(v);
	base[n - 2] = '\0';
	ok = exists(st, &cfg_sec_interfaces, base);
	free(base);
	return ok;
}

static const char *
alias_type(struct store *st, const char *name, char *buf, size_t len)
{
	json_t *a = cfg_find(st, &cfg_sec_aliases, name);

	if (a == NULL)
		return NULL;
	util_strlcpy(buf, cfg_str(a, "type"), len);
	json_decref(a);
	return buf;
}

static void
check_value(struct store *st, const struct cfg_field *f, const char *v,
    struct cfg_errors *e)
{
	const struct cfg_section	*ref;
	const char			*t;
	char				 type[32];
	int				 dyn6;

	switch (f->f_type) {
	case CFG_REF:
		ref = cfg_section(f->f_ref);
		/* WAN_DHCP: the lease's router, while wan is in DHCP mode. */
		if (ref == &cfg_sec_gateways && !exists(st, ref, v) &&
		    cfg_gw_dynamic_find(st, v, type, sizeof(type), &dyn6))
			break;
		/* A rule's gateway: a group stands where a gateway does. */
		if (ref == &cfg_sec_gateways && (f->f_flags & CFG_F_GWGROUP) &&
		    exists(st, &cfg_sec_gateway_groups, v))
			break;
		if (ref == &cfg_sec_gateways && (f->f_flags & CFG_F_GWGROUP) &&
		    !exists(st, ref, v)) {
			cfg_error(e, f->f_name, "no gateway or gateway group "
			    "named \"%.64s\"", v);
			break;
		}
		if (ref != NULL && !exists(st, ref, v))
			cfg_error(e, f->f_name, "no %s named \"%.64s\"",
			    ref->s_key, v);
		break;
	case CFG_ENDPOINT:
		if (strcmp(v, "any") == 0 || cfg_endpoint_family(v) != 0)
			break;
		if (exists(st, &cfg_sec_interfaces, v) || is_ifaddr(st, v))
			break;
		t = alias_type(st, v, type, sizeof(type));
		if (t == NULL)
			cfg_error(e, f->f_name, "no alias or interface named "
			    "\"%.64s\"", v);
		else if (strcmp(t, "port") == 0)
			cfg_error(e, f->f_name, "alias %.64s holds ports, not "
			    "addresses", v);
		break;
	case CFG_PORT:
		if (cfg_check_port(v))
			break;
		t = alias_type(st, v, type, sizeof(type));
		if (t == NULL)
			cfg_error(e, f->f_name, "no port alias named \"%.64s\"",
			    v);
		else if (strcmp(t, "port") != 0)
			cfg_error(e, f->f_name, "alias %.64s holds addresses, "
			    "not ports", v);
		break;
	case CFG_TARGET:
		if (cfg_check_addr(v, 0) || is_ifaddr(st, v))
			break;
		cfg_error(e, f->f_name, "\"%.64s\" is neither an address nor "
		    "<interface>ip of an existing interface", v);
		break;
	default:
		break;
	}
}

int
cfg_refs_check(struct store *st, const struct cfg_section *sec, json_t *row,
    struct cfg_errors *e)
{
	const struct cfg_field	*f;
	char			*list, *item, *save;
	const char		*v;

	for (f = sec->s_fields; f->f_name != NULL; f++) {
		if (f->f_type != CFG_REF && f->f_type != CFG_ENDPOINT &&
		    f->f_type != CFG_PORT && f->f_type != CFG_TARGET)
			continue;
		v = cfg_str(row, f->f_name);
		if (*v == '\0')
			continue;
		if (!(f->f_flags & CFG_F_LIST)) {
			check_value(st, f, v, e);
			continue;
		}
		list = xstrdup(v);
		save = NULL;
		for (item = strtok_r(list, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save))
			check_value(st, f, item, e);
		free(list);
	}
	return cfg_errors_any(e) ? -1 : 0;
}

/*
 * Does field f of another section name the item `name` of section sec?
 * Fills the values to look for (v1, v2) and says whether f is a list.
 */
static int
field_refers(const struct cfg_field *f, const struct cfg_section *sec,
    const char *name, const char **v1, char **v2)
{
	int is_if = sec == &cfg_sec_interfaces;

	*v1 = name;
	*v2 = NULL;
	switch (f->f_type) {
	case CFG_REF:
		return strcmp(f->f_ref, sec->s_name) == 0 ||
		    ((f->f_flags & CFG_F_GWGROUP) &&
		    sec == &cfg_sec_gateway_groups);
	case CFG_ENDPOINT:
		if (is_if)
			*v2 = xasprintf("%sip", name);
		return is_if || sec == &cfg_sec_aliases ||
		    sec == &cfg_sec_vips;
	case CFG_PORT:
		return sec == &cfg_sec_aliases;
	case CFG_TARGET:
		if (is_if) {
			*v2 = xasprintf("%sip", name);
			*v1 = *v2;
		}
		return is_if || sec == &cfg_sec_vips;
	default:
		return 0;
	}
}

int
cfg_refs_free(struct store *st, const struct cfg_section *sec,
    const char *name, const char *field, struct cfg_errors *e)
{
	const struct cfg_section *const	*t;
	const struct cfg_field		*f;
	sqlite3_stmt			*stmt;
	const char			*v1;
	char				*v2, sql[512], who[600];
	size_t				 o = 0;
	int				 hits = 0;

	who[0] = '\0';
	for (t = cfg_sections(); *t != NULL; t++) {
		for (f = (*t)->s_fields; f->f_name != NULL; f++) {
			if (!field_refers(f, sec, name, &v1, &v2))
				continue;
			/* Names come from the static tables, never input. */
			snprintf(sql, sizeof(sql), "SELECT CASE WHEN %s != '' "
			    "THEN %s ELSE uuid END FROM %s WHERE %s IN "
			    "(?1, ?2) OR instr(',' || %s || ',', ',' || ?1 "
			    "|| ',') > 0 LIMIT 5",
			    (*t)->s_descfield ? (*t)->s_descfield : "uuid",
			    (*t)->s_descfield ? (*t)->s_descfield : "uuid",
			    (*t)->s_name, f->f_name, f->f_name);
			if ((stmt = store_stmt(st, sql)) == NULL) {
				free(v2);
				return CFG_ESTORE;
			}
			sqlite3_bind_text(stmt, 1, v1, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 2, v2 ? v2 : v1, -1,
			    SQLITE_STATIC);
			while (sqlite3_step(stmt) == SQLITE_ROW) {
				const char *d = (const char *)
				    sqlite3_column_text(stmt, 0);

				if (hits++ < 4 && o < sizeof(who) - 100)
					o += (size_t)snprintf(who + o,
					    sizeof(who) - o, "%s%s %s", o ?
					    ", " : "", (*t)->s_name, d ? d : "");
			}
			store_stmt_done(st, stmt);
			free(v2);
		}
	}
	if (hits == 0)
		return 0;
	cfg_error(e, field, "%s %s is still used by %s%s", sec->s_key, name,
	    who, hits > 4 ? " and more" : "");
	return CFG_EREF;
}
