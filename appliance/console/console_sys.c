/*
 * console_sys.c — options 3-8, 11 and 12: root password, factory
 * defaults, power off, reboot, ping, shell, reload all and update.
 *
 * Commands run with execvp and an argv, never through a shell (except
 * option 8, which is the shell). Typed passwords are read without echo
 * and wiped; generated ones are shown once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "console_int.h"
#include "store.h"
#include "util.h"

#define CON_PW_MIN	8
#define CON_PW_MAX	128
#define CON_PW_GEN	16
#define CON_ARGS	32

static const char con_alnum[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/* A random password of CON_PW_GEN characters into pw; 0 or -1. */
static int
console_genpw(char *pw, size_t len)
{
	unsigned char	rnd[CON_PW_GEN];
	size_t		i;

	if (len <= CON_PW_GEN || util_random(rnd, sizeof(rnd)) == -1)
		return -1;
	for (i = 0; i < CON_PW_GEN; i++)
		pw[i] = con_alnum[rnd[i] % (sizeof(con_alnum) - 1)];
	pw[CON_PW_GEN] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

/* Reads a new password twice, re-prompting until both agree and fit. */
static int
console_ask_password(char *pw, size_t len)
{
	char	again[CON_PW_MAX + 2];
	int	rc;

	for (;;) {
		if ((rc = console_read_secret("New root password: ", pw,
		    len)) != CON_OK)
			break;
		if (strlen(pw) < CON_PW_MIN || strlen(pw) > CON_PW_MAX) {
			printf("A password has %d to %d characters.\n",
			    CON_PW_MIN, CON_PW_MAX);
			continue;
		}
		if ((rc = console_read_secret("Retype the new root password: ",
		    again, sizeof(again))) != CON_OK)
			break;
		if (strcmp(pw, again) == 0)
			break;
		printf("The passwords differ; try again.\n");
	}
	console_wipe(again, sizeof(again));
	if (rc != CON_OK)
		console_wipe(pw, len);
	return rc;
}

/*
 * Sets root's password; a store that never saw a daemon start has no
 * root yet, so root is then added (an admin, through the model).
 */
static int
console_set_root(struct console *c, const char *pw)
{
	struct cfg_ctx		 ctx = { c->c_st, CON_USER, 0 };
	struct cfg_errors	 e;
	json_t			*root, *in;
	char			 uuid[UUID_LEN + 1];
	int			 rc;

	if ((root = cfg_find(c->c_st, cfg_section("users"), "root")) != NULL) {
		json_decref(root);
		return auth_set_password(c->c_st, "root", pw);
	}
	cfg_errors_init(&e, "user");
	in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "root",
	    "password", pw, "scope", "admin", "disabled", "0", "descr",
	    "System Administrator");
	if ((rc = cfg_add(&ctx, cfg_section("users"), in, uuid, &e)) != 0)
		console_print_errors(&e, NULL);
	else
		printf("There was no user root; it is created.\n");
	/* jansson frees without wiping: wipe the copy it holds. */
	explicit_bzero((char *)json_string_value(json_object_get(in,
	    "password")), strlen(pw));
	json_decref(in);
	cfg_errors_free(&e);
	return rc == 0 ? 0 : -1;
}

int
console_password(struct console *c)
{
	char	pw[CON_PW_MAX + 2];
	int	rc, gen, yes;

	pw[0] = '\0';
	printf("The root password will be reset.\n");
	if ((rc = console_confirm("Generate a random password (instead of "
	    "typing one)?", &gen)) != CON_OK)
		return rc;
	if (gen) {
		if (console_genpw(pw, sizeof(pw)) == -1) {
			printf("No random password could be made.\n");
			return CON_OK;
		}
	} else if ((rc = console_ask_password(pw, sizeof(pw))) != CON_OK)
		return rc;
	if ((rc = console_confirm("Reset the root password now?", &yes)) !=
	    CON_OK || !yes) {
		if (rc == CON_OK)
			printf("Nothing was changed.\n");
		goto err;
	}
	if (console_set_root(c, pw) == -1)
		printf("The password was not changed.\n");
	else if (gen)
		printf("The root password is now: %s\n(shown once; write it "
		    "down)\n", pw);
	else
		printf("The root password was changed.\n");
err:
	console_wipe(pw, sizeof(pw));
	return rc;
}

/*
 * The factory defaults plus one user, root, with the hash of pw and the
 * uuid root has now (its API keys then stay with it).
 */
static json_t *
console_factory_snap(struct console *c, const char *pw)
{
	json_t	*snap, *root, *old;
	char	*hash;

	if ((hash = auth_hash(pw)) == NULL)
		return NULL;
	snap = cfg_factory();
	root = cfg_defaults(cfg_section("users"));
	json_object_set_new(root, "name", json_string("root"));
	json_object_set_new(root, "password", json_string(hash));
	json_object_set_new(root, "scope", json_string("admin"));
	json_object_set_new(root, "disabled", json_string("0"));
	json_object_set_new(root, "descr", json_string("System "
	    "Administrator"));
	if ((old = cfg_find(c->c_st, cfg_section("users"), "root")) != NULL)
		json_object_set_new(root, "uuid", json_string(cfg_str(old,
		    "uuid")));
	json_decref(old);
	json_object_set_new(json_object_get(snap, "sections"), "users",
	    json_pack("[o]", root));
	util_free_secret(hash);
	return snap;
}

int
console_factory(struct console *c)
{
	struct cfg_ctx		 ctx = { c->c_st, CON_USER, 0 };
	struct cfg_errors	 e;
	json_t			*snap = NULL;
	char			 pw[CON_PW_GEN + 2], *path;
	int			 rc, yes;

	printf("You are about to reset the firewall to factory defaults.\n"
	    "Interfaces, rules, NAT, VIPs, HA settings, API keys and all "
	    "users but root\nare replaced; root gets a new random password. "
	    "The current configuration is kept\nas a revision (option 13 "
	    "restores it).\n\n");
	if ((rc = console_confirm("Do you want to proceed?", &yes)) != CON_OK)
		return rc;
	if (!yes) {
		printf("Nothing was changed.\n");
		return CON_OK;
	}
	cfg_errors_init(&e, "factory");
	if (console_genpw(pw, sizeof(pw)) == -1 ||
	    (snap = console_factory_snap(c, pw)) == NULL) {
		printf("No random password could be made; nothing was "
		    "changed.\n");
		goto err;
	}
	/* One transaction: the defaults, and no API key survives them. */
	if (store_begin(c->c_st) == -1)
		rc = CFG_ESTORE;
	else {
		rc = cfg_restore(&ctx, snap, "console: reset to factory "
		    "defaults", &e);
		if (rc == 0 && store_exec(c->c_st, "DELETE FROM apikeys") ==
		    -1)
			rc = CFG_ESTORE;
		if (rc != 0)
			store_rollback(c->c_st);
		else if (store_commit(c->c_st) == -1)
			rc = CFG_ESTORE;
	}
	if (rc != 0) {
		printf("The reset was refused; nothing was changed:\n");
		if (rc == CFG_ESTORE)
			printf("  store: %s\n", store_errmsg(c->c_st));
		console_print_errors(&e, NULL);
		rc = CON_OK;
		goto err;
	}
	/* As on first start: also in DIR/initial-password (0600). */
	path = xasprintf("%s/initial-password", c->c_dir);
	pw[CON_PW_GEN] = '\n';
	if (util_write_file(path, pw, CON_PW_GEN + 1, 0600) == -1)
		printf("(could not write %s)\n", path);
	pw[CON_PW_GEN] = '\0';
	free(path);
	printf("The configuration is reset to factory defaults.\n"
	    "The root password is now: %s\n(shown once; also in "
	    "%s/initial-password)\n", pw, c->c_dir);
	console_apply(c, NULL);
err:
	console_wipe(pw, sizeof(pw));
	cfg_errors_free(&e);
	json_decref(snap);
	return rc;
}

/*
 * Runs the first command that exists of a NULL-separated list of argvs
 * (systemctl, then shutdown): refused on the dry platform.
 */
static int
console_power(struct console *c, const char *what, const char *question,
    char *const *cmds[])
{
	const char	*plat = console_platform(c);
	int		 rc, yes, i, st = 127;

	if (strcmp(plat, "dry") == 0) {
		printf("%s is refused: the platform is dry (%s), which "
		    "never changes the host.\n", what, c->c_running[0] ?
		    "the running daemon's" : "no daemon runs; use --platform "
		    "linux to say otherwise");
		return CON_OK;
	}
	if ((rc = console_confirm(question, &yes)) != CON_OK)
		return rc;
	if (!yes) {
		printf("Nothing was done.\n");
		return CON_OK;
	}
	for (i = 0; cmds[i] != NULL && st == 127; i++)
		st = console_run(cmds[i]);
	if (st != 0)
		printf("%s failed (exit status %d).\n", what, st);
	return CON_OK;
}

int
console_poweroff(struct console *c)
{
	static char *const sd[] = { "systemctl", "poweroff", NULL };
	static char *const sh[] = { "shutdown", "-h", "now", NULL };
	static char *const *cmds[] = { sd, sh, NULL };

	return console_power(c, "Power off", "The system will halt and power "
	    "off. Do you want to proceed?", cmds);
}

int
console_reboot(struct console *c)
{
	static char *const sd[] = { "systemctl", "reboot", NULL };
	static char *const sh[] = { "shutdown", "-r", "now", NULL };
	static char *const *cmds[] = { sd, sh, NULL };

	return console_power(c, "Reboot", "The system will reboot. Do you "
	    "want to proceed?", cmds);
}

int
console_ping(struct console *c)
{
	char	 buf[CON_LINE];
	char	*argv[] = { "ping", "-c", "3", buf, NULL };
	int	 rc;

	(void)c;
	for (;;) {
		if ((rc = console_read("Enter a host name or IP address: ",
		    buf, sizeof(buf))) != CON_OK)
			return rc;
		if (buf[0] == '\0')
			printf("No host given: enter a host name or an IPv4 or "
			    "IPv6 address.\n");
		else if (!cfg_check_addr(buf, 0) && !cfg_check_hostname(buf))
			printf("\"%.64s\" is not a host name or an IP "
			    "address.\n", buf);
		else
			break;
	}
	putchar('\n');
	if ((rc = console_run(argv)) != 0 && rc != 1)
		printf("ping ended with status %d.\n", rc);
	return CON_OK;
}

int
console_shell(struct console *c)
{
	char		*argv[2];
	const char	*sh = getenv("SHELL");

	(void)c;
	argv[0] = (char *)(sh != NULL && *sh == '/' ? sh : "/bin/sh");
	argv[1] = NULL;
	printf("Starting %s; type exit to return to the menu.\n", argv[0]);
	console_run(argv);
	return CON_OK;
}

int
console_reload(struct console *c)
{
	printf("Reloading all services: the whole configuration is applied "
	    "again.\n");
	console_apply(c, NULL);
	return CON_OK;
}

/*
 * Splits s (modified) into argv at blanks; '...' and "..." quote. Returns
 * the count, or -1 when too many or a quote is open.
 */
static int
console_split(char *s, char **argv, int max)
{
	char	*o = s, q;
	int	 n = 0;

	while (*s != '\0') {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (n + 1 >= max)
			return -1;
		argv[n++] = o;
		while (*s != '\0' && !isspace((unsigned char)*s)) {
			if (*s == '\'' || *s == '"') {
				q = *s++;
				while (*s != '\0' && *s != q)
					*o++ = *s++;
				if (*s++ != q)
					return -1;
			} else
				*o++ = *s++;
		}
		if (*s != '\0')
			s++;
		*o++ = '\0';
	}
	argv[n] = NULL;
	return n;
}

int
console_update(struct console *c)
{
	json_t	*sys;
	char	*cmd, *argv[CON_ARGS];
	int	 rc = CON_OK, yes, st;

	sys = cfg_get_singleton(c->c_st, cfg_section("system"), 0);
	cmd = xstrdup(cfg_str(sys, "update_command"));
	if (*cmd == '\0') {
		printf("No update command is configured (system "
		    "update_command); nothing to run.\n");
		goto err;
	}
	printf("The update command is: %s\n", cmd);
	if ((rc = console_confirm("Run it now?", &yes)) != CON_OK)
		goto err;
	if (!yes) {
		printf("Nothing was run.\n");
		goto err;
	}
	if (console_split(cmd, argv, CON_ARGS) <= 0) {
		printf("The update command cannot be split into words "
		    "(an open quote, or more than %d words).\n", CON_ARGS - 1);
		goto err;
	}
	st = console_run(argv);
	printf("The update command ended with status %d.\n", st);
err:
	free(cmd);
	json_decref(sys);
	return rc;
}
