/*
 * test_config.c — the configuration model against a real SQLite store:
 * a table of field values (one or more per field kind) accepted or
 * refused, references, restore atomicity, search, secrets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth.h"
#include "config/config.h"
#include "store.h"
#include "testutil.h"
#include "util.h"

/* Adds a row from a JSON text; returns the cfg_add code. */
static int
add(struct tu_fx *fx, const char *section, const char *json, char *uuid,
    json_t **errs)
{
	const struct cfg_section	*sec = cfg_section(section);
	struct cfg_errors		 e;
	json_error_t			 jerr;
	json_t				*in = json_loads(json, 0, &jerr);
	char				 u[UUID_LEN + 1];
	int				 rc;

	assert_non_null(sec);
	if (in == NULL)
		fail_msg("bad test JSON %s: %s", json, jerr.text);
	cfg_errors_init(&e, sec->s_key);
	rc = cfg_add(&fx->ctx, sec, in, uuid ? uuid : u, &e);
	if (errs != NULL) {
		*errs = e.e_obj;
		e.e_obj = NULL;
	}
	cfg_errors_free(&e);
	json_decref(in);
	return rc;
}

static const char *
snaphash(struct tu_fx *fx, char out[65])
{
	json_t *s = cfg_snapshot(fx->st, NULL, 1);

	cfg_hash(s, out);
	json_decref(s);
	return out;
}

/*
 * One row per case: section, a valid base row, the field to override,
 * the value (JSON), and whether it must be accepted.
 */
struct vcase {
	const char	*section;
	const char	*base;
	const char	*field;
	const char	*value;
	int		 ok;
};

#define RULE	"{\"interface\":\"lan\",\"protocol\":\"tcp\""
#define VIP	"{\"mode\":\"carp\",\"interface\":\"lan\",\"subnet\":" \
		"\"192.168.1.250\",\"subnet_bits\":\"24\",\"vhid\":\"5\"," \
		"\"password\":\"pw\""
#define GW	"{\"name\":\"GW1\",\"interface\":\"lan\",\"gateway\":\"10.0.0.1\""
/* The factory wan is in DHCP mode. */
#define GWW	"{\"name\":\"GW2\",\"interface\":\"wan\""
#define ALIAS	"{\"name\":\"a1\",\"type\":\"host\""
#define CRON	"{\"command\":\"ha_sync\""

static const struct vcase vcases[] = {
	/* addresses */
	{ "gateways", GW, "gateway", "\"10.0.0.254\"", 1 },
	{ "gateways", GW, "gateway", "\"10.0.0.256\"", 0 },
	{ "gateways", GW, "gateway", "\"fe80::1\"", 0 },	/* inet gw */
	{ "gateways", GW, "gateway", "\"10.0.0.1; drop\"", 0 },
	/* DHCP: the lease's router, never a static one */
	{ "gateways", GWW, "gateway", "\"10.0.0.1\"", 0 },
	{ "gateways", GWW, "gateway", "\"dynamic\"", 1 },
	{ "gateways", GW, "gateway", "\"dynamic\"", 0 },	/* lan static */
	/* a CARP VIP lives in a static subnet of its interface */
	{ "vips", VIP, "interface", "\"wan\"", 0 },
	{ "vips", VIP, "subnet", "\"10.9.9.9\"", 0 },
	/* CIDRs, host bits */
	{ "filter_rules", RULE, "source_net", "\"10.1.0.0/16\"", 1 },
	{ "filter_rules", RULE, "source_net", "\"10.1.0.5/16\"", 0 },
	{ "filter_rules", RULE, "source_net", "\"10.1.0.0/33\"", 0 },
	{ "filter_rules", RULE, "source_net", "\"2001:db8::/32\"", 0 },
	{ "filter_rules", RULE, "source_net", "\"lanip\"", 1 },
	{ "filter_rules", RULE, "source_net", "\"nosuchalias\"", 0 },
	/* ports and ranges */
	{ "filter_rules", RULE, "destination_port", "\"443\"", 1 },
	{ "filter_rules", RULE, "destination_port", "\"1024:2048\"", 1 },
	{ "filter_rules", RULE, "destination_port", "\"2048:1024\"", 0 },
	{ "filter_rules", RULE, "destination_port", "\"65536\"", 0 },
	{ "filter_rules", RULE, "destination_port", "\"0\"", 0 },
	{ "filter_rules", RULE, "destination_port", "\"80 443\"", 0 },
	/* enums */
	{ "filter_rules", RULE, "action", "\"reject\"", 1 },
	{ "filter_rules", RULE, "action", "\"allow\"", 0 },
	{ "filter_rules", RULE, "direction", "\"sideways\"", 0 },
	/* booleans */
	{ "filter_rules", RULE, "log", "true", 1 },
	{ "filter_rules", RULE, "log", "\"maybe\"", 0 },
	{ "filter_rules", RULE, "log", "{}", 0 },
	/* int bounds */
	{ "filter_rules", RULE, "sequence", "999999", 1 },
	{ "filter_rules", RULE, "sequence", "1000000", 0 },
	{ "filter_rules", RULE, "sequence", "\"12abc\"", 0 },
	{ "vips", VIP, "vhid", "\"255\"", 1 },
	{ "vips", VIP, "vhid", "\"0\"", 0 },
	{ "vips", VIP, "vhid", "\"256\"", 0 },
	{ "vips", VIP, "advskew", "\"254\"", 1 },
	{ "vips", VIP, "advskew", "\"255\"", 0 },
	{ "vips", VIP, "advbase", "\"0\"", 0 },
	{ "vips", VIP, "advbase", "\"254\"", 1 },
	{ "vips", VIP, "password", "\"01234567890123456789\"", 0 },
	{ "vips", VIP, "subnet_bits", "\"33\"", 0 },
	/* names and lengths */
	{ "aliases", ALIAS, "name", "\"web_servers\"", 1 },
	{ "aliases", ALIAS, "name", "\"web servers\"", 0 },
	{ "aliases", ALIAS, "name", "\"x\\\"; flush ruleset\"", 0 },
	{ "aliases", ALIAS, "name", "\"any\"", 0 },
	{ "aliases", ALIAS, "name", "\"lan\"", 0 },
	{ "aliases", ALIAS, "name",
	    "\"abcdefghijabcdefghijabcdefghijabc\"", 0 },
	{ "aliases", ALIAS, "content", "\"10.0.0.1\\n10.0.0.2\"", 1 },
	{ "aliases", ALIAS, "content", "\"10.0.0.1,nothost\"", 0 },
	/* text: control characters, NUL, overlong, bad UTF-8 */
	{ "filter_rules", RULE, "description", "\"caf\\u00e9 \\\"ok\\\"\"", 1 },
	{ "filter_rules", RULE, "description", "\"a\\nb\"", 0 },
	{ "filter_rules", RULE, "description", "\"a\\u001bb\"", 0 },
	{ "filter_rules", RULE, "unknownfield", "\"1\"", 0 },
	/* references */
	{ "filter_rules", RULE, "interface", "\"opt9\"", 0 },
	{ "filter_rules", RULE, "gateway", "\"NOGW\"", 0 },
	/* cron fields */
	{ "cron_jobs", CRON, "minute", "\"*/5\"", 1 },
	{ "cron_jobs", CRON, "minute", "\"60\"", 0 },
	{ "cron_jobs", CRON, "hour", "\"1-5,22\"", 1 },
	{ "cron_jobs", CRON, "weekday", "\"8\"", 0 },
	/* hosts and peers */
	{ "system", NULL, "hostname", "\"fw-1\"", 1 },
	{ "system", NULL, "hostname", "\"-fw\"", 0 },
	{ "system", NULL, "hostname", "\"fw.example.org\"", 0 },
	{ "system", NULL, "hostname", "\"\"", 1 },
	/* the zone must be a compiled zone file, by a relative name */
	{ "system", NULL, "timezone", "\"Europe/Berlin\"", 1 },
	{ "system", NULL, "timezone", "\"Etc/GMT+5\"", 1 },
	{ "system", NULL, "timezone", "\"Europe/Nowhere\"", 0 },
	{ "system", NULL, "timezone", "\"../../etc/passwd\"", 0 },
	{ "system", NULL, "timezone", "\"Europe/../UTC\"", 0 },
	{ "system", NULL, "timezone", "\"/UTC\"", 0 },
	{ "system", NULL, "timezone", "\"Europe\"", 0 },
	{ "system", NULL, "dnsserver", "\"192.0.2.1, 2001:db8::1\"", 1 },
	{ "system", NULL, "dnsserver", "\"dns.example\"", 0 },
	{ "system", NULL, "webgui_port", "\"\"", 1 },
	{ "system", NULL, "webgui_port", "\"65536\"", 0 },
	{ "system", NULL, "webgui_protocol", "\"\"", 1 },
	{ "system", NULL, "webgui_protocol", "\"ftp\"", 0 },
	{ "hasync", NULL, "pfsyncpeerip", "\"11.11.0.2\"", 1 },
	{ "hasync", NULL, "pfsyncpeerip", "\"11.11.0.300\"", 0 },
	{ "hasync", NULL, "pfsyncinterface", "\"nosuchif\"", 0 },
	{ "hasync", NULL, "synchronizetoip", "\"ftp://x\"", 0 },
};

static void
test_validation_table(void **state)
{
	struct tu_fx		*fx = *state;
	size_t			 i;
	char			 text[512], key[128];
	json_t			*errs = NULL, *in;
	json_error_t		 jerr;
	int			 rc;

	for (i = 0; i < nitems(vcases); i++) {
		const struct vcase		*c = &vcases[i];
		const struct cfg_section	*sec = cfg_section(c->section);
		struct cfg_errors		 e;

		if (c->base != NULL) {
			snprintf(text, sizeof(text), "%s,\"%s\":%s}", c->base,
			    c->field, c->value);
			rc = add(fx, c->section, text, NULL, &errs);
		} else {
			snprintf(text, sizeof(text), "{\"%s\":%s}", c->field,
			    c->value);
			in = json_loads(text, 0, &jerr);
			assert_non_null(in);
			cfg_errors_init(&e, sec->s_key);
			rc = cfg_set_singleton(&fx->ctx, sec, in, &e);
			errs = e.e_obj;
			e.e_obj = NULL;
			json_decref(in);
		}
		snprintf(key, sizeof(key), "%s.%s", sec->s_key, c->field);
		if (c->ok && rc != 0) {
			char *m = json_dumps(errs, 0);
			fail_msg("case %zu %s=%s refused: %s", i, c->field,
			    c->value, m);
		}
		if (!c->ok) {
			if (rc != CFG_EINVAL)
				fail_msg("case %zu %s=%s accepted", i,
				    c->field, c->value);
			/* The message names the field. */
			if (json_object_get(errs, key) == NULL) {
				char *m = json_dumps(errs, 0);
				fail_msg("case %zu: no message for %s: %s", i,
				    key, m);
			}
		}
		json_decref(errs);
		errs = NULL;
		/* Each accepted alias must go, or the next add collides. */
		if (c->ok && strcmp(c->section, "aliases") == 0)
			assert_int_equal(store_exec(fx->st,
			    "DELETE FROM aliases"), 0);
		if (c->ok && strcmp(c->section, "vips") == 0)
			assert_int_equal(store_exec(fx->st,
			    "DELETE FROM vips"), 0);
		if (c->ok && strcmp(c->section, "gateways") == 0)
			assert_int_equal(store_exec(fx->st,
			    "DELETE FROM gateways"), 0);
	}
}

static void
test_crud_and_toggle(void **state)
{
	struct tu_fx			*fx = *state;
	const struct cfg_section	*sec = cfg_section("filter_rules");
	struct cfg_errors		 e;
	char				 uuid[UUID_LEN + 1];
	json_t				*row, *in;
	int				 en, ch;

	assert_int_equal(add(fx, "filter_rules", RULE ",\"destination_port\":"
	    "\"22\",\"description\":\"ssh\"}", uuid, NULL), 0);
	row = cfg_get(fx->st, sec, uuid, 0);
	assert_string_equal(cfg_str(row, "destination_port"), "22");
	assert_string_equal(cfg_str(row, "action"), "pass");	/* default */
	assert_string_equal(cfg_str(row, "sequence"), "3");	/* after 2 */
	json_decref(row);

	cfg_errors_init(&e, "rule");
	in = json_pack("{s:s}", "action", "block");
	assert_int_equal(cfg_set(&fx->ctx, sec, uuid, in, &e), 0);
	json_decref(in);
	row = cfg_get(fx->st, sec, uuid, 0);
	assert_string_equal(cfg_str(row, "action"), "block");
	assert_string_equal(cfg_str(row, "destination_port"), "22"); /* kept */
	json_decref(row);

	assert_int_equal(cfg_toggle(&fx->ctx, sec, uuid, -1, &en, &ch, NULL), 0);
	assert_int_equal(en, 0);
	assert_int_equal(ch, 1);
	assert_int_equal(cfg_toggle(&fx->ctx, sec, uuid, 0, &en, &ch, NULL), 0);
	assert_int_equal(ch, 0);

	assert_int_equal(cfg_del(&fx->ctx, sec, uuid, &e), 0);
	assert_null(cfg_get(fx->st, sec, uuid, 0));
	assert_int_equal(cfg_del(&fx->ctx, sec, uuid, &e), CFG_ENOENT);
	cfg_errors_free(&e);
}

static void
test_references(void **state)
{
	struct tu_fx	*fx = *state;
	struct cfg_errors e;
	char		 alias[UUID_LEN + 1], gw[UUID_LEN + 1];
	char		 vip[UUID_LEN + 1], h1[65], h2[65];
	json_t		*errs, *in;
	const char	*msg;

	assert_int_equal(add(fx, "aliases", "{\"name\":\"web\",\"type\":"
	    "\"host\",\"content\":\"10.0.0.5\"}", alias, NULL), 0);
	assert_int_equal(add(fx, "filter_rules", RULE ",\"destination_net\":"
	    "\"web\",\"description\":\"to web\"}", NULL, NULL), 0);
	assert_int_equal(add(fx, "gateways", GW "}", gw, NULL), 0);
	assert_int_equal(add(fx, "routes", "{\"network\":\"10.9.0.0/16\","
	    "\"gateway\":\"GW1\"}", NULL, NULL), 0);
	assert_int_equal(add(fx, "vips", VIP "}", vip, NULL), 0);
	assert_int_equal(add(fx, "snat_rules", "{\"interface\":\"wan\","
	    "\"target\":\"192.168.1.250\"}", NULL, NULL), 0);

	snaphash(fx, h1);
	cfg_errors_init(&e, "alias");
	assert_int_equal(cfg_del(&fx->ctx, cfg_section("aliases"), alias, &e),
	    CFG_EREF);
	msg = json_string_value(json_object_get(e.e_obj, "alias.name"));
	assert_non_null(msg);
	assert_non_null(strstr(msg, "to web"));		/* names the referrer */
	cfg_errors_free(&e);

	/* A rename would dangle as well. */
	cfg_errors_init(&e, "alias");
	in = json_pack("{s:s}", "name", "web2");
	assert_int_equal(cfg_set(&fx->ctx, cfg_section("aliases"), alias, in,
	    &e), CFG_EREF);
	json_decref(in);
	cfg_errors_free(&e);

	cfg_errors_init(&e, "gateway");
	assert_int_equal(cfg_del(&fx->ctx, cfg_section("gateways"), gw, &e),
	    CFG_EREF);
	cfg_errors_free(&e);
	cfg_errors_init(&e, "vip");
	assert_int_equal(cfg_del(&fx->ctx, cfg_section("vips"), vip, &e),
	    CFG_EREF);
	cfg_errors_free(&e);
	assert_string_equal(snaphash(fx, h2), h1);	/* nothing changed */

	/* The same VHID twice on one interface. */
	assert_int_equal(add(fx, "vips", "{\"mode\":\"carp\",\"interface\":"
	    "\"lan\",\"subnet\":\"192.168.1.251\",\"subnet_bits\":\"24\","
	    "\"vhid\":\"5\",\"password\":\"pw\"}", NULL, &errs), CFG_EINVAL);
	assert_non_null(json_object_get(errs, "vip.vhid"));
	json_decref(errs);
}

static void
test_secrets(void **state)
{
	struct tu_fx			*fx = *state;
	const struct cfg_section	*users = cfg_section("users");
	char				 uuid[UUID_LEN + 1];
	json_t				*row, *snap, *in;
	struct cfg_errors		 e;

	assert_int_equal(add(fx, "users", "{\"name\":\"alice\",\"password\":"
	    "\"correct horse\"}", uuid, NULL), 0);
	row = cfg_get(fx->st, users, uuid, 0);
	assert_null(json_object_get(row, "password"));	/* never returned */
	json_decref(row);
	row = cfg_get(fx->st, users, uuid, 1);
	assert_true(cfg_str(row, "password")[0] == '$');	/* a hash */
	assert_null(strstr(cfg_str(row, "password"), "correct horse"));
	assert_true(auth_verify("correct horse", cfg_str(row, "password")));
	json_decref(row);

	/* An empty secret on set keeps the stored one. */
	assert_int_equal(add(fx, "vips", VIP "}", uuid, NULL), 0);
	cfg_errors_init(&e, "vip");
	in = json_pack("{s:s,s:s}", "password", "", "descr", "x");
	assert_int_equal(cfg_set(&fx->ctx, cfg_section("vips"), uuid, in, &e),
	    0);
	json_decref(in);
	cfg_errors_free(&e);
	row = cfg_get(fx->st, cfg_section("vips"), uuid, 1);
	assert_string_equal(cfg_str(row, "password"), "pw");
	json_decref(row);

	snap = cfg_snapshot(fx->st, NULL, 0);
	row = json_array_get(json_object_get(json_object_get(snap, "sections"),
	    "vips"), 0);
	assert_null(json_object_get(row, "password"));
	json_decref(snap);
}

static void
test_restore_atomic(void **state)
{
	struct tu_fx		*fx = *state;
	struct cfg_errors	 e;
	json_t			*snap, *rules, *bad;
	char			 h1[65], h2[65];

	assert_int_equal(add(fx, "aliases", "{\"name\":\"web\",\"type\":"
	    "\"host\",\"content\":\"10.0.0.5\"}", NULL, NULL), 0);
	snap = cfg_snapshot(fx->st, NULL, 1);
	snaphash(fx, h1);

	/* A rule naming an alias the snapshot no longer has: all refused. */
	bad = json_deep_copy(snap);
	json_object_set_new(json_object_get(bad, "sections"), "aliases",
	    json_array());
	rules = json_object_get(json_object_get(bad, "sections"),
	    "filter_rules");
	json_object_set_new(json_array_get(rules, 0), "destination_net",
	    json_string("web"));
	cfg_errors_init(&e, "import");
	assert_int_equal(cfg_restore(&fx->ctx, bad, "bad", &e), CFG_EINVAL);
	assert_true(cfg_errors_any(&e));
	cfg_errors_free(&e);
	assert_string_equal(snaphash(fx, h2), h1);

	/* An unknown section is refused before anything is written. */
	json_object_set_new(json_object_get(bad, "sections"), "bogus",
	    json_array());
	cfg_errors_init(&e, "import");
	assert_int_equal(cfg_restore(&fx->ctx, bad, "bad", &e), CFG_EINVAL);
	assert_non_null(json_object_get(e.e_obj, "import.bogus"));
	cfg_errors_free(&e);
	json_decref(bad);

	/* A backup without users would lock everyone out. */
	assert_int_equal(add(fx, "users", "{\"name\":\"root\",\"password\":"
	    "\"rootpassword\"}", NULL, NULL), 0);
	bad = json_pack("{s:i,s:{s:[]}}", "format", 1, "sections", "users");
	cfg_errors_init(&e, "import");
	assert_int_equal(cfg_restore(&fx->ctx, bad, "bad", &e), CFG_EINVAL);
	assert_non_null(json_object_get(e.e_obj, "import.users"));
	cfg_errors_free(&e);
	json_decref(bad);
	json_decref(snap);
	snap = cfg_snapshot(fx->st, NULL, 1);
	snaphash(fx, h1);

	/* The snapshot itself restores to the same hash. */
	cfg_errors_init(&e, "import");
	assert_int_equal(cfg_restore(&fx->ctx, snap, "again", &e), 0);
	cfg_errors_free(&e);
	assert_string_equal(snaphash(fx, h2), h1);
	json_decref(snap);
}

/* Restores snap with its users' field set to val in every row. */
static int
restore_users_with(struct tu_fx *fx, json_t *snap, const char *field,
    const char *val)
{
	struct cfg_errors	 e;
	json_t			*copy = json_deep_copy(snap), *row;
	size_t			 i;
	int			 rc;

	json_array_foreach(json_object_get(json_object_get(copy, "sections"),
	    "users"), i, row)
		json_object_set_new(row, field, json_string(val));
	cfg_errors_init(&e, "import");
	rc = cfg_restore(&fx->ctx, copy, "users", &e);
	if (rc != 0)
		assert_non_null(json_object_get(e.e_obj, "import.users"));
	cfg_errors_free(&e);
	json_decref(copy);
	return rc;
}

/*
 * The lock-out rule (users.c), for restores and row writes alike: an
 * enabled admin with a password must remain, except before the first
 * start (no user has a password: the daemon's bootstrap gives root one).
 */
static void
test_lockout_rule(void **state)
{
	struct tu_fx			*fx = *state;
	const struct cfg_section	*users = cfg_section("users");
	struct cfg_errors		 e;
	json_t				*snap, *empty, *in;
	char				 root[UUID_LEN + 1], bob[UUID_LEN + 1];
	int				 en, ch;

	/* First start: no users at all, an empty list may be restored. */
	empty = json_pack("{s:i,s:{s:[]}}", "format", 1, "sections", "users");
	cfg_errors_init(&e, "import");
	assert_int_equal(cfg_restore(&fx->ctx, empty, "empty", &e), 0);
	cfg_errors_free(&e);
	/* But not users with passwords and no admin among them. */
	assert_int_equal(add(fx, "users", "{\"name\":\"carol\",\"password\":"
	    "\"carolpassword\",\"scope\":\"user\"}", NULL, NULL), CFG_EINVAL);

	assert_int_equal(add(fx, "users", "{\"name\":\"root\",\"password\":"
	    "\"rootpassword\"}", root, NULL), 0);
	snap = cfg_snapshot(fx->st, NULL, 1);
	/* A restore whose only admin is disabled or read-only: refused. */
	assert_int_equal(restore_users_with(fx, snap, "disabled", "1"),
	    CFG_EINVAL);
	assert_int_equal(restore_users_with(fx, snap, "scope", "user"),
	    CFG_EINVAL);
	cfg_errors_init(&e, "import");
	assert_int_equal(cfg_restore(&fx->ctx, empty, "empty", &e),
	    CFG_EINVAL);
	cfg_errors_free(&e);

	/* Row writes: the last admin cannot be disabled or demoted. */
	cfg_errors_init(&e, "user");
	assert_int_equal(cfg_toggle(&fx->ctx, users, root, 0, &en, &ch, &e),
	    CFG_EINVAL);
	assert_non_null(json_object_get(e.e_obj, "user.users"));
	cfg_errors_free(&e);
	assert_int_equal(add(fx, "users", "{\"name\":\"bob\",\"password\":"
	    "\"bobpassword\"}", bob, NULL), 0);
	assert_int_equal(cfg_toggle(&fx->ctx, users, root, 0, &en, &ch, NULL),
	    0);					/* bob remains */
	cfg_errors_init(&e, "user");
	in = json_pack("{s:s}", "scope", "user");
	assert_int_equal(cfg_set(&fx->ctx, users, bob, in, &e), CFG_EINVAL);
	json_decref(in);
	cfg_errors_free(&e);
	cfg_errors_init(&e, "user");
	assert_int_equal(cfg_del(&fx->ctx, users, bob, &e), CFG_EREF);
	cfg_errors_free(&e);
	/* Nothing of the refused writes stayed. */
	assert_int_equal(cfg_toggle(&fx->ctx, users, root, 1, &en, &ch, NULL),
	    0);
	assert_int_equal(cfg_del(&fx->ctx, users, bob, NULL), 0);
	json_decref(snap);
	json_decref(empty);
}

/* Revision N rebuilt by undoing every later save has N's exact hash. */
static void
test_revision_rewind(void **state)
{
	struct tu_fx	*fx = *state;
	struct cfg_errors e;
	json_t		*list, *rev, *in;
	char		 h[4][65], got[65], uuid[UUID_LEN + 1];
	long long	 ids[4];
	int		 i, en, ch;

	assert_int_equal(add(fx, "aliases", "{\"name\":\"web\",\"type\":"
	    "\"host\",\"content\":\"10.0.0.5\"}", uuid, NULL), 0);
	for (i = 0; i < 4; i++) {
		cfg_errors_init(&e, "alias");
		switch (i) {
		case 0:
			in = json_pack("{s:s}", "content", "10.0.0.6");
			assert_int_equal(cfg_set(&fx->ctx,
			    cfg_section("aliases"), uuid, in, &e), 0);
			json_decref(in);
			break;
		case 1:
			assert_int_equal(cfg_toggle(&fx->ctx,
			    cfg_section("aliases"), uuid, 0, &en, &ch, NULL),
			    0);
			break;
		case 2:
			assert_int_equal(add(fx, "filter_rules", RULE "}",
			    NULL, NULL), 0);
			break;
		case 3:
			assert_int_equal(cfg_del(&fx->ctx,
			    cfg_section("aliases"), uuid, &e), 0);
			break;
		}
		cfg_errors_free(&e);
		snaphash(fx, h[i]);
		list = store_revision_list(fx->st, 1);
		ids[i] = json_integer_value(json_object_get(
		    json_array_get(list, 0), "id"));
		json_decref(list);
	}
	for (i = 0; i < 4; i++) {
		rev = store_revision_get(fx->st, ids[i]);
		assert_non_null(rev);
		cfg_hash(json_object_get(rev, "snapshot"), got);
		assert_string_equal(got, h[i]);
		json_decref(rev);
	}
	/* Restoring revision 0 brings that configuration back. */
	rev = store_revision_get(fx->st, ids[0]);
	cfg_errors_init(&e, "restore");
	assert_int_equal(cfg_restore(&fx->ctx, json_object_get(rev,
	    "snapshot"), "restored", &e), 0);
	cfg_errors_free(&e);
	json_decref(rev);
	assert_string_equal(snaphash(fx, got), h[0]);
}

static void
test_search(void **state)
{
	struct tu_fx	*fx = *state;
	struct cfg_query q = { 0 };
	json_t		*res, *rows;
	char		 text[256];
	int		 i;

	assert_int_equal(store_begin(fx->st), 0);
	fx->ctx.c_batch = 1;
	for (i = 0; i < 25; i++) {
		snprintf(text, sizeof(text), RULE ",\"destination_port\":"
		    "\"%d\",\"description\":\"rule %02d%s\"}", 1000 + i, i,
		    i % 5 == 0 ? " web" : "");
		assert_int_equal(add(fx, "filter_rules", text, NULL, NULL), 0);
	}
	fx->ctx.c_batch = 0;
	assert_int_equal(store_commit(fx->st), 0);

	q.q_current = 2;
	q.q_rowcount = 10;
	res = cfg_search(fx->st, cfg_section("filter_rules"), &q);
	assert_int_equal(json_integer_value(json_object_get(res, "total")), 27);
	assert_int_equal(json_integer_value(json_object_get(res, "rowCount")),
	    10);
	json_decref(res);

	q.q_current = 1;
	q.q_phrase = "rule web";		/* both words */
	q.q_sort = "destination_port";
	q.q_desc = 1;
	res = cfg_search(fx->st, cfg_section("filter_rules"), &q);
	assert_int_equal(json_integer_value(json_object_get(res, "total")), 5);
	rows = json_object_get(res, "rows");
	assert_string_equal(cfg_str(json_array_get(rows, 0),
	    "destination_port"), "1020");
	json_decref(res);

	q.q_phrase = "100%";			/* a wildcard is literal */
	res = cfg_search(fx->st, cfg_section("filter_rules"), &q);
	assert_int_equal(json_integer_value(json_object_get(res, "total")), 0);
	json_decref(res);
}

/* The page memo never answers with data older than the last write. */
static void
test_search_memo(void **state)
{
	struct tu_fx	*fx = *state;
	struct cfg_query q = { 0 };
	struct store	*other;
	char		 err[256], *a, *b;
	json_t		*in;
	struct cfg_errors e;
	struct cfg_ctx	 octx;

	q.q_rowcount = 50;
	a = cfg_search_text(fx->st, cfg_section("aliases"), &q);
	b = cfg_search_text(fx->st, cfg_section("aliases"), &q);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "\"total\":0"));
	free(a);
	free(b);
	/* A write through this connection ... */
	assert_int_equal(add(fx, "aliases", "{\"name\":\"one\",\"type\":"
	    "\"host\"}", NULL, NULL), 0);
	a = cfg_search_text(fx->st, cfg_section("aliases"), &q);
	assert_non_null(strstr(a, "\"total\":1"));
	free(a);
	/* ... and through another one. */
	other = store_open(fx->dir, err, sizeof(err));
	assert_non_null(other);
	octx.c_st = other;
	octx.c_user = "other";
	octx.c_batch = 0;
	in = json_pack("{s:s,s:s}", "name", "two", "type", "host");
	cfg_errors_init(&e, "alias");
	assert_int_equal(cfg_add(&octx, cfg_section("aliases"), in, err, &e),
	    0);
	cfg_errors_free(&e);
	json_decref(in);
	store_close(other);
	a = cfg_search_text(fx->st, cfg_section("aliases"), &q);
	assert_non_null(strstr(a, "\"total\":2"));
	assert_non_null(strstr(a, "\"two\""));
	free(a);
}

static void
test_move_before(void **state)
{
	struct tu_fx			*fx = *state;
	const struct cfg_section	*sec = cfg_section("filter_rules");
	char				 a[UUID_LEN + 1], b[UUID_LEN + 1];
	struct cfg_query		 q = { 0 };
	json_t				*res;

	assert_int_equal(add(fx, "filter_rules", RULE ",\"description\":"
	    "\"A\"}", a, NULL), 0);
	assert_int_equal(add(fx, "filter_rules", RULE ",\"description\":"
	    "\"B\"}", b, NULL), 0);
	assert_int_equal(cfg_move_before(&fx->ctx, sec, b, a), 0);
	q.q_rowcount = -1;
	res = cfg_search(fx->st, sec, &q);
	assert_string_equal(cfg_str(json_array_get(json_object_get(res,
	    "rows"), 2), "description"), "B");
	assert_string_equal(cfg_str(json_array_get(json_object_get(res,
	    "rows"), 3), "description"), "A");
	json_decref(res);
	assert_int_equal(cfg_move_before(&fx->ctx, sec, b, "nope"),
	    CFG_ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_validation_table, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_crud_and_toggle, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_references, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_secrets, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_restore_atomic, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_revision_rewind, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_lockout_rule, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_search, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_search_memo, tu_setup,
		    tu_teardown),
		cmocka_unit_test_setup_teardown(test_move_before, tu_setup,
		    tu_teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
