/*
 * users.c — local users. Passwords are kept as slow hashes (auth.c) and
 * never returned; API keys (table apikeys) belong to a user by name.
 */
#include <string.h>

#include "sections.h"

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

const struct cfg_section cfg_sec_users = {
	.s_name = "users", .s_key = "user", .s_subsys = "users",
	.s_syncitem = "users", .s_fields = users_fields,
	.s_namefield = "name", .s_toggle = "disabled", .s_descfield = "name",
	.s_check = users_check,
};
