/*
 * model.c — the generic engine behind every section: validate a row
 * against its field table, store it in one transaction with its revision
 * and dirty flag, read, search, delete, toggle and order rows.
 *
 * SQL is built only from the static field tables; every value is bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "sections.h"
#include "store.h"
#include "util.h"
#include "model_int.h"

static const struct cfg_section *const sections[] = {
	&cfg_sec_system, &cfg_sec_interfaces, &cfg_sec_gateways,
	&cfg_sec_gateway_groups, &cfg_sec_routes, &cfg_sec_aliases, &cfg_sec_filter_rules,
	&cfg_sec_snat, &cfg_sec_snat_rules, &cfg_sec_dnat_rules,
	&cfg_sec_vips, &cfg_sec_hasync, &cfg_sec_users, &cfg_sec_cron_jobs,
	NULL
};

const struct cfg_section *const *
cfg_sections(void)
{
	return sections;
}

const struct cfg_section *
cfg_section(const char *name)
{
	size_t i;

	for (i = 0; sections[i] != NULL; i++)
		if (strcmp(sections[i]->s_name, name) == 0)
			return sections[i];
	return NULL;
}

const struct cfg_field *
cfg_field(const struct cfg_section *sec, const char *name)
{
	const struct cfg_field *f;

	for (f = sec->s_fields; f->f_name != NULL; f++)
		if (strcmp(f->f_name, name) == 0)
			return f;
	return NULL;
}

int
cfg_is_secret(const struct cfg_field *f)
{
	return f->f_type == CFG_SECRET || f->f_type == CFG_PASSWORD;
}

json_t *
cfg_defaults(const struct cfg_section *sec)
{
	const struct cfg_field	*f;
	json_t			*row = json_object();

	for (f = sec->s_fields; f->f_name != NULL; f++)
		json_object_set_new(row, f->f_name,
		    json_string(f->f_default ? f->f_default : ""));
	return row;
}

/* "uuid, f1, f2, ..." — a new string. */
char *
cfg_columns(const struct cfg_section *sec)
{
	const struct cfg_field	*f;
	size_t			 len = 8;
	char			*s;

	for (f = sec->s_fields; f->f_name != NULL; f++)
		len += strlen(f->f_name) + 2;
	s = xmalloc(len);
	strcpy(s, "uuid");
	for (f = sec->s_fields; f->f_name != NULL; f++) {
		strcat(s, ", ");
		strcat(s, f->f_name);
	}
	return s;
}

/* Reads the current row of stmt (selected with columns()). New object. */
static json_t *
row_read(sqlite3_stmt *stmt, const struct cfg_section *sec, int secrets)
{
	const struct cfg_field	*f;
	json_t			*row = json_object();
	const char		*v;
	int			 i = 1;

	v = (const char *)sqlite3_column_text(stmt, 0);
	json_object_set_new(row, "uuid", json_string(v ? v : ""));
	for (f = sec->s_fields; f->f_name != NULL; f++, i++) {
		if (!secrets && cfg_is_secret(f))
			continue;
		v = (const char *)sqlite3_column_text(stmt, i);
		json_object_set_new(row, f->f_name, json_string(v ? v : ""));
	}
	return row;
}

const char *
cfg_order_by(const struct cfg_section *sec)
{
	/* Equal sequences: the order of creation (schema 003), as
	 * OPNsense's model keeps insertion order. */
	if (sec->s_flags & CFG_S_SEQUENCE)
		return "sequence, created, uuid";
	if (sec->s_namefield != NULL)
		return sec->s_namefield;
	return "uuid";
}

/* Runs a SELECT of whole rows: WHERE clause and one bound text value. */
json_t *
cfg_rows_where(struct store *st, const struct cfg_section *sec,
    const char *where, const char *val, int secrets, int first_only)
{
	sqlite3_stmt	*stmt;
	char		*cols = cfg_columns(sec), *sql;
	json_t		*rows = json_array();

	sql = xasprintf("SELECT %s FROM %s%s%s ORDER BY %s", cols,
	    sec->s_name, where ? " WHERE " : "", where ? where : "",
	    cfg_order_by(sec));
	free(cols);
	if ((stmt = store_stmt(st, sql)) == NULL) {
		log_warnx("store: %s: %s", sec->s_name, store_errmsg(st));
		free(sql);
		json_decref(rows);
		return NULL;
	}
	free(sql);
	if (val != NULL)
		sqlite3_bind_text(stmt, 1, val, -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		json_array_append_new(rows, row_read(stmt, sec, secrets));
		if (first_only)
			break;
	}
	store_stmt_done(st, stmt);
	return rows;
}

static json_t *
row_one(struct store *st, const struct cfg_section *sec, const char *where,
    const char *val, int secrets)
{
	json_t *rows = cfg_rows_where(st, sec, where, val, secrets, 1), *r;

	if (rows == NULL)
		return NULL;
	r = json_array_get(rows, 0);
	json_incref(r);
	json_decref(rows);
	return r;
}

json_t *
cfg_get(struct store *st, const struct cfg_section *sec, const char *uuid,
    int with_secrets)
{
	return row_one(st, sec, "uuid = ?", uuid, with_secrets);
}

json_t *
cfg_find(struct store *st, const struct cfg_section *sec, const char *name)
{
	char	 where[64];

	if (sec->s_namefield == NULL)
		return NULL;
	snprintf(where, sizeof(where), "%s = ?", sec->s_namefield);
	return row_one(st, sec, where, name, 0);
}

/*
 * Validates in over base. Returns a new normalised row, or NULL with the
 * messages in e. Only fields of the table survive: unknown input keys
 * are errors, not silently dropped.
 */
json_t *
cfg_validate_mode(struct store *st, const struct cfg_section *sec, json_t *in,
    json_t *base, const char *uuid, struct cfg_errors *e, int mode)
{
	const struct cfg_field	*f;
	const char		*key;
	json_t			*row, *v;
	char			*val, *hash;

	if (!json_is_object(in)) {
		cfg_error(e, "_", "%s must be an object", sec->s_key);
		return NULL;
	}
	row = base ? json_deep_copy(base) : cfg_defaults(sec);
	json_object_foreach(in, key, v) {
		if (strcmp(key, "uuid") == 0)
			continue;
		if ((f = cfg_field(sec, key)) == NULL) {
			cfg_error(e, key[0] && strlen(key) < 64 &&
			    cfg_check_text(key, strlen(key)) ? key : "_",
			    "unknown field");
			continue;
		}
		if (f->f_flags & CFG_F_READONLY)
			continue;
		if ((val = cfg_field_normalise(f, v, e)) == NULL)
			continue;
		/* An empty secret means "keep the one stored". */
		if (cfg_is_secret(f) && *val == '\0') {
			free(val);
			continue;
		}
		if (f->f_type == CFG_PASSWORD && !((mode & V_STORED) &&
		    val[0] == '$')) {
			hash = auth_hash(val);
			util_free_secret(val);
			if (hash == NULL) {
				cfg_error(e, f->f_name, "cannot hash password");
				continue;
			}
			val = hash;
		}
		json_object_set_new(row, f->f_name, json_string(val));
		if (cfg_is_secret(f))
			util_free_secret(val);
		else
			free(val);
	}
	/* Required fields nobody filled in (add without them). */
	for (f = sec->s_fields; f->f_name != NULL; f++)
		if ((f->f_flags & CFG_F_REQUIRED) && f->f_type != CFG_BOOL &&
		    *cfg_str(row, f->f_name) == '\0')
			cfg_error(e, f->f_name, "required");
	json_object_set_new(row, "uuid", json_string(uuid ? uuid : ""));
	if (!cfg_errors_any(e) && (mode & V_REFS)) {
		cfg_refs_check(st, sec, row, e);
		if (!cfg_errors_any(e) && sec->s_check != NULL)
			sec->s_check(st, row, e);
	}
	if (cfg_errors_any(e)) {
		json_decref(row);
		return NULL;
	}
	return row;
}

json_t *
cfg_validate(struct store *st, const struct cfg_section *sec, json_t *in,
    json_t *base, const char *uuid, struct cfg_errors *e)
{
	return cfg_validate_mode(st, sec, in, base, uuid, e, V_REFS);
}

/* INSERT or UPDATE a normalised row. 0 or CFG_ESTORE / CFG_EINVAL. */
int
cfg_row_write(struct store *st, const struct cfg_section *sec, json_t *row,
    int insert, struct cfg_errors *e)
{
	const struct cfg_field	*f;
	sqlite3_stmt		*stmt;
	char			*cols = cfg_columns(sec), *sql, *p;
	size_t			 n = 0, i;
	int			 rc;

	for (f = sec->s_fields; f->f_name != NULL; f++)
		n++;
	if (insert) {
		p = xmalloc(n * 3 + 4);
		strcpy(p, "?");
		for (i = 0; i < n; i++)
			strcat(p, ", ?");
		/* A new row of a sequenced section comes after every
		 * row created before it (see cfg_order_by). */
		if (sec->s_flags & CFG_S_SEQUENCE)
			sql = xasprintf("INSERT INTO %s (%s, created) VALUES "
			    "(%s, (SELECT coalesce(max(created), 0) + 1 FROM "
			    "%s))", sec->s_name, cols, p, sec->s_name);
		else
			sql = xasprintf("INSERT INTO %s (%s) VALUES (%s)",
			    sec->s_name, cols, p);
	} else {
		size_t len = 64;

		for (f = sec->s_fields; f->f_name != NULL; f++)
			len += strlen(f->f_name) + 8;
		p = xmalloc(len);
		p[0] = '\0';
		for (f = sec->s_fields; f->f_name != NULL; f++) {
			strcat(p, f == sec->s_fields ? "" : ", ");
			strcat(p, f->f_name);
			strcat(p, " = ?");
		}
		sql = xasprintf("UPDATE %s SET %s WHERE uuid = ?", sec->s_name,
		    p);
	}
	free(p);
	free(cols);
	stmt = store_stmt(st, sql);
	free(sql);
	if (stmt == NULL)
		goto err;
	i = 1;
	if (insert)
		sqlite3_bind_text(stmt, (int)i++, cfg_str(row, "uuid"), -1,
		    SQLITE_STATIC);
	for (f = sec->s_fields; f->f_name != NULL; f++)
		sqlite3_bind_text(stmt, (int)i++, cfg_str(row, f->f_name), -1,
		    SQLITE_STATIC);
	if (!insert)
		sqlite3_bind_text(stmt, (int)i, cfg_str(row, "uuid"), -1,
		    SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	store_stmt_done(st, stmt);
	if (rc == SQLITE_CONSTRAINT) {
		/* UNIQUE and CHECK: the field tables should have caught it. */
		for (f = sec->s_fields; f->f_name != NULL; f++)
			if (f->f_flags & CFG_F_UNIQUE)
				break;
		cfg_error(e, f->f_name ? f->f_name : "_", "rejected by the "
		    "store: %s", store_errmsg(st));
		return CFG_EINVAL;
	}
	if (rc != SQLITE_DONE)
		goto err;
	return 0;
err:
	log_warnx("store: %s: %s", sec->s_name, store_errmsg(st));
	return CFG_ESTORE;
}

/* Unique fields other than the name field (CFG_F_UNIQUE). */
static void
check_unique(struct store *st, const struct cfg_section *sec, json_t *row,
    struct cfg_errors *e)
{
	const struct cfg_field *f;

	for (f = sec->s_fields; f->f_name != NULL; f++)
		if ((f->f_flags & CFG_F_UNIQUE) &&
		    cfg_count_where(st, sec->s_name, f->f_name,
		    cfg_str(row, f->f_name), cfg_str(row, "uuid")) > 0)
			cfg_error(e, f->f_name, "\"%.64s\" already exists",
			    cfg_str(row, f->f_name));
}

/* Marks the subsystem dirty and, unless batched, stores the revision. */
static int
saved(struct cfg_ctx *ctx, const struct cfg_section *sec, const char *what,
    json_t *row)
{
	char		*descr;
	const char	*name = "";
	long long	 id;

	if (store_dirty_set(ctx->c_st, sec->s_subsys) == -1)
		return CFG_ESTORE;
	if (ctx->c_batch)
		return 0;
	if (row != NULL && sec->s_descfield != NULL)
		name = cfg_str(row, sec->s_descfield);
	descr = xasprintf("%s %s%s%s%s", sec->s_name, what, *name ? " \"" : "",
	    name, *name ? "\"" : "");
	id = store_revision_add(ctx->c_st, ctx->c_user, descr);
	free(descr);
	return id == -1 ? CFG_ESTORE : 0;
}

/* Before a write of users: what the lock-out rule compares with. */
static int
users_before(struct cfg_ctx *ctx, const struct cfg_section *sec)
{
	return sec == &cfg_sec_users ? cfg_users_admins(ctx->c_st) : 0;
}

/* After a write of users: the lock-out rule (users.c); 0 or fail. */
static int
users_guard(struct cfg_ctx *ctx, const struct cfg_section *sec, int before,
    struct cfg_errors *e, int fail)
{
	if (sec != &cfg_sec_users)
		return 0;
	return cfg_users_guard(ctx->c_st, before, e) == 0 ? 0 : fail;
}

static long
next_sequence(struct store *st, const struct cfg_section *sec)
{
	sqlite3_stmt	*stmt;
	char		*sql;
	long		 n = 1;

	sql = xasprintf("SELECT coalesce(max(sequence), 0) + 1 FROM %s",
	    sec->s_name);
	if ((stmt = store_stmt(st, sql)) != NULL) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int64(stmt, 0);
		store_stmt_done(st, stmt);
	}
	free(sql);
	return n > 999999 ? 999999 : n;
}

/* One finished write: commit, or roll back and return rc. */
static int
finish(struct cfg_ctx *ctx, int rc)
{
	if (rc != 0) {
		store_rollback(ctx->c_st);
		return rc;
	}
	return store_commit(ctx->c_st) == -1 ? CFG_ESTORE : 0;
}

int
cfg_add(struct cfg_ctx *ctx, const struct cfg_section *sec, json_t *in,
    char *uuid_out, struct cfg_errors *e)
{
	char	 uuid[UUID_LEN + 1];

	util_uuid(uuid);
	return cfg_add_as(ctx, sec, uuid, in, uuid_out, e);
}

int
cfg_add_as(struct cfg_ctx *ctx, const struct cfg_section *sec,
    const char *want, json_t *in, char *uuid_out, struct cfg_errors *e)
{
	json_t	*row = NULL, *old;
	char	 uuid[UUID_LEN + 1], seq[24];
	int	 rc, before;

	if ((sec->s_flags & CFG_S_SINGLETON) || !util_is_uuid(want))
		return CFG_ENOENT;
	util_strlcpy(uuid, want, sizeof(uuid));
	if (store_begin(ctx->c_st) == -1)
		return CFG_ESTORE;
	before = users_before(ctx, sec);
	/* A uuid is one item for good: never a second row under it. */
	if ((old = cfg_get(ctx->c_st, sec, uuid, 0)) != NULL) {
		json_decref(old);
		cfg_error(e, "uuid", "%s exists already", uuid);
		rc = CFG_EINVAL;
		goto done;
	}
	row = cfg_validate_mode(ctx->c_st, sec, in, NULL, uuid, e, V_REFS);
	if (row == NULL) {
		rc = CFG_EINVAL;
		goto done;
	}
	if ((sec->s_flags & CFG_S_SEQUENCE) && *cfg_str(row, "sequence") ==
	    '\0') {
		snprintf(seq, sizeof(seq), "%ld", next_sequence(ctx->c_st,
		    sec));
		json_object_set_new(row, "sequence", json_string(seq));
	}
	check_unique(ctx->c_st, sec, row, e);
	if (cfg_errors_any(e)) {
		rc = CFG_EINVAL;
		goto done;
	}
	if ((rc = cfg_row_write(ctx->c_st, sec, row, 1, e)) == 0)
		rc = users_guard(ctx, sec, before, e, CFG_EINVAL);
	if (rc == 0)
		rc = saved(ctx, sec, "added", row);
	if (rc == 0 && uuid_out != NULL)
		memcpy(uuid_out, uuid, sizeof(uuid));
done:
	json_decref(row);
	return finish(ctx, rc);
}

/* A rename of a referenced item would leave the referrers dangling. */
static int
check_rename(struct store *st, const struct cfg_section *sec, json_t *old,
    json_t *row, struct cfg_errors *e)
{
	const char *was, *now;

	if (sec->s_namefield == NULL)
		return 0;
	was = cfg_str(old, sec->s_namefield);
	now = cfg_str(row, sec->s_namefield);
	if (strcmp(was, now) == 0)
		return 0;
	return cfg_refs_free(st, sec, was, sec->s_namefield, e);
}

int
cfg_set(struct cfg_ctx *ctx, const struct cfg_section *sec, const char *uuid,
    json_t *in, struct cfg_errors *e)
{
	json_t	*old = NULL, *row = NULL;
	int	 rc = 0, before;

	if (sec->s_flags & CFG_S_SINGLETON)
		return cfg_set_singleton(ctx, sec, in, e);
	if (store_begin(ctx->c_st) == -1)
		return CFG_ESTORE;
	before = users_before(ctx, sec);
	if ((old = cfg_get(ctx->c_st, sec, uuid, 1)) == NULL) {
		rc = CFG_ENOENT;
		goto done;
	}
	row = cfg_validate_mode(ctx->c_st, sec, in, old, uuid, e, V_REFS);
	if (row == NULL) {
		rc = CFG_EINVAL;
		goto done;
	}
	check_unique(ctx->c_st, sec, row, e);
	if (cfg_errors_any(e)) {
		rc = CFG_EINVAL;
		goto done;
	}
	if ((rc = check_rename(ctx->c_st, sec, old, row, e)) != 0)
		goto done;
	if ((rc = cfg_row_write(ctx->c_st, sec, row, 0, e)) == 0)
		rc = users_guard(ctx, sec, before, e, CFG_EINVAL);
	if (rc == 0)
		rc = saved(ctx, sec, "changed", row);
done:
	json_decref(old);
	json_decref(row);
	return finish(ctx, rc);
}

static int
exec_bound(struct store *st, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return CFG_ESTORE;
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	store_stmt_done(st, stmt);
	return rc == SQLITE_DONE ? 0 : CFG_ESTORE;
}

int
cfg_del(struct cfg_ctx *ctx, const struct cfg_section *sec, const char *uuid,
    struct cfg_errors *e)
{
	json_t	*old = NULL;
	char	*sql;
	int	 rc, before;

	if (sec->s_flags & CFG_S_SINGLETON)
		return CFG_ENOENT;
	if (store_begin(ctx->c_st) == -1)
		return CFG_ESTORE;
	before = users_before(ctx, sec);
	if ((old = cfg_get(ctx->c_st, sec, uuid, 0)) == NULL) {
		rc = CFG_ENOENT;
		goto done;
	}
	if (sec == &cfg_sec_interfaces && cfg_bool(old, "locked")) {
		cfg_error(e, "locked", "interface %s is locked against "
		    "deletion", cfg_str(old, "name"));
		rc = CFG_EREF;
		goto done;
	}
	if (sec == &cfg_sec_users && strcmp(cfg_str(old, "name"), "root") ==
	    0) {
		cfg_error(e, "name", "the root user cannot be deleted");
		rc = CFG_EREF;
		goto done;
	}
	if (sec->s_namefield != NULL && (rc = cfg_refs_free(ctx->c_st, sec,
	    cfg_str(old, sec->s_namefield), sec->s_namefield, e)) != 0)
		goto done;
	sql = xasprintf("DELETE FROM %s WHERE uuid = ?", sec->s_name);
	rc = exec_bound(ctx->c_st, sql, uuid, NULL);
	free(sql);
	/* A user's API keys go with the user. */
	if (rc == 0 && sec == &cfg_sec_users)
		rc = exec_bound(ctx->c_st, "DELETE FROM apikeys WHERE user = ?",
		    cfg_str(old, "name"), NULL);
	if (rc == 0)
		rc = users_guard(ctx, sec, before, e, CFG_EREF);
	if (rc == 0)
		rc = saved(ctx, sec, "deleted", old);
done:
	json_decref(old);
	return finish(ctx, rc);
}

int
cfg_toggle(struct cfg_ctx *ctx, const struct cfg_section *sec,
    const char *uuid, int want, int *enabledp, int *changedp,
    struct cfg_errors *errs)
{
	json_t		*old = NULL, *in = NULL;
	struct cfg_errors e;
	int		 inverted, enabled, rc;

	*changedp = 0;
	if (sec->s_toggle == NULL)
		return CFG_ENOENT;
	inverted = strcmp(sec->s_toggle, "disabled") == 0;
	if ((old = cfg_get(ctx->c_st, sec, uuid, 0)) == NULL)
		return CFG_ENOENT;
	enabled = cfg_bool(old, sec->s_toggle) ^ inverted;
	*enabledp = enabled;
	if (want == -1)
		want = !enabled;
	if (want == enabled) {
		json_decref(old);
		return 0;
	}
	cfg_errors_init(&e, sec->s_key);
	in = json_object();
	json_object_set_new(in, sec->s_toggle,
	    json_string((want ^ inverted) ? "1" : "0"));
	rc = cfg_set(ctx, sec, uuid, in, &e);
	if (rc == 0) {
		*enabledp = want;
		*changedp = 1;
	}
	if (errs != NULL)
		json_object_update(errs->e_obj, e.e_obj);
	cfg_errors_free(&e);
	json_decref(in);
	json_decref(old);
	return rc;
}

int
cfg_move_before(struct cfg_ctx *ctx, const struct cfg_section *sec,
    const char *uuid, const char *before_uuid)
{
	json_t		*rows = NULL, *r;
	sqlite3_stmt	*stmt = NULL;
	char		*sql;
	size_t		 i;
	long		 seq = 1;
	int		 rc = CFG_ENOENT, found = 0, target = 0;

	if (!(sec->s_flags & CFG_S_SEQUENCE))
		return CFG_ENOENT;
	if (store_begin(ctx->c_st) == -1)
		return CFG_ESTORE;
	rows = cfg_rows_where(ctx->c_st, sec, NULL, NULL, 0, 0);
	if (rows == NULL) {
		rc = CFG_ESTORE;
		goto done;
	}
	json_array_foreach(rows, i, r) {
		found |= strcmp(cfg_str(r, "uuid"), uuid) == 0;
		target |= strcmp(cfg_str(r, "uuid"), before_uuid) == 0;
	}
	if (!found || !target || strcmp(uuid, before_uuid) == 0)
		goto done;
	/* Renumber 1..n with uuid placed just before before_uuid. */
	sql = xasprintf("UPDATE %s SET sequence = ? WHERE uuid = ?",
	    sec->s_name);
	rc = sqlite3_prepare_v2(store_db(ctx->c_st), sql, -1, &stmt, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		rc = CFG_ESTORE;
		goto done;
	}
	rc = 0;
	json_array_foreach(rows, i, r) {
		const char *u = cfg_str(r, "uuid");

		if (strcmp(u, uuid) == 0)
			continue;
		if (strcmp(u, before_uuid) == 0) {
			sqlite3_bind_int64(stmt, 1, seq++);
			sqlite3_bind_text(stmt, 2, uuid, -1, SQLITE_STATIC);
			rc |= sqlite3_step(stmt) != SQLITE_DONE;
			sqlite3_reset(stmt);
		}
		sqlite3_bind_int64(stmt, 1, seq++);
		sqlite3_bind_text(stmt, 2, u, -1, SQLITE_STATIC);
		rc |= sqlite3_step(stmt) != SQLITE_DONE;
		sqlite3_reset(stmt);
	}
	rc = rc ? CFG_ESTORE : saved(ctx, sec, "reordered", NULL);
done:
	sqlite3_finalize(stmt);
	json_decref(rows);
	return finish(ctx, rc);
}

json_t *
cfg_get_singleton(struct store *st, const struct cfg_section *sec,
    int with_secrets)
{
	json_t *row = row_one(st, sec, NULL, NULL, with_secrets);

	if (row == NULL) {
		row = cfg_defaults(sec);
		if (!with_secrets) {
			const struct cfg_field *f;

			for (f = sec->s_fields; f->f_name != NULL; f++)
				if (cfg_is_secret(f))
					json_object_del(row, f->f_name);
		}
	} else
		json_object_del(row, "uuid");
	return row;
}

int
cfg_set_singleton(struct cfg_ctx *ctx, const struct cfg_section *sec,
    json_t *in, struct cfg_errors *e)
{
	json_t	*old, *row = NULL;
	char	 uuid[UUID_LEN + 1];
	int	 rc, insert;

	if (store_begin(ctx->c_st) == -1)
		return CFG_ESTORE;
	old = row_one(ctx->c_st, sec, NULL, NULL, 1);
	insert = old == NULL;
	if (insert)
		util_uuid(uuid);
	else
		util_strlcpy(uuid, cfg_str(old, "uuid"), sizeof(uuid));
	row = cfg_validate_mode(ctx->c_st, sec, in, old, uuid, e, V_REFS);
	if (row == NULL)
		rc = CFG_EINVAL;
	else if ((rc = cfg_row_write(ctx->c_st, sec, row, insert, e)) == 0)
		rc = saved(ctx, sec, "changed", NULL);
	json_decref(old);
	json_decref(row);
	return finish(ctx, rc);
}
