/*
 * console_if.c — options 1 (assign interfaces) and 2 (set interface IP
 * address), after OPNsense's setports.php and setaddr.php.
 *
 * Devices are read from /sys/class/net (MAC, carrier), never from the
 * output of ip(8); TWINWALL_SYSFS_NET names another directory of the same
 * shape for tests. Every answer is checked with the model (cfg_validate)
 * as it is typed, so the messages are the API's; the change is written
 * after the final confirmation, in one store transaction with one
 * revision, and then applied through the daemon.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console_int.h"
#include "store.h"
#include "util.h"

#define CON_MAXDEV		64
#define CON_DETECT_SECS		60

struct con_dev {
	char	d_name[IFNAMSIZ];
	char	d_mac[32];
	int	d_carrier;
};

struct con_assign {
	char	a_label[16];		/* WAN, LAN, OPT1 */
	char	a_name[16];		/* wan, lan, opt1 */
	char	a_dev[IFNAMSIZ];
};

/* "v4: 192.168.1.1/24" or "v4/DHCP4  v6/SLAAC"; into buf. */
void
console_if_addr_text(json_t *row, char *buf, size_t len)
{
	const char	*v4 = cfg_str(row, "ipaddr"), *v6 = cfg_str(row,
			    "ipaddrv6");
	size_t		 o = 0;

	buf[0] = '\0';
	if (strcmp(v4, "dhcp") == 0)
		o += (size_t)snprintf(buf + o, len - o, "v4/DHCP4");
	else if (*v4 && strcmp(v4, "none") != 0)
		o += (size_t)snprintf(buf + o, len - o, "v4: %s/%s", v4,
		    cfg_str(row, "subnet"));
	if (o >= len)
		return;
	if (strcmp(v6, "track6") == 0)
		o += (size_t)snprintf(buf + o, len - o, "%sv6/TRACK6 of %s",
		    o ? "  " : "", cfg_str(row, "track6_interface"));
	else if (strcmp(v6, "dhcp6") == 0 || strcmp(v6, "slaac") == 0)
		o += (size_t)snprintf(buf + o, len - o, "%sv6/%s", o ? "  " :
		    "", strcmp(v6, "dhcp6") == 0 ? "DHCP6" : "SLAAC");
	else if (*v6 && strcmp(v6, "none") != 0)
		o += (size_t)snprintf(buf + o, len - o, "%sv6: %s/%s", o ?
		    "  " : "", v6, cfg_str(row, "subnetv6"));
	if (o == 0)
		snprintf(buf, len, "no address");
}

/* Where the devices are listed: --sysfs-net, for a test's fake tree. */
static const char	*console_sysnet_dir = "/sys/class/net";

void
console_if_sysnet(const char *dir)
{
	console_sysnet_dir = dir;
}

static const char *
console_sysnet(void)
{
	return console_sysnet_dir;
}

/* One attribute of a device, without its newline; "" when unreadable. */
static void
console_dev_attr(const char *dev, const char *attr, char *buf, size_t len)
{
	char	*path, *text;
	size_t	 n;

	buf[0] = '\0';
	path = xasprintf("%s/%s/%s", console_sysnet(), dev, attr);
	if ((text = util_read_file(path, &n, 256)) != NULL) {
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
			text[--n] = '\0';
		util_strlcpy(buf, text, len);
		free(text);
	}
	free(path);
}

static int
console_dev_carrier(const char *dev)
{
	char buf[8];

	console_dev_attr(dev, "carrier", buf, sizeof(buf));
	return strcmp(buf, "1") == 0;
}

static int
console_dev_cmp(const void *a, const void *b)
{
	return strcmp(((const struct con_dev *)a)->d_name,
	    ((const struct con_dev *)b)->d_name);
}

/* The Ethernet devices of the host, sorted by name; their count. */
static int
console_devices(struct con_dev *devs, int max)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		*path, type[16];
	int		 n = 0;

	if ((d = opendir(console_sysnet())) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "lo") == 0 ||
		    strlen(de->d_name) >= IFNAMSIZ)
			continue;
		path = xasprintf("%s/%s", console_sysnet(), de->d_name);
		if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			free(path);
			continue;
		}
		free(path);
		console_dev_attr(de->d_name, "type", type, sizeof(type));
		if (strcmp(type, "1") != 0)	/* ARPHRD_ETHER only */
			continue;
		util_strlcpy(devs[n].d_name, de->d_name, IFNAMSIZ);
		console_dev_attr(de->d_name, "address", devs[n].d_mac,
		    sizeof(devs[n].d_mac));
		devs[n].d_carrier = console_dev_carrier(de->d_name);
		n++;
	}
	closedir(d);
	qsort(devs, (size_t)n, sizeof(*devs), console_dev_cmp);
	return n;
}

void
console_live_addrs(const char *dev, char *buf, size_t len)
{
	struct ifaddrs	*ifa, *p;
	unsigned char	*m;
	char		 a[INET6_ADDRSTRLEN];
	const void	*src;
	size_t		 o = 0, i, mlen;
	int		 bits;

	buf[0] = '\0';
	if (getifaddrs(&ifa) == -1)
		return;
	for (p = ifa; p != NULL && o + 1 < len; p = p->ifa_next) {
		if (p->ifa_addr == NULL || strcmp(p->ifa_name, dev) != 0)
			continue;
		if (p->ifa_addr->sa_family == AF_INET) {
			src = &((struct sockaddr_in *)p->ifa_addr)->sin_addr;
			m = (unsigned char *)&((struct sockaddr_in *)
			    p->ifa_netmask)->sin_addr;
			mlen = 4;
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			struct in6_addr *a6 = &((struct sockaddr_in6 *)
			    p->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a6))
				continue;
			src = a6;
			m = (unsigned char *)&((struct sockaddr_in6 *)
			    p->ifa_netmask)->sin6_addr;
			mlen = 16;
		} else
			continue;
		if (inet_ntop(p->ifa_addr->sa_family, src, a, sizeof(a)) ==
		    NULL)
			continue;
		for (bits = 0, i = 0; p->ifa_netmask != NULL && i < mlen; i++)
			bits += __builtin_popcount(m[i]);
		o += (size_t)snprintf(buf + o, len - o, "%s%s/%d", o ? " " :
		    "", a, bits);
	}
	freeifaddrs(ifa);
	if (o >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* The interfaces rows (a new array). */
static json_t *
console_if_rows(struct console *c)
{
	json_t *which, *snap, *rows;

	which = json_pack("[s]", "interfaces");
	snap = cfg_snapshot(c->c_st, which, 0);
	json_decref(which);
	rows = json_incref(json_object_get(json_object_get(snap, "sections"),
	    "interfaces"));
	json_decref(snap);
	return rows != NULL ? rows : json_array();
}

/*
 * Waits for a carrier change on a device not chosen yet. Enter cancels.
 * out receives the device, or "" when none changed.
 */
static int
console_detect(struct con_dev *devs, int n, struct con_assign *as, int nas,
    const char *label, char *out)
{
	struct pollfd	 pfd;
	char		 buf[CON_LINE];
	int		 was[CON_MAXDEV], i, k, rc, skip;
	double		 end;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		was[i] = console_dev_carrier(devs[i].d_name);
	printf("Connect (or unplug) the %s cable now: waiting up to %d s for "
	    "a link change on an unassigned device. Press Enter to cancel.\n",
	    label, CON_DETECT_SECS);
	end = util_now() + CON_DETECT_SECS;
	while (util_now() < end) {
		pfd.fd = 0;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 250) > 0) {
			if ((rc = console_read("", buf, sizeof(buf))) !=
			    CON_OK)
				return rc;
			printf("Auto-detection cancelled.\n");
			return CON_OK;
		}
		if (console_interrupted())
			return CON_INTR;
		for (i = 0; i < n; i++) {
			for (skip = 0, k = 0; k < nas; k++)
				if (strcmp(as[k].a_dev, devs[i].d_name) == 0)
					skip = 1;
			if (skip || console_dev_carrier(devs[i].d_name) ==
			    was[i])
				continue;
			printf("Detected a link %s on %s.\n", was[i] ? "loss" :
			    "up", devs[i].d_name);
			util_strlcpy(out, devs[i].d_name, IFNAMSIZ);
			return CON_OK;
		}
	}
	printf("No link change detected in %d s.\n", CON_DETECT_SECS);
	return CON_OK;
}

/* Reads a device for as[nas]; an optional one may be left empty. */
static int
console_ask_device(struct con_dev *devs, int n, struct con_assign *as,
    int nas, int optional)
{
	struct con_assign	*a = &as[nas];
	char			 buf[CON_LINE], prompt[160];
	int			 i, k, rc;

	snprintf(prompt, sizeof(prompt), "Enter the %s interface name or 'a' "
	    "for auto-detection%s: ", a->a_label, optional ?
	    " (or nothing if finished)" : "");
	for (;;) {
		if ((rc = console_read(prompt, buf, sizeof(buf))) != CON_OK)
			return rc;
		if (strcmp(buf, "a") == 0) {
			if ((rc = console_detect(devs, n, as, nas, a->a_label,
			    buf)) != CON_OK)
				return rc;
			if (buf[0] == '\0')
				continue;
		}
		if (buf[0] == '\0') {
			if (optional) {
				a->a_dev[0] = '\0';
				return CON_OK;
			}
			printf("The %s interface is required: enter a device "
			    "name from the list above or 'a'.\n", a->a_label);
			continue;
		}
		for (i = 0; i < n; i++)
			if (strcmp(devs[i].d_name, buf) == 0)
				break;
		if (i == n) {
			printf("No such network device \"%.32s\": enter one "
			    "from the list above.\n", buf);
			continue;
		}
		for (k = 0; k < nas; k++)
			if (strcmp(as[k].a_dev, buf) == 0)
				break;
		if (k < nas) {
			printf("%s is already chosen for %s.\n", buf,
			    as[k].a_label);
			continue;
		}
		util_strlcpy(a->a_dev, buf, sizeof(a->a_dev));
		return CON_OK;
	}
}

/* One transaction: free the chosen devices, then set or add each row. */
static int
console_assign_write(struct console *c, struct con_assign *as, int nas)
{
	const struct cfg_section	*sec = cfg_section("interfaces");
	struct cfg_ctx			 ctx = { c->c_st, CON_USER, 1 };
	struct cfg_errors		 e;
	json_t				*rows, *row, *in;
	char				 uuid[UUID_LEN + 1], descr[256];
	size_t				 i, o;
	int				 k, rc = 0;

	cfg_errors_init(&e, sec->s_key);
	rows = console_if_rows(c);
	if (store_begin(c->c_st) == -1) {
		rc = CFG_ESTORE;
		goto err;
	}
	json_array_foreach(rows, i, row) {
		for (k = 0; k < nas; k++)
			if (strcmp(as[k].a_dev, cfg_str(row, "device")) == 0 &&
			    strcmp(as[k].a_name, cfg_str(row, "name")) != 0)
				break;
		if (k == nas)
			continue;
		in = json_pack("{s:s}", "device", "");
		rc = cfg_set(&ctx, sec, cfg_str(row, "uuid"), in, &e);
		json_decref(in);
		if (rc != 0)
			goto done;
	}
	o = (size_t)snprintf(descr, sizeof(descr), "console: interfaces "
	    "assigned:");
	for (k = 0; k < nas; k++) {
		if ((row = cfg_row_find(rows, "name", as[k].a_name)) !=
		    NULL) {
			in = json_pack("{s:s}", "device", as[k].a_dev);
			rc = cfg_set(&ctx, sec, cfg_str(row, "uuid"), in, &e);
		} else {
			in = json_pack("{s:s, s:s, s:s, s:s}", "name",
			    as[k].a_name, "descr", as[k].a_label, "device",
			    as[k].a_dev, "enabled", "1");
			rc = cfg_add(&ctx, sec, in, uuid, &e);
		}
		json_decref(in);
		if (rc != 0)
			goto done;
		if (o < sizeof(descr))
			o += (size_t)snprintf(descr + o, sizeof(descr) - o,
			    " %s %s", as[k].a_label, as[k].a_dev);
	}
	if (store_revision_add(c->c_st, CON_USER, descr) == -1)
		rc = CFG_ESTORE;
done:
	if (rc != 0)
		store_rollback(c->c_st);
	else if (store_commit(c->c_st) == -1)
		rc = CFG_ESTORE;
err:
	if (rc != 0) {
		printf("The assignment was refused; nothing was changed:\n");
		if (rc == CFG_ESTORE)
			printf("  store: %s\n", store_errmsg(c->c_st));
		console_print_errors(&e, NULL);
	}
	cfg_errors_free(&e);
	json_decref(rows);
	return rc == 0 ? 0 : -1;
}

int
console_assign(struct console *c)
{
	struct con_dev		 devs[CON_MAXDEV];
	struct con_assign	 as[CON_MAXDEV];
	json_t			*rows, *row;
	int			 n, nas = 0, i, rc, yes;

	n = console_devices(devs, CON_MAXDEV);
	if (n == 0) {
		printf("No network devices found in %s.\n", console_sysnet());
		return CON_OK;
	}
	rows = console_if_rows(c);
	printf("Valid interfaces are:\n\n");
	for (i = 0; i < n; i++) {
		row = cfg_row_find(rows, "device", devs[i].d_name);
		printf("  %-15s %-17s link %-4s%s%s\n", devs[i].d_name,
		    *devs[i].d_mac ? devs[i].d_mac : "-",
		    devs[i].d_carrier ? "up" : "down",
		    row ? "  assigned to " : "", row ? cfg_str(row, "name") :
		    "");
	}
	json_decref(rows);
	printf("\nIf you do not know the names of your interfaces, use "
	    "auto-detection:\nanswer 'a' and connect the cable when "
	    "asked.\n\n");
	memset(as, 0, sizeof(as));
	for (;;) {
		if (nas == 0) {
			snprintf(as[0].a_label, sizeof(as[0].a_label), "WAN");
			snprintf(as[0].a_name, sizeof(as[0].a_name), "wan");
		} else if (nas == 1) {
			snprintf(as[1].a_label, sizeof(as[1].a_label), "LAN");
			snprintf(as[1].a_name, sizeof(as[1].a_name), "lan");
		} else {
			snprintf(as[nas].a_label, sizeof(as[nas].a_label),
			    "OPT%d", nas - 1);
			snprintf(as[nas].a_name, sizeof(as[nas].a_name),
			    "opt%d", nas - 1);
		}
		if ((rc = console_ask_device(devs, n, as, nas, nas >= 2)) !=
		    CON_OK)
			return rc;
		if (as[nas].a_dev[0] == '\0')
			break;
		if (++nas == n)
			break;
	}
	printf("\nThe interfaces will be assigned as follows:\n\n");
	for (i = 0; i < nas; i++)
		printf("  %-5s -> %s\n", as[i].a_label, as[i].a_dev);
	putchar('\n');
	if ((rc = console_confirm("Do you want to proceed?", &yes)) != CON_OK)
		return rc;
	if (!yes) {
		printf("Nothing was changed.\n");
		return CON_OK;
	}
	if (console_assign_write(c, as, nas) == -1)
		return CON_OK;
	printf("The assignment is saved.\n");
	console_apply(c, NULL);
	return CON_OK;
}

/*
 * Checks in over row with the model. On failure prints the messages of
 * field (all of them when field has none) and returns -1.
 */
static int
console_check(struct console *c, const struct cfg_section *sec, json_t *row,
    const char *uuid, json_t *in, const char *field)
{
	struct cfg_errors	 e;
	json_t			*clean;
	char			 key[64];

	cfg_errors_init(&e, sec->s_key);
	clean = cfg_validate(c->c_st, sec, in, row, uuid, &e);
	if (clean == NULL) {
		snprintf(key, sizeof(key), "%s.%s", sec->s_key, field);
		console_print_errors(&e, json_object_get(e.e_obj, key) ?
		    field : NULL);
	}
	json_decref(clean);
	cfg_errors_free(&e);
	return clean != NULL ? 0 : -1;
}

/*
 * What dhcp6 and track6 need besides the word: the delegation to ask
 * for; the interface tracked and the prefix id. Checked with the rest.
 */
static int
console_ask_v6mode(const char *mode, json_t *in)
{
	char	buf[CON_LINE];
	int	rc;

	if (strcmp(mode, "dhcp6") == 0) {
		if ((rc = console_read("Prefix delegation to ask for, in bits "
		    "below /64 (8 for a /56; empty for none): ", buf,
		    sizeof(buf))) != CON_OK)
			return rc;
		json_object_set_new(in, "dhcp6_ia_pd_len", json_string(buf));
	} else if (strcmp(mode, "track6") == 0) {
		if ((rc = console_read("Interface whose delegated prefix to "
		    "take [wan]: ", buf, sizeof(buf))) != CON_OK)
			return rc;
		json_object_set_new(in, "track6_interface", json_string(*buf ?
		    buf : "wan"));
		if ((rc = console_read("Prefix id, the /64 to take (0 for the "
		    "first) [0]: ", buf, sizeof(buf))) != CON_OK)
			return rc;
		json_object_set_new(in, "track6_prefix_id", json_string(*buf ?
		    buf : "0"));
	}
	return CON_OK;
}

/*
 * Reads an address for family 4 or 6 into in (ipaddr/subnet or
 * ipaddrv6/subnetv6): dhcp words, none, address/bits or an address and
 * then its prefix length, each checked by the model.
 */
static int
console_ask_addr(struct console *c, json_t *row, json_t *in, int fam,
    const char *label)
{
	const struct cfg_section *sec = cfg_section("interfaces");
	const char	*af = fam == 4 ? "ipaddr" : "ipaddrv6";
	const char	*sf = fam == 4 ? "subnet" : "subnetv6";
	char		 buf[CON_LINE], bits[CON_LINE], prompt[160], *slash;
	int		 rc;

	snprintf(prompt, sizeof(prompt), "Enter the new %s IPv%d address "
	    "(address/bits%s, or none): ", label, fam, fam == 4 ? "" :
	    ", dhcp6, slaac or track6");
	for (;;) {
		if ((rc = console_read(prompt, buf, sizeof(buf))) != CON_OK)
			return rc;
		bits[0] = '\0';
		if ((slash = strchr(buf, '/')) != NULL) {
			*slash = '\0';
			util_strlcpy(bits, slash + 1, sizeof(bits));
		}
		json_object_set_new(in, af, json_string(buf));
		json_object_set_new(in, sf, json_string(slash ? bits :
		    fam == 4 ? "32" : "128"));
		if (fam == 6 && (rc = console_ask_v6mode(buf, in)) != CON_OK)
			return rc;
		if (console_check(c, sec, row, cfg_str(row, "uuid"), in,
		    af) == -1 || (slash && console_check(c, sec, row,
		    cfg_str(row, "uuid"), in, sf) == -1))
			continue;
		if (!cfg_check_addr(buf, fam)) {	/* none, dhcp6, slaac */
			json_object_set_new(in, sf, json_string(""));
			return CON_OK;
		}
		if (slash)
			return CON_OK;
		break;
	}
	snprintf(prompt, sizeof(prompt), "Enter the new %s IPv%d subnet bit "
	    "count (1 to %d): ", label, fam, fam == 4 ? 32 : 128);
	for (;;) {
		if ((rc = console_read(prompt, bits, sizeof(bits))) != CON_OK)
			return rc;
		json_object_set_new(in, sf, json_string(bits));
		if (console_check(c, sec, row, cfg_str(row, "uuid"), in,
		    sf) == 0)
			return CON_OK;
	}
}

/*
 * The upstream gateway of a WAN: gw receives the row to write, with
 * "uuid" set to the row it replaces ("" for a new one), or NULL for none.
 */
/*
 * Checks gateway row gw as its interface will be once in (the new
 * address) is saved: a static gateway is refused on an interface in
 * DHCP mode, which the stored row still is. Nothing is kept.
 */
static int
console_check_gw(struct console *c, json_t *base, const char *uuid,
    json_t *gw, json_t *ifrow, json_t *in)
{
	sqlite3_stmt	*stmt;
	int		 r;

	if (store_begin(c->c_st) == -1)
		return -1;
	if ((stmt = store_stmt(c->c_st, "UPDATE interfaces SET ipaddr = ?, "
	    "subnet = ? WHERE uuid = ?")) != NULL) {
		sqlite3_bind_text(stmt, 1, cfg_str(in, "ipaddr"), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, cfg_str(in, "subnet"), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, cfg_str(ifrow, "uuid"), -1,
		    SQLITE_STATIC);
		(void)sqlite3_step(stmt);
		store_stmt_done(c->c_st, stmt);
	}
	r = console_check(c, cfg_section("gateways"), base, uuid, gw,
	    "gateway");
	store_rollback(c->c_st);
	return r;
}

static int
console_ask_gateway(struct console *c, json_t *ifrow, json_t *in,
    json_t **gw)
{
	const struct cfg_section *sec = cfg_section("gateways");
	json_t		*base;
	char		 buf[CON_LINE], name[40], uuid[UUID_LEN + 1];
	const char	*cur = cfg_str(ifrow, "gateway");
	size_t		 i;
	int		 rc, exists;

	*gw = NULL;
	if (*cur != '\0')
		util_strlcpy(name, cur, sizeof(name));
	else {
		snprintf(name, sizeof(name), "%.16s_GW", cfg_str(ifrow,
		    "name"));
		for (i = 0; name[i] != '\0'; i++)
			if (name[i] >= 'a' && name[i] <= 'z')
				name[i] = (char)(name[i] - 'a' + 'A');
	}
	if ((exists = (base = cfg_find(c->c_st, sec, name)) != NULL))
		util_strlcpy(uuid, cfg_str(base, "uuid"), sizeof(uuid));
	else {
		base = cfg_defaults(sec);
		util_uuid(uuid);
	}
	for (;;) {
		rc = console_read("Enter the new upstream gateway IPv4 address "
		    "(Enter for none): ", buf, sizeof(buf));
		if (rc != CON_OK || buf[0] == '\0')
			break;
		*gw = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name,
		    "interface", cfg_str(ifrow, "name"), "ipprotocol", "inet",
		    "gateway", buf, "defaultgw", "1");
		if (*cfg_str(base, "descr") == '\0')
			json_object_set_new(*gw, "descr", json_sprintf(
			    "Interface %s Gateway", cfg_str(ifrow, "name")));
		if (console_check_gw(c, base, uuid, *gw, ifrow, in) == 0) {
			json_object_set_new(*gw, "uuid", json_string(exists ?
			    uuid : ""));
			break;
		}
		json_decref(*gw);
		*gw = NULL;
	}
	json_decref(base);
	if (rc != CON_OK) {
		json_decref(*gw);
		*gw = NULL;
	}
	return rc;
}

/* Writes the gateway (add or set), the interface and the GUI defaults. */
static int
console_setaddr_write(struct console *c, json_t *ifrow, json_t *in,
    json_t *gw, int gui)
{
	const struct cfg_section	*gsec = cfg_section("gateways");
	struct cfg_ctx			 ctx = { c->c_st, CON_USER, 1 };
	struct cfg_errors		 e;
	json_t				*gws = NULL, *row, *one;
	char				 uuid[UUID_LEN + 1], *descr;
	const char			*gname = NULL;
	size_t				 i;
	int				 rc;

	cfg_errors_init(&e, "console");
	if (store_begin(c->c_st) == -1) {
		rc = CFG_ESTORE;
		goto err;
	}
	/*
	 * The address first (without its gateway): a static gateway is
	 * refused on the interface while it is still in DHCP mode.
	 */
	if (gw != NULL) {
		json_object_set_new(in, "gateway", json_string(""));
		if ((rc = cfg_set(&ctx, cfg_section("interfaces"),
		    cfg_str(ifrow, "uuid"), in, &e)) != 0)
			goto done;
		gname = cfg_str(gw, "name");
		util_strlcpy(uuid, cfg_str(gw, "uuid"), sizeof(uuid));
		json_object_del(gw, "uuid");
		rc = *uuid ? cfg_set(&ctx, gsec, uuid, gw, &e) :
		    cfg_add(&ctx, gsec, gw, uuid, &e);
		if (rc != 0)
			goto done;
		/* One upstream per family, as OPNsense keeps it. */
		one = json_pack("[s]", "gateways");
		gws = cfg_snapshot(c->c_st, one, 0);
		json_decref(one);
		json_array_foreach(json_object_get(json_object_get(gws,
		    "sections"), "gateways"), i, row) {
			if (!cfg_bool(row, "defaultgw") || strcmp(cfg_str(row,
			    "name"), gname) == 0 || strcmp(cfg_str(row,
			    "ipprotocol"), "inet") != 0)
				continue;
			one = json_pack("{s:s}", "defaultgw", "0");
			rc = cfg_set(&ctx, gsec, cfg_str(row, "uuid"), one, &e);
			json_decref(one);
			if (rc != 0)
				goto done;
		}
	}
	json_object_set_new(in, "gateway", json_string(gname ? gname :
	    strcmp(cfg_str(in, "ipaddr"), "dhcp") == 0 ? "" :
	    cfg_str(ifrow, "gateway")));
	if ((rc = cfg_set(&ctx, cfg_section("interfaces"), cfg_str(ifrow,
	    "uuid"), in, &e)) != 0)
		goto done;
	if (gui) {
		one = json_pack("{s:s, s:s}", "webgui_protocol", "https",
		    "webgui_port", "443");
		rc = cfg_set_singleton(&ctx, cfg_section("system"), one, &e);
		json_decref(one);
		if (rc != 0)
			goto done;
	}
	descr = xasprintf("console: %s address set", cfg_str(ifrow, "name"));
	if (store_revision_add(c->c_st, CON_USER, descr) == -1)
		rc = CFG_ESTORE;
	free(descr);
done:
	if (rc != 0)
		store_rollback(c->c_st);
	else if (store_commit(c->c_st) == -1)
		rc = CFG_ESTORE;
err:
	if (rc != 0) {
		printf("The change was refused; nothing was changed:\n");
		if (rc == CFG_ESTORE)
			printf("  store: %s\n", store_errmsg(c->c_st));
		console_print_errors(&e, NULL);
	}
	cfg_errors_free(&e);
	json_decref(gws);
	return rc == 0 ? 0 : -1;
}

static void
console_gui_url(struct console *c, json_t *ifrow)
{
	json_t		*sys, *row;
	const char	*proto, *port, *addr;
	char		 live[512], *sp;
	int		 dflt;

	sys = cfg_get_singleton(c->c_st, cfg_section("system"), 0);
	row = cfg_find(c->c_st, cfg_section("interfaces"), cfg_str(ifrow,
	    "name"));
	/* Empty: as the daemon was started; https is the usual. */
	if (*(proto = cfg_str(sys, "webgui_protocol")) == '\0')
		proto = "https";
	port = cfg_str(sys, "webgui_port");
	dflt = *port == '\0' || (strcmp(proto, "https") == 0 &&
	    strcmp(port, "443") == 0) || (strcmp(proto, "http") == 0 &&
	    strcmp(port, "80") == 0);
	addr = cfg_str(row, "ipaddr");
	if (!cfg_check_addr(addr, 4)) {
		console_live_addrs(cfg_str(row, "device"), live, sizeof(live));
		if ((sp = strchr(live, '/')) != NULL)
			*sp = '\0';
		addr = *live ? live : "<the address DHCP gives>";
	}
	printf("\nYou can now access the web GUI by opening this URL in your "
	    "web browser:\n\n  %s://%s%s%s/\n\n", proto, addr, dflt ? "" : ":",
	    dflt ? "" : port);
	json_decref(sys);
	json_decref(row);
}

int
console_setaddr(struct console *c)
{
	json_t		*rows, *row, *in = NULL, *gw = NULL, *sys, *merged;
	char		 label[32], addr[256];
	size_t		 i;
	long		 pick;
	int		 rc, yes, gui = 0;

	rows = console_if_rows(c);
	printf("Available interfaces:\n\n");
	json_array_foreach(rows, i, row)
		printf("  %zu - %-6s (%s - %s%s%s)\n", i + 1, cfg_str(row,
		    "name"), *cfg_str(row, "device") ? cfg_str(row, "device") :
		    "unassigned", cfg_str(row, "ipaddr"), cfg_check_addr(
		    cfg_str(row, "ipaddr"), 4) ? "/" : "", cfg_check_addr(
		    cfg_str(row, "ipaddr"), 4) ? cfg_str(row, "subnet") : "");
	putchar('\n');
	if ((rc = console_read_number("Enter the number of the interface to "
	    "configure: ", 1, (long)json_array_size(rows), &pick)) != CON_OK)
		goto err;
	row = json_array_get(rows, (size_t)pick - 1);
	snprintf(label, sizeof(label), "%s", cfg_str(row, "name"));
	for (i = 0; label[i]; i++)
		if (label[i] >= 'a' && label[i] <= 'z')
			label[i] = (char)(label[i] - 'a' + 'A');
	in = json_object();
	if ((rc = console_confirm("Configure the IPv4 address via DHCP?",
	    &yes)) != CON_OK)
		goto err;
	if (yes) {
		json_object_set_new(in, "ipaddr", json_string("dhcp"));
		json_object_set_new(in, "subnet", json_string(""));
	} else if ((rc = console_ask_addr(c, row, in, 4, label)) != CON_OK)
		goto err;
	if (strcmp(cfg_str(row, "name"), "wan") == 0 &&
	    cfg_check_addr(cfg_str(in, "ipaddr"), 4) &&
	    (rc = console_ask_gateway(c, row, in, &gw)) != CON_OK)
		goto err;
	if ((rc = console_confirm("Configure IPv6 too?", &yes)) != CON_OK)
		goto err;
	if (yes && (rc = console_ask_addr(c, row, in, 6, label)) != CON_OK)
		goto err;
	sys = cfg_get_singleton(c->c_st, cfg_section("system"), 0);
	printf("The web GUI is on %s, port %s.\n", *cfg_str(sys,
	    "webgui_protocol") ? cfg_str(sys, "webgui_protocol") :
	    "the daemon's protocol", *cfg_str(sys, "webgui_port") ?
	    cfg_str(sys, "webgui_port") : "as the daemon was started");
	json_decref(sys);
	if ((rc = console_confirm("Restore the web GUI access defaults "
	    "(https, port 443)?", &gui)) != CON_OK)
		goto err;
	merged = json_deep_copy(row);
	json_object_update(merged, in);
	console_if_addr_text(merged, addr, sizeof(addr));
	json_decref(merged);
	printf("\n%s (%s) will be set to: %s\n", label, *cfg_str(row,
	    "device") ? cfg_str(row, "device") : "unassigned", addr);
	if (gw != NULL)
		printf("  upstream gateway %s %s (the default route)\n",
		    cfg_str(gw, "name"), cfg_str(gw, "gateway"));
	if (gui)
		printf("  web GUI: https, port 443\n");
	if ((rc = console_confirm("Save and apply?", &yes)) != CON_OK)
		goto err;
	if (!yes) {
		printf("Nothing was changed.\n");
		goto err;
	}
	if (console_setaddr_write(c, row, in, gw, gui) == 0) {
		printf("The %s address is saved.\n", label);
		console_apply(c, NULL);
		console_gui_url(c, row);
	}
err:
	json_decref(gw);
	json_decref(in);
	json_decref(rows);
	return rc;
}
