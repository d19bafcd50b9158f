/*
 * main.c — `twinwall <command>`: a table of commands, each with its own
 * getopt_long options. Local tools open the store directly and reach a
 * running daemon through DIR/control.sock (control.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "apply.h"
#include "cli.h"
#include "auth.h"
#include "store_dir.h"
#include "config.h"
#include "console.h"
#include "control.h"
#include "daemon.h"
#include "ipc.h"
#include "log.h"
#include "render.h"
#include "store.h"
#include "util.h"
#include "webapi.h"

#define PASSWORD_MIN	8
#define PASSWORD_MAX	128

struct command {
	const char	*c_name;
	int		(*c_fn)(int, char **);
	const char	*c_usage;
	const char	*c_help;
};

static int	cmd_daemon(int, char **);
static int	cmd_apikey(int, char **);
static int	cmd_passwd(int, char **);
static int	cmd_check(int, char **);
static int	cmd_export(int, char **);
static int	cmd_import(int, char **);
static int	cmd_apply(int, char **);
static int	cmd_status(int, char **);
static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

static const struct command commands[] = {
	{ "sync", cli_sync, "sync --data DIR [--restart]", "push hasync."
	    "syncitems to the HA peer (every CARP VIP must be MASTER)" },
	{ "console", console_main, "console --data DIR "
	    "[--platform dry|linux|freebsd]", "the console setup menu" },
	{ "daemon", cmd_daemon, "daemon --data DIR --listen ADDR:PORT "
	    "[--platform dry|linux|freebsd] [--no-tls] [--user NAME] "
	    "[--www DIR] [--limit NAME=VALUE|help]... [-d]",
	    "run the appliance (root parent + API child)" },
	{ "apikey", cmd_apikey, "apikey --data DIR --user NAME "
	    "[--descr TEXT]", "create an API key; prints KEY SECRET" },
	{ "passwd", cmd_passwd, "passwd --data DIR [--user NAME]",
	    "set a user's password (default root)" },
	{ "check", cmd_check, "check --data DIR",
	    "validate the stored configuration and render it" },
	{ "export", cmd_export, "export --data DIR [FILE]",
	    "write the configuration snapshot, secrets included" },
	{ "import", cmd_import, "import --data DIR FILE",
	    "replace the configuration with a snapshot, all or nothing" },
	{ "apply", cmd_apply, "apply --data DIR [SUBSYS...]",
	    "ask the running daemon to apply the stored configuration" },
	{ "status", cmd_status, "status --data DIR",
	    "ask the running daemon how it is" },
	{ "import-xml", cli_import_xml, "import-xml --data DIR [--partial] "
	    "[--report json|text] FILE", "import an OPNsense config.xml "
	    "(all or nothing unless --partial) and report" },
	{ "export-xml", cli_export_xml, "export-xml --data DIR [FILE]",
	    "write the configuration as an OPNsense config.xml" },
	{ "dhcp-event", cli_dhcp_event, "dhcp-event --data DIR",
	    "(run by the DHCP client) tell the daemon its lease changed" },
	/* Other issues add: console, sync, import-xml, export-xml. */
	{ "version", cmd_version, "version", "print the version" },
	{ "help", cmd_help, "help [COMMAND]", "this text" },
};

static const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(commands); i++)
		if (strcmp(commands[i].c_name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
usage(const char *name)
{
	const struct command *c = command_find(name);

	fprintf(stderr, "usage: twinwall %s\n", c ? c->c_usage : name);
	return 2;
}

static void
print_errors(struct cfg_errors *e)
{
	const char	*key;
	json_t		*v;

	json_object_foreach(e->e_obj, key, v)
		fprintf(stderr, "  %s: %s\n", key, json_string_value(v) ?
		    json_string_value(v) : "invalid");
}

static int
cmd_daemon(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ "listen", required_argument, NULL, 'l' },
		{ "platform", required_argument, NULL, 'p' },
		{ "no-tls", no_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "www", required_argument, NULL, 'w' },
		{ "debug", no_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon_conf	 c;
	const char		*data = NULL, *www = NULL;
	char			*dir, *wwwdir = NULL, err[128];
	int			 ch, ret;

	memset(&c, 0, sizeof(c));
	c.d_platform = "dry";
	c.d_user = "twinwall";
	c.d_tls = 1;
	while ((ch = getopt_long(argc, argv, "d", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		case 'l': c.d_listen = optarg; break;
		case 'p': c.d_platform = optarg; break;
		case 'n': c.d_tls = 0; break;
		case 'u': c.d_user = optarg; break;
		case 'w': www = optarg; break;
		case 'd': c.d_debug = 1; break;
		case 'L':
			/* The API child inherits the bounds (webapi/limits.c). */
			if (strcmp(optarg, "help") == 0) {
				webapi_limits_print(stdout);
				return 0;
			}
			if (webapi_limit_set(optarg, err, sizeof(err)) == -1) {
				fprintf(stderr, "twinwall: --limit %s\n", err);
				return 2;
			}
			break;
		default: return usage("daemon");
		}
	}
	if (optind != argc || data == NULL || c.d_listen == NULL)
		return usage("daemon");
	if (daemon_listen_host(c.d_listen, (char[256]){ 0 }, 256) == -1) {
		fprintf(stderr, "twinwall: bad listen address %s (want "
		    "ADDR:PORT, [ADDR6]:PORT or :PORT)\n", c.d_listen);
		return 2;
	}
	if (!c.d_tls && !daemon_listen_is_loopback(c.d_listen)) {
		fprintf(stderr, "twinwall: --no-tls is only allowed on a "
		    "loopback address (127.0.0.1, ::1, localhost), not %s\n",
		    c.d_listen);
		return 2;
	}
	if ((dir = store_dir_path(data, 1)) == NULL)
		return 1;
	if (www == NULL)
		www = access("www/index.html", R_OK) == 0 ? "www" :
		    "/usr/share/twinwall/www";
	if ((wwwdir = realpath(www, NULL)) == NULL)
		wwwdir = xstrdup(www);
	c.d_datadir = dir;
	c.d_wwwdir = wwwdir;
	ret = daemon_main(&c);
	free(wwwdir);
	free(dir);
	return ret;
}

static int
cmd_apikey(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ "user", required_argument, NULL, 'u' },
		{ "descr", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct store	*st;
	const char	*data = NULL, *user = NULL, *descr = "";
	char		*dir, key[128], secret[128];
	int		 ch, ret = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		case 'u': user = optarg; break;
		case 'c': descr = optarg; break;
		default: return usage("apikey");
		}
	}
	if (optind != argc || data == NULL || user == NULL)
		return usage("apikey");
	if ((dir = store_dir_path(data, 1)) == NULL)
		return 1;
	if ((st = store_dir_open(dir)) != NULL) {
		if ((ch = auth_apikey_create(st, user, descr, key,
		    secret)) == 0) {
			printf("%s %s\n", key, secret);
			ret = 0;
		} else if (ch == AUTH_EDISABLED)
			fprintf(stderr, "twinwall: no API key made: user %s is "
			    "disabled (a key of a disabled user never works; "
			    "enable the user first)\n", user);
		else
			fprintf(stderr, "twinwall: no API key made (does user "
			    "%s exist?)\n", user);
		store_dir_close(st, dir);
	}
	explicit_bzero(secret, sizeof(secret));
	free(dir);
	return ret;
}

/* Reads one line into buf, without its newline. 0, or -1 on EOF. */
static int
read_line(FILE *fp, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, fp) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n' && !feof(fp)) {
		/* Longer than buf: swallow the rest, report too long. */
		int c;

		while ((c = fgetc(fp)) != EOF && c != '\n')
			;
		memset(buf, 'x', len - 1);
		buf[len - 1] = '\0';
		return 0;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

/* Prompts on stderr and reads a line from the terminal without echo. */
static int
read_secret(const char *prompt, char *buf, size_t len)
{
	struct termios	 old, quiet;
	int		 ret;

	if (tcgetattr(STDIN_FILENO, &old) == -1)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	/* Echo off (and typeahead dropped) before the prompt invites input. */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1)
		return -1;
	fputs(prompt, stderr);
	fflush(stderr);
	ret = read_line(stdin, buf, len);
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	return ret;
}

static int
cmd_passwd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct store	*st = NULL;
	const char	*data = NULL, *user = "root";
	char		*dir = NULL, pw[PASSWORD_MAX + 2], pw2[PASSWORD_MAX + 2];
	int		 ch, ret = 1;

	pw[0] = pw2[0] = '\0';
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		case 'u': user = optarg; break;
		default: return usage("passwd");
		}
	}
	if (optind != argc || data == NULL)
		return usage("passwd");
	if (isatty(STDIN_FILENO)) {
		if (read_secret("New password: ", pw, sizeof(pw)) == -1 ||
		    read_secret("Retype new password: ", pw2,
		    sizeof(pw2)) == -1) {
			fprintf(stderr, "twinwall: no password read\n");
			goto err;
		}
		if (strcmp(pw, pw2) != 0) {
			fprintf(stderr, "twinwall: the passwords differ\n");
			goto err;
		}
	} else if (read_line(stdin, pw, sizeof(pw)) == -1) {
		fprintf(stderr, "twinwall: no password on stdin\n");
		goto err;
	}
	if (strlen(pw) < PASSWORD_MIN || strlen(pw) > PASSWORD_MAX) {
		fprintf(stderr, "twinwall: a password has %d to %d "
		    "characters\n", PASSWORD_MIN, PASSWORD_MAX);
		goto err;
	}
	if ((dir = store_dir_path(data, 1)) == NULL ||
	    (st = store_dir_open(dir)) == NULL)
		goto err;
	if (auth_set_password(st, user, pw) == -1) {
		fprintf(stderr, "twinwall: no such user %s\n", user);
		goto err;
	}
	printf("password of %s changed\n", user);
	ret = 0;
err:
	if (st != NULL)
		store_dir_close(st, dir);
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(pw2, sizeof(pw2));
	free(dir);
	return ret;
}

/* Validates every row of one section; the number of bad rows. */
static int
check_section(struct store *st, const struct cfg_section *sec, json_t *data)
{
	const struct cfg_field	*f;
	struct cfg_errors	 e;
	json_t			*rows, *row, *in, *clean;
	size_t			 i;
	char			 key[128];
	int			 bad = 0;

	if (sec->s_flags & CFG_S_SINGLETON) {
		rows = json_array();
		if (data != NULL)
			json_array_append(rows, data);
	} else
		rows = json_incref(data);
	json_array_foreach(rows, i, row) {
		/* Password hashes stay as stored (they come in via base). */
		in = json_deep_copy(row);
		for (f = sec->s_fields; f->f_name != NULL; f++)
			if (f->f_type == CFG_PASSWORD)
				json_object_del(in, f->f_name);
		snprintf(key, sizeof(key), "%s.%s", sec->s_name,
		    sec->s_descfield && *cfg_str(row, sec->s_descfield) ?
		    cfg_str(row, sec->s_descfield) : cfg_str(row, "uuid"));
		cfg_errors_init(&e, key);
		clean = cfg_validate(st, sec, in, row, cfg_str(row, "uuid"), &e);
		if (clean == NULL) {
			bad++;
			print_errors(&e);
		}
		json_decref(clean);
		json_decref(in);
		cfg_errors_free(&e);
	}
	json_decref(rows);
	return bad;
}

static int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cfg_section *const	*s;
	struct store			*st;
	const char			*data = NULL;
	char				*dir, *text, err[512], hash[65];
	json_t				*snap, *secs;
	int				 ch, bad = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		default: return usage("check");
		}
	}
	if (optind != argc || data == NULL)
		return usage("check");
	if ((dir = store_dir_path(data, 1)) == NULL)
		return 1;
	if ((st = store_dir_open(dir)) == NULL) {
		free(dir);
		return 1;
	}
	if ((snap = cfg_snapshot(st, NULL, 1)) == NULL) {
		fprintf(stderr, "twinwall: cannot read the configuration\n");
		store_dir_close(st, dir);
		free(dir);
		return 1;
	}
	secs = json_object_get(snap, "sections");
	for (s = cfg_sections(); *s != NULL; s++)
		if (!((*s)->s_flags & CFG_S_NOEXPORT))
			bad += check_section(st, *s,
			    json_object_get(secs, (*s)->s_name));
	if ((text = nft_render(snap, err, sizeof(err))) == NULL) {
		fprintf(stderr, "  nftables render: %s\n", err);
		bad++;
	}
	free(text);
	if ((text = pf_render(snap, err, sizeof(err))) == NULL) {
		fprintf(stderr, "  pf render: %s\n", err);
		bad++;
	}
	free(text);
	cfg_hash(snap, hash);
	json_decref(snap);
	store_dir_close(st, dir);
	free(dir);
	if (bad) {
		fprintf(stderr, "configuration has %d problem%s\n", bad,
		    bad == 1 ? "" : "s");
		return 1;
	}
	printf("configuration OK\nconfig hash %s\n", hash);
	return 0;
}

static int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct store	*st;
	const char	*data = NULL, *file = NULL;
	char		*dir, *text = NULL, hash[65];
	json_t		*snap = NULL;
	int		 ch, ret = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		default: return usage("export");
		}
	}
	if (argc - optind > 1 || data == NULL)
		return usage("export");
	if (optind < argc)
		file = argv[optind];
	if ((dir = store_dir_path(data, 0)) == NULL)
		return 1;
	if ((st = store_dir_open(dir)) == NULL) {
		free(dir);
		return 1;
	}
	if ((snap = cfg_snapshot(st, NULL, 1)) == NULL ||
	    (text = json_dumps(snap, JSON_INDENT(2) | JSON_SORT_KEYS)) ==
	    NULL) {
		fprintf(stderr, "twinwall: cannot read the configuration\n");
		goto err;
	}
	if (file == NULL || strcmp(file, "-") == 0) {
		if (printf("%s\n", text) < 0 || fflush(stdout) == EOF) {
			fprintf(stderr, "twinwall: stdout: %s\n",
			    strerror(errno));
			goto err;
		}
	} else if (util_write_file(file, text, strlen(text), 0600) == -1) {
		fprintf(stderr, "twinwall: %s: %s\n", file, strerror(errno));
		goto err;
	}
	cfg_hash(snap, hash);
	fprintf(stderr, "exported: config hash %s\n", hash);
	ret = 0;
err:
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	json_decref(snap);
	store_dir_close(st, dir);
	free(dir);
	return ret;
}

static int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct cfg_errors	 e;
	struct cfg_ctx		 ctx;
	struct store		*st;
	const char		*data = NULL, *file;
	char			*dir, *text, *descr, hash[65];
	json_t			*snap;
	json_error_t		 jerr;
	size_t			 len;
	int			 ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		default: return usage("import");
		}
	}
	if (argc - optind != 1 || data == NULL)
		return usage("import");
	file = argv[optind];
	if ((text = util_read_file(file, &len, IPC_MAX_MSG)) == NULL) {
		fprintf(stderr, "twinwall: %s: %s\n", file, strerror(errno));
		return 1;
	}
	snap = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	explicit_bzero(text, len);
	free(text);
	if (snap == NULL) {
		fprintf(stderr, "twinwall: %s:%d: %s\n", file, jerr.line,
		    jerr.text);
		return 1;
	}
	if ((dir = store_dir_path(data, 1)) == NULL ||
	    (st = store_dir_open(dir)) == NULL) {
		json_decref(snap);
		free(dir);
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = st;
	ctx.c_user = "import";
	descr = xasprintf("import of %s", file);
	cfg_errors_init(&e, "snapshot");
	rc = cfg_restore(&ctx, snap, descr, &e);
	if (rc == 0) {
		cfg_hash(snap, hash);
		printf("imported %s: config hash %s\n", file, hash);
		printf("apply it with: twinwall apply --data %s\n", dir);
	} else {
		fprintf(stderr, "twinwall: %s not imported, nothing changed:\n",
		    file);
		if (rc == CFG_ESTORE)
			fprintf(stderr, "  store: %s\n", store_errmsg(st));
		print_errors(&e);
	}
	cfg_errors_free(&e);
	free(descr);
	json_decref(snap);
	store_dir_close(st, dir);
	free(dir);
	return rc == 0 ? 0 : 1;
}

static int
cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct apply_via via;
	struct store	*st;
	const char	*data = NULL;
	char		*dir, err[1024];
	subsys_mask	 mask = 0;
	json_t		*names;
	int		 ch, i, rc, ret = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		default: return usage("apply");
		}
	}
	if (data == NULL)
		return usage("apply");
	/* None named: what is pending (mask 0), not every subsystem. */
	if (optind < argc) {
		names = json_array();
		for (i = optind; i < argc; i++)
			json_array_append_new(names, json_string(argv[i]));
		rc = subsys_mask_from_json(names, &mask, err, sizeof(err));
		json_decref(names);
		if (rc == -1) {
			fprintf(stderr, "twinwall: %s\n", err);
			return 2;
		}
	}
	if ((dir = store_dir_path(data, 0)) == NULL)
		return 1;
	if ((st = store_dir_open(dir)) == NULL) {
		free(dir);
		return 1;
	}
	apply_via_control(&via, dir);
	if (apply_run(st, mask, &via, "cli", NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "twinwall: apply failed: %s\n", err);
		goto err;
	}
	printf("applied\n");
	ret = 0;
err:
	store_dir_close(st, dir);
	free(dir);
	return ret;
}

static int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*data = NULL;
	char		*dir, *text, err[512];
	json_t		*req, *ans;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		default: return usage("status");
		}
	}
	if (optind != argc || data == NULL)
		return usage("status");
	if ((dir = store_dir_path(data, 0)) == NULL)
		return 1;
	req = json_pack("{s:s}", "type", ipc_type_name(IPC_STATUS));
	ans = control_call(dir, req, err, sizeof(err));
	json_decref(req);
	free(dir);
	if (ans == NULL) {
		fprintf(stderr, "twinwall: %s\n", err);
		return 1;
	}
	text = json_dumps(ans, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", text ? text : "{}");
	free(text);
	json_decref(ans);
	return 0;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("twinwall %s\n", TW_VERSION);
	return 0;
}

static int
cmd_help(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && command_find(argv[1]) != NULL) {
		usage(argv[1]);
		return 0;
	}
	printf("usage: twinwall <command> [options]\n\n");
	for (i = 0; i < nitems(commands); i++)
		printf("  %-8s %s\n           twinwall %s\n",
		    commands[i].c_name, commands[i].c_help,
		    commands[i].c_usage);
	return 0;
}

int
main(int argc, char *argv[])
{
	const struct command *c;

	log_init("twinwall", 0);
	if (argc < 2) {
		cmd_help(1, argv);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(1, argv);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv);
	if ((c = command_find(argv[1])) == NULL) {
		fprintf(stderr, "twinwall: unknown command %s (try "
		    "`twinwall help`)\n", argv[1]);
		return 2;
	}
	optind = 1;
	return c->c_fn(argc - 1, argv + 1);
}
