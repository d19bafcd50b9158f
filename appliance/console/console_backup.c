/*
 * console_backup.c — option 13, restore a backup (OPNsense's restore.sh):
 * the newest 24 revisions, a section by section diff against the current
 * configuration, a confirmation, then cfg_restore (one transaction and a
 * revision of its own) and apply.
 *
 * The diff never prints a secret or a password hash: a changed one shows
 * as "(secret changed)".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "console_int.h"
#include "store.h"
#include "util.h"

#define CON_REVISIONS	24
#define CON_DIFF_LINES	300

struct con_diff {
	int	d_lines;	/* printed so far */
	int	d_hidden;	/* not printed (over CON_DIFF_LINES) */
};

static void
console_diff_line(struct con_diff *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
console_diff_line(struct con_diff *d, const char *fmt, ...)
{
	va_list ap;

	if (d->d_lines >= CON_DIFF_LINES) {
		d->d_hidden++;
		return;
	}
	d->d_lines++;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int
console_is_secret(const struct cfg_section *sec, const char *field)
{
	const struct cfg_field *f = cfg_field(sec, field);

	return f != NULL && (f->f_type == CFG_SECRET ||
	    f->f_type == CFG_PASSWORD);
}

/* What a row is called in the diff. */
static const char *
console_row_label(const struct cfg_section *sec, json_t *row)
{
	const char *p;

	if (sec->s_descfield != NULL && *(p = cfg_str(row,
	    sec->s_descfield)) != '\0')
		return p;
	if (sec->s_namefield != NULL && *(p = cfg_str(row,
	    sec->s_namefield)) != '\0')
		return p;
	return cfg_str(row, "uuid");
}

/* Field by field: "field: now -> then". Returns the count. */
static int
console_diff_fields(struct con_diff *d, const struct cfg_section *sec,
    json_t *now, json_t *then)
{
	const struct cfg_field	*f;
	const char		*a, *b;
	int			 n = 0;

	for (f = sec->s_fields; f->f_name != NULL; f++) {
		a = cfg_str(now, f->f_name);
		b = cfg_str(then, f->f_name);
		if (strcmp(a, b) == 0)
			continue;
		n++;
		if (console_is_secret(sec, f->f_name))
			console_diff_line(d, "      %s: (secret changed)",
			    f->f_name);
		else
			console_diff_line(d, "      %s: \"%.60s\" -> \"%.60s\"",
			    f->f_name, a, b);
	}
	return n;
}

/*
 * The row of rows that is the same item as one: by name where the
 * section has names (a factory reset gives lan a new uuid, not a new
 * meaning), else by uuid.
 */
static json_t *
console_same(const struct cfg_section *sec, json_t *rows, json_t *one)
{
	const char	*key = sec->s_namefield ? sec->s_namefield : "uuid";
	json_t		*row;
	size_t		 i;

	json_array_foreach(rows, i, row)
		if (strcmp(cfg_str(row, key), cfg_str(one, key)) == 0)
			return row;
	return NULL;
}

/* Equal but for the uuid. */
static int
console_row_equal(json_t *a, json_t *b)
{
	json_t	*x = json_copy(a), *y = json_copy(b);
	int	 eq;

	json_object_del(x, "uuid");
	json_object_del(y, "uuid");
	eq = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return eq;
}

/* One list section; the number of rows added, removed or changed. */
static int
console_diff_rows(struct con_diff *d, const struct cfg_section *sec,
    json_t *now, json_t *then)
{
	json_t	*row, *other;
	size_t	 i;
	int	 add = 0, del = 0, chg = 0;

	json_array_foreach(then, i, row) {
		if ((other = console_same(sec, now, row)) == NULL)
			add++;
		else if (!console_row_equal(row, other))
			chg++;
	}
	json_array_foreach(now, i, row)
		if (console_same(sec, then, row) == NULL)
			del++;
	if (add + del + chg == 0)
		return 0;
	console_diff_line(d, "%s: %d added, %d removed, %d changed",
	    sec->s_name, add, del, chg);
	json_array_foreach(then, i, row)
		if (console_same(sec, now, row) == NULL)
			console_diff_line(d, "  + %s", console_row_label(sec,
			    row));
	json_array_foreach(now, i, row)
		if (console_same(sec, then, row) == NULL)
			console_diff_line(d, "  - %s", console_row_label(sec,
			    row));
	json_array_foreach(then, i, row) {
		other = console_same(sec, now, row);
		if (other == NULL || console_row_equal(row, other))
			continue;
		console_diff_line(d, "  ~ %s", console_row_label(sec, row));
		console_diff_fields(d, sec, other, row);
	}
	return add + del + chg;
}

/* Prints what restoring then over now would change; the count. */
static int
console_diff(json_t *now, json_t *then)
{
	const struct cfg_section *const	*s;
	struct con_diff			 d = { 0, 0 };
	json_t				*a, *b, *none = json_array();
	int				 n = 0, k;

	for (s = cfg_sections(); *s != NULL; s++) {
		if ((*s)->s_flags & CFG_S_NOEXPORT)
			continue;
		a = json_object_get(now, (*s)->s_name);
		b = json_object_get(then, (*s)->s_name);
		if (b == NULL)
			continue;	/* restore leaves it as it is */
		if ((*s)->s_flags & CFG_S_SINGLETON) {
			if (json_equal(a, b))
				continue;
			console_diff_line(&d, "%s: changed", (*s)->s_name);
			k = console_diff_fields(&d, *s, a, b);
			n += k > 0 ? 1 : 0;
			continue;
		}
		n += console_diff_rows(&d, *s, a != NULL ? a : none, b);
	}
	json_decref(none);
	if (d.d_hidden > 0)
		printf("... and %d more lines\n", d.d_hidden);
	return n;
}

static int
console_list(json_t *revs)
{
	json_t		*r;
	size_t		 i;
	time_t		 t;
	char		 tbuf[32];

	printf("Restore a backup: the newest %zu revisions.\n\n",
	    json_array_size(revs));
	printf("  %3s  %-7s %-19s  %-12s %s\n", "#", "REV", "TIME", "USER",
	    "DESCRIPTION");
	json_array_foreach(revs, i, r) {
		t = (time_t)json_number_value(json_object_get(r, "time"));
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S",
		    localtime(&t));
		printf("  %3zu  r%-6lld %-19s  %-12.12s %.60s\n", i + 1,
		    (long long)json_integer_value(json_object_get(r, "id")),
		    tbuf, json_string_value(json_object_get(r, "user")) ?
		    json_string_value(json_object_get(r, "user")) : "",
		    json_string_value(json_object_get(r, "description")) ?
		    json_string_value(json_object_get(r, "description")) : "");
	}
	putchar('\n');
	return 0;
}

int
console_restore(struct console *c)
{
	struct cfg_ctx		 ctx = { c->c_st, CON_USER, 0 };
	struct cfg_errors	 e;
	json_t			*revs, *rev = NULL, *cur = NULL, *snap;
	char			*descr = NULL;
	long long		 id;
	long			 pick;
	int			 rc, yes, n;

	cfg_errors_init(&e, "snapshot");
	revs = store_revision_list(c->c_st, CON_REVISIONS);
	if (json_array_size(revs) == 0) {
		printf("There are no revisions to restore.\n");
		rc = CON_OK;
		goto err;
	}
	console_list(revs);
	if ((rc = console_read_number("Enter the number of the backup to "
	    "restore: ", 1, (long)json_array_size(revs), &pick)) != CON_OK)
		goto err;
	id = (long long)json_integer_value(json_object_get(json_array_get(
	    revs, (size_t)pick - 1), "id"));
	if ((rev = store_revision_get(c->c_st, id)) == NULL ||
	    (snap = json_object_get(rev, "snapshot")) == NULL ||
	    (cur = cfg_snapshot(c->c_st, NULL, 1)) == NULL) {
		printf("Revision r%lld cannot be read.\n", id);
		goto err;
	}
	printf("\nWhat restoring r%lld changes in the current "
	    "configuration:\n\n", id);
	n = console_diff(json_object_get(cur, "sections"),
	    json_object_get(snap, "sections"));
	if (n == 0) {
		printf("Nothing: r%lld is the current configuration.\n", id);
		goto err;
	}
	putchar('\n');
	if ((rc = console_confirm("Restore this backup?", &yes)) != CON_OK)
		goto err;
	if (!yes) {
		printf("Nothing was changed.\n");
		goto err;
	}
	descr = xasprintf("console: restored r%lld", id);
	if ((n = cfg_restore(&ctx, snap, descr, &e)) != 0) {
		printf("The backup was refused; nothing was changed:\n");
		if (n == CFG_ESTORE)
			printf("  store: %s\n", store_errmsg(c->c_st));
		console_print_errors(&e, NULL);
		goto err;
	}
	printf("Revision r%lld is restored.\n", id);
	console_apply(c, NULL);
err:
	free(descr);
	cfg_errors_free(&e);
	json_decref(cur);
	json_decref(rev);
	json_decref(revs);
	return rc;
}
