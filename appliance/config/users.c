/*
 * users.c — local users. Passwords are kept as slow hashes (auth.c) and
 * never returned; API keys (table apikeys) belong to a user by name.
 */
#include <string.h>

#include <sqlite3.h>

#include "model_int.h"
#include "sections.h"
#include "store.h"

/* xmlrpc: OPNsense's "XMLRPC Library" privilege, config sync only. */
static const char *const user_scopes[] = { "admin", "user", "xmlrpc", NULL };

static const struct cfg_field users_fields[] = {
	{ "name", CFG_NAME, CFG_F_REQUIRED | CFG_F_UNIQUE, 0, 32, NULL, NULL,
	    NULL, "login name" },
	{ "password", CFG_PASSWORD, 0, 8, 128, "", NULL, NULL,
	    "password (write only; at least 8 characters)" },
	{ "scope", CFG_ENUM, CFG_F_REQUIRED, 0, 0, "admin", user_scopes, NULL,
	    "admin (read/write), user (read only) or xmlrpc (config sync "
	    "from an HA master only)" },
	CFG_BOOLF("disabled", "0", "disabled"),
	{ "descr", CFG_TEXT, 0, 0, 255, "", NULL, NULL, "full name" },
	CFG_END
};

static int
users_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	(void)st;
	if (*cfg_str(row, "password") == '\0')
		cfg_error(errs, "password", "a password is required");
	return cfg_errors_any(errs) ? -1 : 0;
}

static int
users_count(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;
	int		 n = -1;

	if ((stmt = store_stmt(st, sql)) == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	store_stmt_done(st, stmt);
	return n;
}

int
cfg_users_admins(struct store *st)
{
	return users_count(st, "SELECT count(*) FROM users WHERE "
	    "scope = 'admin' AND disabled = '0' AND password != ''");
}

/*
 * The lock-out rule, one for every path that writes users (the API,
 * import, import-xml, restore, XML-RPC sync, the console): afterwards an
 * enabled admin with a password must exist, or the write is refused.
 * One exception, the first start: with no user holding a password the
 * daemon gives root a new one (auth_bootstrap), so a store that had no
 * such admin before may stay without. A user imported without a usable
 * hash holds a random one and is disabled, so a config.xml whose only
 * admin has none is refused here. Called inside the writer's
 * transaction; before is cfg_users_admins() at its start. 0, or -1 with
 * the message in e.
 */
int
cfg_users_guard(struct store *st, int before, struct cfg_errors *e)
{
	if (cfg_users_admins(st) > 0)
		return 0;
	if (before == 0 && users_count(st, "SELECT count(*) FROM users "
	    "WHERE password != ''") == 0)
		return 0;
	if (e != NULL)
		cfg_error(e, "users", "no enabled admin user with a password "
		    "would remain; refusing to lock every administrator out");
	return -1;
}

const struct cfg_section cfg_sec_users = {
	.s_name = "users", .s_key = "user", .s_subsys = SUBSYS_USERS,
	.s_syncitem = "users", .s_fields = users_fields,
	.s_namefield = "name", .s_toggle = "disabled", .s_descfield = "name",
	.s_check = users_check,
};
