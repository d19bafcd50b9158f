/*
 * console.c — `twinwall console`: the setup menu, shaped like OPNsense's
 * console menu: the node, its version and its interfaces above a table
 * of options 0-13.
 *
 * The console opens the store directly and acts through the same model
 * (cfg_*) as the API, so it says what the API says about a bad address;
 * it reaches a running daemon through DIR/control.sock to apply and to
 * learn the platform. Without a daemon it assumes the dry platform unless
 * --platform says otherwise.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "store_dir.h"
#include "config.h"
#include "console.h"
#include "console_int.h"
#include "control.h"
#include "store.h"
#include "util.h"

struct console_option {
	const char	*o_key;
	const char	*o_label;
	int		(*o_fn)(struct console *);
};

static int	console_logout(struct console *);

static const struct console_option console_options[] = {
	{ "0", "Logout",			console_logout },
	{ "1", "Assign interfaces",		console_assign },
	{ "2", "Set interface IP address",	console_setaddr },
	{ "3", "Reset the root password",	console_password },
	{ "4", "Reset to factory defaults",	console_factory },
	{ "5", "Power off system",		console_poweroff },
	{ "6", "Reboot system",			console_reboot },
	{ "7", "Ping host",			console_ping },
	{ "8", "Shell",				console_shell },
	{ "9", "State table (top)",		console_states },
	{ "10", "Firewall log",			console_fwlog },
	{ "11", "Reload all services",		console_reload },
	{ "12", "Update from console",		console_update },
	{ "13", "Restore a backup",		console_restore },
};

static int
console_logout(struct console *c)
{
	(void)c;
	printf("Logout.\n");
	return CON_EXIT;
}

/* Asks the daemon for its status; fills c_running ("" when none). */
static void
console_probe(struct console *c)
{
	const char	*p;
	char		 err[512];
	json_t		*req, *ans;

	c->c_running[0] = '\0';
	req = json_pack("{s:s}", "type", ipc_type_name(IPC_STATUS));
	ans = control_call(c->c_dir, req, err, sizeof(err));
	json_decref(req);
	if (ans == NULL)
		return;
	p = json_string_value(json_object_get(ans, "platform"));
	util_strlcpy(c->c_running, p ? p : "unknown", sizeof(c->c_running));
	json_decref(ans);
}

/*
 * The platform the host runs: the daemon's when one answers, else the
 * --platform given (dry by default).
 */
const char *
console_platform(struct console *c)
{
	console_probe(c);
	return c->c_running[0] ? c->c_running : c->c_platform;
}

/*
 * The DHCP line under an interface of the header: the client's state,
 * the lease's router and when it runs out, or why there is none. dhcp
 * is the interface's "dhcp" of the daemon's answer (borrowed).
 */
static void
console_header_dhcp(json_t *dhcp)
{
	json_t		*l = json_object_get(dhcp, "lease");
	const char	*st = cfg_str(dhcp, "client");
	long long	 left;

	if (!json_is_object(l) || !json_is_true(json_object_get(l, "valid"))) {
		printf(" %-16s DHCP client %s: no lease yet%s\n", "", st,
		    strcmp(st, "searching") == 0 ? " (no DHCP server has "
		    "answered on this link; it keeps asking)" : "");
		return;
	}
	left = json_integer_value(json_object_get(l, "expires")) -
	    (long long)time(NULL);
	printf(" %-16s DHCP client %s: %s/%lld, gateway %s %s, lease ends in "
	    "%lld s\n", "", st, cfg_str(l, "address"),
	    (long long)json_integer_value(json_object_get(l, "prefix")),
	    cfg_str(dhcp, "gateway"), *cfg_str(l, "router") ?
	    cfg_str(l, "router") : "(none)", left > 0 ? left : 0);
}

/*
 * The IPv6 lines: a DHCPv6 lease's address and delegated prefix with
 * their valid lifetimes, or a track6 interface's /64. lv is the
 * interface of the daemon's answer (borrowed).
 */
static void
console_header_v6(json_t *lv)
{
	json_t		*l = json_object_get(json_object_get(lv, "dhcp"),
			    "lease6");
	json_t		*t = json_object_get(lv, "track6");
	long long	 now = (long long)time(NULL), a, p;

	if (json_is_object(l)) {
		a = json_integer_value(json_object_get(l,
		    "address_valid_until")) - now;
		p = json_integer_value(json_object_get(l,
		    "prefix_valid_until")) - now;
		if (*cfg_str(l, "address"))
			printf(" %-16s DHCPv6 address %s, valid %lld s\n", "",
			    cfg_str(l, "address"), a > 0 ? a : 0);
		if (*cfg_str(l, "prefix"))
			printf(" %-16s delegated %s/%lld, valid %lld s\n", "",
			    cfg_str(l, "prefix"), (long long)json_integer_value(
			    json_object_get(l, "prefix_len")), p > 0 ? p : 0);
	}
	if (json_is_object(t))
		printf(" %-16s track6 of %s: %s\n", "", cfg_str(t,
		    "interface"), *cfg_str(t, "address") ? cfg_str(t,
		    "address") : "no delegated prefix yet (its DHCPv6 client "
		    "keeps asking)");
}

static void
console_header(struct console *c)
{
	json_t		*which, *snap, *sys, *ifs, *row, *dhcp = NULL, *req;
	json_t		*lv;
	const char	*dom, *dev, *descr, *host;
	char		 addr[256], live[512], label[64], own[256], err[256];
	size_t		 i, k;

	which = json_pack("[ss]", "system", "interfaces");
	snap = cfg_snapshot(c->c_st, which, 0);
	json_decref(which);
	sys = json_object_get(json_object_get(snap, "sections"), "system");
	ifs = json_object_get(json_object_get(snap, "sections"),
	    "interfaces");
	dom = cfg_str(sys, "domain");
	/* No stored name: the host keeps its own, so show that. */
	if (*(host = cfg_str(sys, "hostname")) == '\0') {
		if (gethostname(own, sizeof(own)) == -1)
			util_strlcpy(own, "?", sizeof(own));
		own[sizeof(own) - 1] = '\0';
		host = own;
	}
	console_probe(c);
	/* The daemon's clients and leases, when one runs. */
	if (c->c_running[0] != '\0') {
		req = json_pack("{s:s, s:s}",
		    "type", ipc_type_name(IPC_DHCP), "op", "status");
		dhcp = control_call(c->c_dir, req, err, sizeof(err));
		json_decref(req);
	}
	printf("\n*** %s%s%s: twinwall %s (platform %s, %s) ***\n\n",
	    host, *dom ? "." : "", dom, TW_VERSION,
	    c->c_running[0] ? c->c_running : c->c_platform,
	    c->c_running[0] ? "daemon running" : "no daemon running");
	json_array_foreach(ifs, i, row) {
		descr = cfg_str(row, "descr");
		snprintf(label, sizeof(label), "%s", *descr ? descr :
		    cfg_str(row, "name"));
		for (k = 0; label[k]; k++)
			if (label[k] >= 'a' && label[k] <= 'z')
				label[k] = (char)(label[k] - 'a' + 'A');
		dev = cfg_str(row, "device");
		console_if_addr_text(row, addr, sizeof(addr));
		live[0] = '\0';
		if (*dev)
			console_live_addrs(dev, live, sizeof(live));
		k = strlen(label);
		snprintf(label + k, sizeof(label) - k, " (%s)",
		    cfg_str(row, "name"));
		printf(" %-16s %-10s -> %-30s live: %s\n", label,
		    *dev ? dev : "unassigned", addr, *dev ? (*live ? live :
		    "none") : "-");
		json_array_foreach(json_object_get(dhcp, "interfaces"), k, lv)
			if (strcmp(cfg_str(lv, "name"), cfg_str(row, "name")) ==
			    0) {
				if (json_object_get(lv, "dhcp") != NULL &&
				    strcmp(cfg_str(row, "ipaddr"), "dhcp") == 0)
					console_header_dhcp(json_object_get(lv,
					    "dhcp"));
				console_header_v6(lv);
			}
	}
	json_decref(dhcp);
	json_decref(snap);
}

static void
console_menu(void)
{
	size_t	i, half = (nitems(console_options) + 1) / 2;
	char	left[64];

	putchar('\n');
	for (i = 0; i < half; i++) {
		snprintf(left, sizeof(left), "%2s) %s",
		    console_options[i].o_key, console_options[i].o_label);
		if (i + half < nitems(console_options))
			printf("  %-36s %2s) %s\n", left,
			    console_options[i + half].o_key,
			    console_options[i + half].o_label);
		else
			printf("  %s\n", left);
	}
	putchar('\n');
}

static int
console_loop(struct console *c)
{
	char	buf[CON_LINE];
	size_t	i;
	int	rc;

	for (;;) {
		console_header(c);
		console_menu();
		for (;;) {
			console_interrupt_clear();
			rc = console_read("Enter an option: ", buf,
			    sizeof(buf));
			if (rc == CON_EXIT)
				return 0;
			if (rc == CON_INTR)
				continue;
			for (i = 0; i < nitems(console_options); i++)
				if (strcmp(buf, console_options[i].o_key) == 0)
					break;
			if (i < nitems(console_options))
				break;
			if (buf[0] == '\0')
				printf("No option entered: enter a number "
				    "from 0 to 13.\n");
			else
				printf("Invalid option \"%.32s\": enter a "
				    "number from 0 to 13.\n", buf);
		}
		putchar('\n');
		rc = console_options[i].o_fn(c);
		if (rc == CON_EXIT)
			return 0;
		if (rc == CON_INTR)
			printf("\nInterrupted: back to the menu, nothing was "
			    "changed.\n");
		console_interrupt_clear();
	}
}


int
console_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'D' },
		{ "platform", required_argument, NULL, 'p' },
		{ "sysfs-net", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct console	 c;
	const char	*data = NULL;
	int		 ch, ret = 1;

	memset(&c, 0, sizeof(c));
	c.c_platform = "dry";
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': data = optarg; break;
		case 'p': c.c_platform = optarg; break;
		case 's': console_if_sysnet(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc || data == NULL)
		goto usage;
	if (strcmp(c.c_platform, "dry") != 0 &&
	    strcmp(c.c_platform, "linux") != 0 &&
	    strcmp(c.c_platform, "freebsd") != 0) {
		fprintf(stderr, "twinwall: unknown platform %s\n",
		    c.c_platform);
		return 2;
	}
	if ((c.c_dir = store_dir_path(data, 1)) == NULL)
		return 1;
	if ((c.c_st = store_dir_open(c.c_dir)) == NULL)
		goto err;
	console_io_init();
	ret = console_loop(&c);
err:
	if (c.c_st != NULL)
		store_dir_close(c.c_st, c.c_dir);
	free(c.c_dir);
	return ret;
usage:
	fprintf(stderr, "usage: twinwall console --data DIR "
	    "[--platform dry|linux|freebsd] [--sysfs-net DIR]\n");
	return 2;
}
