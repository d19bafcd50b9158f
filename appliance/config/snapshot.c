/*
 * snapshot.c — the whole configuration as one JSON object: search pages,
 * snapshots (revisions, apply, export), restore (import, revision
 * restore, sync merge), the config hash and the factory defaults.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "model_int.h"
#include "sections.h"
#include "store.h"
#include "util.h"

#define SEARCH_MAX_WORDS	8
#define SEARCH_MAX_ITEMS	16	/* of one list filter */

/* Appends "a LIKE ? ESCAPE '\'" terms; escapes the word's wildcards. */
static char *
like_pattern(const char *word)
{
	char	*p = xmalloc(strlen(word) * 2 + 3), *o = p;

	*o++ = '%';
	for (; *word; word++) {
		if (*word == '%' || *word == '_' || *word == '\\')
			*o++ = '\\';
		*o++ = *word;
	}
	*o++ = '%';
	*o = '\0';
	return p;
}

/*
 * One field filter as SQL; appends the values it binds to binds, whose
 * numbers follow nwords. A list field matches an item (any of a comma
 * list). On a floating list (the interfaces of a rule) an empty value
 * asks for the rows on none or several, and a name also finds the rows
 * on none, which apply everywhere: OPNsense's search_rule.
 */
static char *
where_term(const struct cfg_field *f, const char *val, json_t *binds,
    int nwords)
{
	char	*term, *t, *list, *item, *save = NULL;
	int	 n = 0, floating = (f->f_flags & CFG_F_FLOATING) != 0;

	if (!(f->f_flags & CFG_F_LIST)) {
		json_array_append_new(binds, json_string_nocheck(val));
		return xasprintf("%s = ?%zu", f->f_name,
		    nwords + json_array_size(binds));
	}
	term = floating ? xasprintf("%s = ''", f->f_name) : xstrdup("0");
	list = xstrdup(val);
	/* Stored lists are split the same way (normalise_list()). */
	for (item = strtok_r(list, ", \t\r\n", &save); item != NULL &&
	    n < SEARCH_MAX_ITEMS; item = strtok_r(NULL, ", \t\r\n", &save),
	    n++) {
		json_array_append_new(binds, json_string_nocheck(item));
		t = xasprintf("%s OR instr(',' || %s || ',', ',' || ?%zu || "
		    "',') > 0", term, f->f_name, nwords +
		    json_array_size(binds));
		free(term);
		term = t;
	}
	free(list);
	if (n == 0 && floating) {
		free(term);
		term = xasprintf("%s = '' OR instr(%s, ',') > 0", f->f_name,
		    f->f_name);
	}
	t = xasprintf("(%s)", term);
	free(term);
	return t;
}

/* "'uuid', uuid, 'f1', CAST(f1 AS TEXT), ..." without secrets; new. */
static char *
json_columns(const struct cfg_section *sec)
{
	const struct cfg_field	*f;
	char			*s = xstrdup("'uuid', uuid"), *t;

	for (f = sec->s_fields; f->f_name != NULL; f++) {
		if (cfg_is_secret(f))
			continue;
		/* Every value is a string in the API, sequence included. */
		t = xasprintf("%s, '%s', CAST(%s AS TEXT)", s, f->f_name,
		    f->f_name);
		free(s);
		s = t;
	}
	return s;
}

/*
 * The search answer as JSON text, built by SQLite's JSON functions: a page
 * of 50 from 10,000 rules is the API's hot path, and building it without
 * a jansson object per value is several times faster.
 */
static char *
search_text(struct store *st, const struct cfg_section *sec,
    const struct cfg_query *q)
{
	const struct cfg_field	*f, *sortf = NULL;
	sqlite3_stmt		*stmt = NULL;
	json_t			*v, *binds = json_array();
	char			*res = NULL, *jcols = NULL, *term;
	char			*cols = NULL, *where = NULL, *tmp, *sql = NULL;
	char			*words[SEARCH_MAX_WORDS], *phrase = NULL, *save;
	const char		*key;
	int			 nwords = 0, i, bind, total = 0, current, count;
	int			 memo = 0;
	long			 offset;
	size_t			 j;

	current = q->q_current > 0 ? q->q_current : 1;
	count = q->q_rowcount == 0 ? 10 : q->q_rowcount;
	where = xstrdup("1");
	/* Every word must match some visible field (OPNsense: space = AND). */
	if (q->q_phrase && *q->q_phrase) {
		phrase = xstrdup(q->q_phrase);
		save = NULL;
		for (tmp = strtok_r(phrase, " \t", &save); tmp &&
		    nwords < SEARCH_MAX_WORDS; tmp = strtok_r(NULL, " \t",
		    &save)) {
			char *term = xstrdup("0");

			words[nwords++] = like_pattern(tmp);
			for (f = sec->s_fields; f->f_name != NULL; f++) {
				char *t2;

				if (cfg_is_secret(f))
					continue;
				t2 = xasprintf("%s OR %s LIKE ?%d ESCAPE '\\'",
				    term, f->f_name, nwords);
				free(term);
				term = t2;
			}
			tmp = xasprintf("%s AND (%s)", where, term);
			free(term);
			free(where);
			where = tmp;
		}
	}
	if (q->q_where != NULL) {
		json_object_foreach(q->q_where, key, v) {
			if ((f = cfg_field(sec, key)) == NULL ||
			    cfg_is_secret(f) || !json_is_string(v))
				continue;
			term = where_term(f, json_string_value(v), binds,
			    nwords);
			tmp = xasprintf("%s AND %s", where, term);
			free(term);
			free(where);
			where = tmp;
		}
	}
	bind = nwords + (int)json_array_size(binds);
	if (q->q_sort != NULL)
		sortf = cfg_field(sec, q->q_sort);
	if (sortf != NULL && cfg_is_secret(sortf))
		sortf = NULL;
	/* Descending by default order: name the first key so DESC binds. */
	if (sortf == NULL && q->q_desc)
		sortf = cfg_field(sec, (sec->s_flags & CFG_S_SEQUENCE) ?
		    "sequence" : sec->s_namefield ? sec->s_namefield : "");
	cols = cfg_columns(sec);
	jcols = json_columns(sec);

	/* The count first (memoised for the plain listing), then the page. */
	for (i = 0; i < 2; i++) {
		if (i == 0 && nwords == 0 && q->q_where == NULL) {
			long long n;

			if (store_memo_get(st, sec->s_name, &n) != NULL) {
				total = (int)n;
				continue;
			}
			memo = 1;
		}
		if (i == 0)
			sql = xasprintf("SELECT count(*) FROM %s WHERE %s",
			    sec->s_name, where);
		else if (sortf == NULL)
			sql = xasprintf("SELECT count(*), json_group_array("
			    "json_object(%s)) FROM (SELECT %s FROM %s WHERE %s "
			    "ORDER BY %s LIMIT ?%d OFFSET ?%d)", jcols, cols,
			    sec->s_name, where, cfg_order_by(sec), bind + 1,
			    bind + 2);
		else
			sql = xasprintf("SELECT count(*), json_group_array("
			    "json_object(%s)) FROM (SELECT %s FROM %s WHERE %s "
			    "ORDER BY %s%s%s%s, %s LIMIT ?%d OFFSET ?%d)", jcols,
			    cols, sec->s_name, where, sortf->f_type ==
			    CFG_INT ? "CAST(" : "", sortf->f_name,
			    sortf->f_type == CFG_INT ? " AS INTEGER)" : "",
			    q->q_desc ? " DESC" : "", cfg_order_by(sec),
			    bind + 1, bind + 2);
		if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) !=
		    SQLITE_OK) {
			log_warnx("store: search %s: %s", sec->s_name,
			    store_errmsg(st));
			goto err;
		}
		free(sql);
		sql = NULL;
		for (j = 0; j < (size_t)nwords; j++)
			sqlite3_bind_text(stmt, (int)j + 1, words[j], -1,
			    SQLITE_STATIC);
		json_array_foreach(binds, j, v)
			sqlite3_bind_text(stmt, nwords + (int)j + 1,
			    json_string_value(v), -1, SQLITE_STATIC);
		if (i == 0) {
			if (sqlite3_step(stmt) == SQLITE_ROW)
				total = sqlite3_column_int(stmt, 0);
			sqlite3_finalize(stmt);
			stmt = NULL;
			if (memo)
				store_memo_put(st, sec->s_name, NULL, total);
			continue;
		}
		offset = count < 0 ? 0 : (long)(current - 1) * count;
		sqlite3_bind_int64(stmt, bind + 1, count);
		sqlite3_bind_int64(stmt, bind + 2, offset);
		if (sqlite3_step(stmt) != SQLITE_ROW)
			goto err;
		res = xasprintf("{\"total\":%d,\"rowCount\":%d,"
		    "\"current\":%d,\"rows\":%s}", total,
		    sqlite3_column_int(stmt, 0), current,
		    sqlite3_column_int(stmt, 0) ? (const char *)
		    sqlite3_column_text(stmt, 1) : "[]");
	}
err:
	sqlite3_finalize(stmt);
	json_decref(binds);
	for (i = 0; i < nwords; i++)
		free(words[i]);
	free(phrase);
	free(where);
	free(cols);
	free(jcols);
	free(sql);
	return res;
}

/*
 * Pages are read far more often than the configuration changes (lists
 * poll): the answer to the same query is kept per connection for as long
 * as nobody has written to the database.
 */
char *
cfg_search_text(struct store *st, const struct cfg_section *sec,
    const struct cfg_query *q)
{
	const char	*hit;
	char		*key, *where = NULL, *text;
	long long	 n;

	if (q->q_where != NULL)
		where = json_dumps(q->q_where, JSON_COMPACT | JSON_SORT_KEYS);
	key = xasprintf("page %s %d %d %d %s\x1f%s\x1f%s", sec->s_name,
	    q->q_current, q->q_rowcount, q->q_desc, q->q_sort ? q->q_sort : "",
	    q->q_phrase ? q->q_phrase : "", where ? where : "");
	free(where);
	if ((hit = store_memo_get(st, key, &n)) != NULL && *hit != '\0') {
		text = xstrdup(hit);
		free(key);
		return text;
	}
	if ((text = search_text(st, sec, q)) != NULL)
		store_memo_put(st, key, text, 0);
	free(key);
	return text;
}

json_t *
cfg_search(struct store *st, const struct cfg_section *sec,
    const struct cfg_query *q)
{
	json_error_t	 jerr;
	json_t		*res;
	char		*text = cfg_search_text(st, sec, q);

	if (text == NULL)
		return NULL;
	res = json_loads(text, 0, &jerr);
	free(text);
	return res;
}

json_t *
cfg_snapshot(struct store *st, json_t *which, int with_secrets)
{
	const struct cfg_section *const	*s;
	json_t				*secs = json_object(), *rows, *row;
	size_t				 i;
	int				 want;

	for (s = cfg_sections(); *s != NULL; s++) {
		if ((*s)->s_flags & CFG_S_NOEXPORT)
			continue;
		want = which == NULL;
		for (i = 0; which && i < json_array_size(which); i++)
			if (strcmp(json_string_value(json_array_get(which, i)) ?
			    json_string_value(json_array_get(which, i)) : "",
			    (*s)->s_name) == 0)
				want = 1;
		if (!want)
			continue;
		if ((*s)->s_flags & CFG_S_SINGLETON) {
			row = cfg_get_singleton(st, *s, with_secrets);
			json_object_set_new(secs, (*s)->s_name, row);
			continue;
		}
		rows = cfg_rows_where(st, *s, NULL, NULL, with_secrets, 0);
		if (rows == NULL) {
			json_decref(secs);
			return NULL;
		}
		json_object_set_new(secs, (*s)->s_name, rows);
	}
	return json_pack("{s:i,s:o}", "format", 1, "sections", secs);
}

void
cfg_hash(json_t *snap, char out[65])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		*text;

	text = json_dumps(json_object_get(snap, "sections"),
	    JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		text = xstrdup("");
	EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
	util_hex(md, 32, out);
	free(text);
}

static int
del_all(struct store *st, const struct cfg_section *sec)
{
	char	*sql = xasprintf("DELETE FROM %s", sec->s_name);
	int	 rc = store_exec(st, sql);

	free(sql);
	return rc;
}

/* Inserts the rows of one section as given (field checks only). */
static int
restore_section(struct store *st, const struct cfg_section *sec,
    json_t *data, struct cfg_errors *e)
{
	json_t	*row, *one = NULL, *clean;
	char	 uuid[UUID_LEN + 1], key[128];
	size_t	 i;
	int	 rc = 0;

	if (sec->s_flags & CFG_S_SINGLETON) {
		if (!json_is_object(data)) {
			cfg_error(e, sec->s_name, "must be an object");
			return CFG_EINVAL;
		}
		one = json_array();
		json_array_append(one, data);
		data = one;
	} else if (!json_is_array(data)) {
		cfg_error(e, sec->s_name, "must be a list");
		return CFG_EINVAL;
	}
	if (del_all(st, sec) == -1) {
		json_decref(one);
		return CFG_ESTORE;
	}
	json_array_foreach(data, i, row) {
		struct cfg_errors re;
		const char *u = cfg_str(row, "uuid");

		if (util_is_uuid(u))
			util_strlcpy(uuid, u, sizeof(uuid));
		else
			util_uuid(uuid);
		snprintf(key, sizeof(key), "%s.%zu", sec->s_name, i);
		cfg_errors_init(&re, key);
		clean = cfg_validate_mode(st, sec, row, NULL, uuid, &re,
		    V_STORED);
		if (clean != NULL)
			rc = cfg_row_write(st, sec, clean, 1, &re);
		json_object_update(e->e_obj, re.e_obj);
		cfg_errors_free(&re);
		json_decref(clean);
		if (rc == CFG_ESTORE)
			break;
	}
	json_decref(one);
	return rc == CFG_ESTORE ? rc : cfg_errors_any(e) ? CFG_EINVAL : 0;
}

/* The second pass: every reference and section rule against the result. */
static void
restore_check(struct store *st, const struct cfg_section *sec,
    struct cfg_errors *e)
{
	json_t	*rows, *row;
	char	 key[128];
	size_t	 i;

	rows = cfg_rows_where(st, sec, NULL, NULL, 1, 0);
	json_array_foreach(rows, i, row) {
		struct cfg_errors re;

		snprintf(key, sizeof(key), "%s.%zu", sec->s_name, i);
		cfg_errors_init(&re, key);
		cfg_refs_check(st, sec, row, &re);
		if (!cfg_errors_any(&re) && sec->s_check != NULL)
			sec->s_check(st, row, &re);
		json_object_update(e->e_obj, re.e_obj);
		cfg_errors_free(&re);
	}
	json_decref(rows);
}

int
cfg_restore(struct cfg_ctx *ctx, json_t *snap, const char *descr,
    struct cfg_errors *e)
{
	const struct cfg_section	*sec;
	json_t				*secs, *data;
	const char			*name;
	long long			 id;
	int				 rc = 0, admins;

	secs = json_object_get(snap, "sections");
	if (!json_is_object(snap) || !json_is_object(secs)) {
		cfg_error(e, "sections", "not a twinwall snapshot (no "
		    "\"sections\" object)");
		return CFG_EINVAL;
	}
	json_object_foreach(secs, name, data) {
		sec = cfg_section(name);
		if (sec == NULL || (sec->s_flags & CFG_S_NOEXPORT))
			cfg_error(e, cfg_check_text(name, strlen(name)) &&
			    strlen(name) < 64 ? name : "_", "unknown section");
	}
	if (cfg_errors_any(e))
		return CFG_EINVAL;
	if (store_begin(ctx->c_st) == -1)
		return CFG_ESTORE;
	admins = cfg_users_admins(ctx->c_st);
	json_object_foreach(secs, name, data) {
		sec = cfg_section(name);
		if ((rc = restore_section(ctx->c_st, sec, data, e)) ==
		    CFG_ESTORE)
			goto done;
	}
	if (cfg_errors_any(e)) {
		rc = CFG_EINVAL;
		goto done;
	}
	json_object_foreach(secs, name, data)
		restore_check(ctx->c_st, cfg_section(name), e);
	/* Sections not restored may name rows that are now gone. */
	{
		const struct cfg_section *const *s;

		for (s = cfg_sections(); *s != NULL; s++)
			if (json_object_get(secs, (*s)->s_name) == NULL)
				restore_check(ctx->c_st, *s, e);
	}
	/* Never lock everyone out: an empty user list is a bad backup. */
	if ((admins > 0 || json_object_get(secs, "users") != NULL) &&
	    !cfg_errors_any(e))
		(void)cfg_users_guard(ctx->c_st, admins, e);
	if (cfg_errors_any(e)) {
		rc = CFG_EINVAL;
		goto done;
	}
	/* API keys of users that no longer exist go too. */
	if (json_object_get(secs, "users") != NULL && store_exec(ctx->c_st,
	    "DELETE FROM apikeys WHERE user NOT IN (SELECT name FROM users)")
	    == -1) {
		rc = CFG_ESTORE;
		goto done;
	}
	json_object_foreach(secs, name, data)
		if (store_dirty_set(ctx->c_st, cfg_section(name)->s_subsys) ==
		    -1) {
			rc = CFG_ESTORE;
			goto done;
		}
	if (!ctx->c_batch) {
		id = store_revision_add(ctx->c_st, ctx->c_user,
		    descr ? descr : "restored");
		if (id == -1)
			rc = CFG_ESTORE;
	}
done:
	if (rc != 0) {
		store_rollback(ctx->c_st);
		return rc;
	}
	return store_commit(ctx->c_st) == -1 ? CFG_ESTORE : 0;
}

/* Overrides fields of row with the pairs of a new object, and frees it. */
static json_t *
with(json_t *row, json_t *over)
{
	json_object_update(row, over);
	json_decref(over);
	return row;
}

json_t *
cfg_factory(void)
{
	json_t *lan, *wan, *r4, *r6, *secs;

	lan = cfg_defaults(&cfg_sec_interfaces);
	with(lan, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
	    "name", "lan", "descr", "LAN", "ipaddr", "192.168.1.1",
	    "subnet", "24", "ipaddrv6", "none", "locked", "1"));
	wan = cfg_defaults(&cfg_sec_interfaces);
	with(wan, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
	    "name", "wan", "descr", "WAN", "ipaddr", "dhcp",
	    "blockpriv", "1", "blockbogons", "1", "locked", "1"));
	r4 = cfg_defaults(&cfg_sec_filter_rules);
	with(r4, json_pack("{s:s,s:s,s:s,s:s,s:s}",
	    "sequence", "1", "interface", "lan", "source_net", "lan",
	    "ipprotocol", "inet", "description",
	    "Default allow LAN to any rule"));
	r6 = cfg_defaults(&cfg_sec_filter_rules);
	with(r6, json_pack("{s:s,s:s,s:s,s:s,s:s}",
	    "sequence", "2", "interface", "lan", "source_net", "lan",
	    "ipprotocol", "inet6", "description",
	    "Default allow LAN IPv6 to any rule"));
	secs = json_pack("{s:o,s:[oo],s:[],s:[],s:[],s:[oo],s:o,s:[],s:[],"
	    "s:[],s:o,s:[]}",
	    "system", cfg_defaults(&cfg_sec_system),
	    "interfaces", lan, wan,
	    "gateways", "routes", "aliases",
	    "filter_rules", r4, r6,
	    "snat", cfg_defaults(&cfg_sec_snat),
	    "snat_rules", "dnat_rules", "vips",
	    "hasync", cfg_defaults(&cfg_sec_hasync),
	    "cron_jobs");
	return json_pack("{s:i,s:o}", "format", 1, "sections", secs);
}

int
cfg_install_factory(struct store *st)
{
	struct cfg_ctx		ctx = { st, "system", 0 };
	struct cfg_errors	e;
	json_t			*snap = cfg_factory();
	int			 rc;

	cfg_errors_init(&e, "factory");
	rc = cfg_restore(&ctx, snap, "factory defaults", &e);
	if (rc != 0) {
		char *msg = json_dumps(e.e_obj, JSON_COMPACT);

		log_warnx("factory defaults do not validate: %s", msg);
		free(msg);
	}
	cfg_errors_free(&e);
	json_decref(snap);
	return rc == 0 ? 0 : -1;
}

void
cfg_json_set_path(json_t *obj, const char *path, int sep, json_t *v)
{
	char	*copy = xstrdup(path), *part, *next, *save = NULL;
	char	 seps[2] = { (char)sep, '\0' };
	json_t	*cur = obj, *child;

	part = strtok_r(copy, seps, &save);
	while (part != NULL) {
		next = strtok_r(NULL, seps, &save);
		if (next == NULL) {
			json_object_set(cur, part, v);
			break;
		}
		if ((child = json_object_get(cur, part)) == NULL ||
		    !json_is_object(child)) {
			child = json_object();
			json_object_set_new(cur, part, child);
		}
		cur = child;
		part = next;
	}
	free(copy);
}
