/*
 * dhcp.c — the parent's DHCP clients (dhcp.h): dhcpcd, one per
 * interface, each a child of the root parent.
 *
 * Each client runs in the foreground (-B) so its pid is ours, in a mount
 * namespace of its own where DIR/rendered/dhcpcd-<dev>/run and .../db
 * are bound over /run/dhcpcd and /var/lib/dhcpcd: two daemons on one
 * host (an HA pair in namespaces, or another test's) then never share a
 * pid file, control socket or lease, and the parent finds the lease at
 * a path it chose. A client that dies is started again after a backoff
 * (1 s doubling to 30 s, none again once it ran 30 s), slept by the
 * forked child before exec, as statesync.c does for conntrackd.
 *
 * Stopping: SIGALRM makes dhcpcd send a DHCPRELEASE and remove what it
 * configured (interface disabled or static, device changed); SIGTERM,
 * with "persistent" in its configuration, leaves the address in place
 * (the daemon stops or restarts: the host keeps its address, as it
 * keeps the ruleset and routes).
 *
 * Routes: the parent keeps the routing sections of the last applied
 * snapshot; a lease event re-runs linux_net_routes() with them, which
 * asks dhcp_router() for the router of each dynamic gateway.
 */
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dhcp.h"
#include "dhcp_int.h"
#include "ipc.h"
#include "linux_int.h"
#include "log.h"
#include "netlink.h"
#include "platform_int.h"
#include "track6.h"
#include "util.h"

#define DHCP_BIN		"/usr/sbin/dhcpcd"
#define DHCP_MAX		16	/* clients (interfaces) at most */
#define DHCP_BACKOFF_MAX	30	/* seconds */
#define DHCP_STABLE_RUN		30	/* seconds alive that reset the backoff */
#define DHCP_STOP_WAIT		3	/* seconds before SIGKILL */
#define DHCP_LEASE_MAX		4096	/* bytes of a lease file */

enum dhcp_state {
	DS_RUNNING,	/* started, no lease yet or bound */
	DS_BACKOFF,	/* died; its successor sleeps before exec */
};

struct dhcp_client {
	char		 c_if[17];	/* twinwall name: wan, opt1 */
	char		 c_dev[16];
	char		*c_conf;	/* the rendered configuration */
	pid_t		 c_pid;
	enum dhcp_state	 c_state;
	double		 c_started;
	int		 c_backoff;
	unsigned	 c_restarts;
	char		 c_reason[20];	/* the hook's last reason */
	char		 c_router6[64];	/* the last RA's router, link-local */
	time_t		 c_router6_until; /* and when its lifetime ends */
	time_t		 c_event;	/* and when it came */
	int		 c_wanted;	/* scratch for dhcp_apply */
	int		 c_new;		/* started by this apply: wait for it */
};

static struct {
	int			 d_supervise;
	char			 d_exe[512];	/* this program, for the hook */
	struct dhcp_client	 d_cl[DHCP_MAX];
	size_t			 d_n;
	json_t			*d_snap;	/* routing sections applied */
	unsigned		 d_events;
} dh;

int
dhcp_dev_ok(const char *dev)
{
	size_t i, n = strlen(dev);

	if (n == 0 || n > 15 || dev[0] == '.' || dev[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)dev[i]) && dev[i] != '.' &&
		    dev[i] != '_' && dev[i] != '-')
			return 0;
	return 1;
}

/* Which families of row are dynamic: bit 0 IPv4 (dhcp), bit 1 IPv6. */
static int
dhcp_modes(json_t *row)
{
	const char	*v6 = cfg_str(row, "ipaddrv6");
	int		 m = 0;

	if (strcmp(cfg_str(row, "ipaddr"), "dhcp") == 0)
		m |= 1;
	if (strcmp(v6, "dhcp6") == 0 || strcmp(v6, "slaac") == 0)
		m |= 2;
	return m;
}

static struct dhcp_client *
dhcp_by_if(const char *ifname)
{
	size_t i;

	for (i = 0; i < dh.d_n; i++)
		if (strcmp(dh.d_cl[i].c_if, ifname) == 0)
			return &dh.d_cl[i];
	return NULL;
}

static struct dhcp_client *
dhcp_by_dev(const char *dev)
{
	size_t i;

	for (i = 0; i < dh.d_n; i++)
		if (strcmp(dh.d_cl[i].c_dev, dev) == 0)
			return &dh.d_cl[i];
	return NULL;
}

/* DIR/rendered/dhcpcd-<dev>[/sub]: a new string. */
static char *
dhcp_path(const char *dev, const char *sub)
{
	return xasprintf("%s/dhcpcd-%s%s%s", platform_rendered_path(), dev,
	    sub ? "/" : "", sub ? sub : "");
}

static int
dhcp_mkdir(const char *path)
{
	struct stat sb;

	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return -1;
	/* Root's directory: a symlink planted there is refused. */
	if (lstat(path, &sb) == -1 || !S_ISDIR(sb.st_mode) ||
	    sb.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * The hook dhcpcd runs on every change: our own program, which only
 * tells the parent the device and the reason (cli_dhcp.c). Values from
 * the network never pass through a shell.
 */
static int
dhcp_write_hook(char *err, size_t errlen)
{
	char	*text, *data;
	int	 r;

	data = xstrdup(platform_rendered_path());
	*strrchr(data, '/') = '\0';
	if (strchr(dh.d_exe, '\'') != NULL || strchr(data, '\'') != NULL) {
		snprintf(err, errlen, "dhcp: a quote in %.100s or %.100s", dh.d_exe,
		    data);
		free(data);
		return -1;
	}
	text = xasprintf("#!/bin/sh\n# twinwall: dhcpcd's hook; tells the "
	    "root parent to read the lease again.\nexec '%s' dhcp-event "
	    "--data '%s'\n", dh.d_exe, data);
	r = platform_write(DHCP_HOOK, text, strlen(text), 0755, err, errlen);
	free(text);
	free(data);
	return r;
}

int
dhcp_init(int supervise)
{
	char	err[256];
	ssize_t	n;

	dh.d_supervise = supervise;
	if (!supervise)
		return 0;
	if ((n = readlink("/proc/self/exe", dh.d_exe,
	    sizeof(dh.d_exe) - 1)) <= 0) {
		log_warn("dhcp: /proc/self/exe");
		dh.d_supervise = 0;
		return -1;
	}
	dh.d_exe[n] = '\0';
	if (dhcp_write_hook(err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		dh.d_supervise = 0;
		return -1;
	}
	return 0;
}

/* The client's configuration for interface row: a new string. */
static char *
dhcp_render(json_t *row, const char *dev)
{
	int		 m = dhcp_modes(row);
	const char	*pd;
	char		*v6, *text;
	long		 bits;

	pd = cfg_str(row, "dhcp6_ia_pd_len");
	if (m & 2 && strcmp(cfg_str(row, "ipaddrv6"), "dhcp6") == 0 &&
	    pd[0] != '\0' && (bits = strtol(pd, NULL, 10)) >= 0 && bits <= 16)
		/*
		 * The prefix is asked for and assigned to no interface
		 * ("-"): track6.c numbers the LANs' /64s itself, and this
		 * client runs for its WAN only.
		 */
		v6 = xasprintf("ipv6rs\nia_na 1\nia_pd 2/::/%ld -\n",
		    64 - bits);
	else if (m & 2)
		v6 = xasprintf("ipv6rs\n%s",
		    strcmp(cfg_str(row, "ipaddrv6"), "dhcp6") == 0 ?
		    "ia_na 1\n" : "");
	else
		v6 = xstrdup("noipv6\n");
	text = xasprintf(
	    "# twinwall: the DHCP client of %s (%s), rendered on every "
	    "apply.\n"
	    "# The parent installs the default route from the lease "
	    "(gateway %s_DHCP):\n"
	    "nogateway\n"
	    "# its only hook tells the parent; no resolv.conf, hostname or "
	    "NTP hooks:\n"
	    "script %s/%s\n"
	    "# a restart of the daemon keeps the address; a stop releases "
	    "it:\n"
	    "persistent\n"
	    "timeout 0\n"
	    "nodelay\n"
	    "noarp\n"
	    "noipv4ll\n"
	    "clientid\n"
	    "vendorclassid\n"
	    "option subnet_mask, routers, domain_name_servers, domain_name\n"
	    "option dhcp6_name_servers\n"
	    "nooption classless_static_routes, static_routes\n"
	    "require dhcp_server_identifier\n"
	    "%s%s",
	    cfg_str(row, "name"), dev, cfg_str(row, "name"),
	    platform_rendered_path(), DHCP_HOOK, m & 1 ? "" : "noipv4\n", v6);
	free(v6);
	return text;
}

/* In the forked child: a clean slate, then dhcpcd. Never returns. */
static void __attribute__((noreturn))
dhcp_child(const struct dhcp_client *c, int delay)
{
	char		*conf, *run, *db;
	char		*argv[] = { "dhcpcd", "-B", "-f", NULL, NULL, NULL };
	char		*envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (util_child_reset(-1) == -1)
		_exit(1);
	/*
	 * A process group of its own: the client's privilege-separation
	 * helpers can outlive it (one holding the DHCPv6 client port would
	 * keep its successor from binding); dhcp_stop ends the group.
	 */
	(void)setpgid(0, 0);
	if (delay > 0)
		sleep((unsigned)delay);
	conf = xasprintf("%s/dhcpcd-%s.conf", platform_rendered_path(),
	    c->c_dev);
	run = dhcp_path(c->c_dev, "run");
	db = dhcp_path(c->c_dev, "db");
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1) {
		fprintf(stderr, "dhcp: %s: mount namespace: %s\n", c->c_dev,
		    strerror(errno));
		_exit(1);
	}
	(void)mkdir("/run/dhcpcd", 0755);
	(void)mkdir("/var/lib/dhcpcd", 0755);
	if (mount(run, "/run/dhcpcd", NULL, MS_BIND, NULL) == -1 ||
	    mount(db, "/var/lib/dhcpcd", NULL, MS_BIND, NULL) == -1) {
		fprintf(stderr, "dhcp: %s: bind %s: %s\n", c->c_dev, run,
		    strerror(errno));
		_exit(1);
	}
	argv[3] = conf;
	argv[4] = (char *)c->c_dev;
	execve(DHCP_BIN, argv, envp);
	fprintf(stderr, "dhcp: %s: %s\n", DHCP_BIN, strerror(errno));
	_exit(127);
}

static int
dhcp_spawn(struct dhcp_client *c, int delay)
{
	char	*run, *db, *base;
	pid_t	 pid;
	int	 r;

	base = dhcp_path(c->c_dev, NULL);
	run = dhcp_path(c->c_dev, "run");
	db = dhcp_path(c->c_dev, "db");
	r = dhcp_mkdir(base) == -1 || dhcp_mkdir(run) == -1 ||
	    dhcp_mkdir(db) == -1 ? -1 : 0;
	if (r == -1)
		log_warn("dhcp: %s", base);
	free(base);
	free(run);
	free(db);
	if (r == -1)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_warn("dhcp: fork");
		return -1;
	}
	if (pid == 0)
		dhcp_child(c, delay);
	(void)setpgid(pid, pid);	/* before either side runs on */
	c->c_pid = pid;
	c->c_state = delay > 0 ? DS_BACKOFF : DS_RUNNING;
	c->c_started = util_now() + delay;
	log_info("dhcp: client of %s (%s) %s (pid %d)", c->c_if, c->c_dev,
	    delay ? "restarting after backoff" : "started", (int)pid);
	platform_action("dhcp: client of %s on %s started (pid %d)%s",
	    c->c_if, c->c_dev, (int)pid, delay ? " after backoff" : "");
	return 0;
}

/*
 * Reads DIR/dhcp/<dev>/db/<dev><suffix>, a regular file the client
 * wrote: its length (> 0) in buf and when it was written, or -1.
 */
static ssize_t
dhcp_lease_file(const char *dev, const char *suffix,
    uint8_t buf[DHCP_LEASE_MAX], time_t *written)
{
	struct stat	 sb;
	char		*path, *name;
	ssize_t		 n = -1;
	int		 fd;

	name = xasprintf("db/%s%s", dev, suffix);
	path = dhcp_path(dev, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(name);
	free(path);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (n = read(fd, buf, DHCP_LEASE_MAX)) <= 0)
		n = -1;
	else
		*written = sb.st_mtime;
	close(fd);
	return n;
}

/* Reads the stored IPv4 lease of dev: 0 and *l, or -1. */
static int
dhcp_lease_read(const char *dev, struct dhcp_lease4 *l)
{
	uint8_t		 buf[DHCP_LEASE_MAX];
	char		 err[128];
	time_t		 written;
	ssize_t		 n;

	if ((n = dhcp_lease_file(dev, ".lease", buf, &written)) == -1)
		return -1;
	if (dhcp_lease4_parse(buf, (size_t)n, l, err, sizeof(err)) == -1) {
		log_debug("dhcp: %s lease: %s", dev, err);
		return -1;
	}
	/* The client's own rule: the lease began when it was written. */
	l->l_start = written;
	return 0;
}

/* Reads the stored DHCPv6 lease of dev: 0 and *l, or -1. */
static int
dhcp_lease6_read(const char *dev, struct dhcp_lease6 *l)
{
	uint8_t		 buf[DHCP_LEASE_MAX];
	char		 err[128];
	time_t		 written;
	ssize_t		 n;

	if ((n = dhcp_lease_file(dev, ".lease6", buf, &written)) == -1)
		return -1;
	if (dhcp_lease6_parse(buf, (size_t)n, l, err, sizeof(err)) == -1) {
		log_debug("dhcp: %s lease6: %s", dev, err);
		return -1;
	}
	l->l6_start = written;
	return 0;
}

int
dhcp_lease6_now(const char *ifname, int pd, struct dhcp_lease6 *l)
{
	struct dhcp_client *c = dhcp_by_if(ifname);

	return c != NULL && c->c_pid > 0 &&
	    dhcp_lease6_read(c->c_dev, l) == 0 &&
	    dhcp_lease6_valid(l, pd, time(NULL)) ? 0 : -1;
}

static int
dhcp_lease_now(const char *dev, struct dhcp_lease4 *l)
{
	return dhcp_lease_read(dev, l) == 0 &&
	    dhcp_lease4_valid(l, time(NULL)) ? 0 : -1;
}

/* Whether the lease's address is on dev now. */
static int
dhcp_addr_present(const char *dev, const struct dhcp_lease4 *l)
{
	struct nl_link	 lk;
	struct nl_addr	*have = NULL, a;
	size_t		 n = 0, i;
	int		 fd, found = 0;

	if (nl_addr_parse(l->l_addr, l->l_prefix, &a) != 0 ||
	    (fd = nl_open(NETLINK_ROUTE)) < 0)
		return 0;
	if (nl_link_get(fd, dev, &lk) == 0 &&
	    nl_addr_list(fd, AF_INET, lk.l_index, &have, &n) == 0)
		for (i = 0; i < n; i++)
			if (memcmp(have[i].a_addr, a.a_addr, 4) == 0)
				found = 1;
	free(have);
	nl_close(fd);
	return found;
}

/* Removes the lease's address from dev if a dead client left it. */
static void
dhcp_addr_remove(const char *dev, const struct dhcp_lease4 *l)
{
	struct nl_link	lk;
	struct nl_addr	a;
	int		fd;

	if (!dhcp_addr_present(dev, l) ||
	    nl_addr_parse(l->l_addr, l->l_prefix, &a) != 0 ||
	    (fd = nl_open(NETLINK_ROUTE)) < 0)
		return;
	if (nl_link_get(fd, dev, &lk) == 0) {
		a.a_index = lk.l_index;
		if (nl_addr_del(fd, &a) == 0)
			platform_action("dhcp: removed %s/%d from %s (its "
			    "client is stopped)", l->l_addr, l->l_prefix, dev);
	}
	nl_close(fd);
}

/* Removes the DHCPv6 address addr (any prefix length) from dev. */
static void
dhcp_addr6_remove(const char *dev, const char *addr)
{
	struct nl_link	 lk;
	struct nl_addr	*have = NULL, a;
	size_t		 n = 0, i;
	int		 fd;

	if (nl_addr_parse(addr, 128, &a) != 0 ||
	    (fd = nl_open(NETLINK_ROUTE)) < 0)
		return;
	if (nl_link_get(fd, dev, &lk) == 0 &&
	    nl_addr_list(fd, AF_INET6, lk.l_index, &have, &n) == 0)
		for (i = 0; i < n; i++)
			if (memcmp(have[i].a_addr, a.a_addr, 16) == 0 &&
			    nl_addr_del(fd, &have[i]) == 0)
				platform_action("dhcp: removed %s/%d from %s "
				    "(its client is stopped)", addr,
				    have[i].a_prefix, dev);
	free(have);
	nl_close(fd);
}

/*
 * Ends what is left of the process group of client pid (exited): its
 * helpers get a second to go by themselves (one may still be sending
 * the release), then SIGTERM, then SIGKILL. The group's id is not
 * reused while a member lives. They are not our children (the
 * client's), so there is nothing to reap.
 */
static void
dhcp_reap_group(pid_t pid)
{
	int n;

	for (n = 0; n < 50 && kill(-pid, 0) == 0; n++)
		usleep(20000);
	if (kill(-pid, SIGTERM) == -1)
		return;		/* no one left */
	for (n = 0; n < 25 && kill(-pid, 0) == 0; n++)
		usleep(20000);
	if (kill(-pid, SIGKILL) == 0)
		log_info("dhcp: killed what was left of client %d's helpers",
		    (int)pid);
}

/*
 * Stops c's client. release: the lease is given back and its address
 * removed (the client does it; what a killed one left, we do).
 */
static void
dhcp_stop(struct dhcp_client *c, int release)
{
	struct dhcp_lease4	 l;
	struct dhcp_lease6	 l6;
	char			*path, *name;
	int			 status, n, have, have6;

	have = dhcp_lease_read(c->c_dev, &l) == 0;
	have6 = dhcp_lease6_read(c->c_dev, &l6) == 0;
	if (c->c_pid > 0) {
		/* A client still sleeping its backoff has nothing to give. */
		(void)kill(c->c_pid, release && c->c_state == DS_RUNNING ?
		    SIGALRM : SIGTERM);
		for (n = 0; n < DHCP_STOP_WAIT * 50; n++) {
			if (waitpid(c->c_pid, &status, WNOHANG) != 0)
				break;
			usleep(20000);
		}
		if (n == DHCP_STOP_WAIT * 50) {
			(void)kill(c->c_pid, SIGKILL);
			(void)waitpid(c->c_pid, &status, 0);
		}
		dhcp_reap_group(c->c_pid);
		log_info("dhcp: client of %s (%s, pid %d) stopped%s", c->c_if,
		    c->c_dev, (int)c->c_pid, release ? ", lease released" :
		    "");
		platform_action("dhcp: client of %s on %s stopped%s", c->c_if,
		    c->c_dev, release ? " (lease released)" : "");
		c->c_pid = -1;
	}
	if (release) {
		if (have)
			dhcp_addr_remove(c->c_dev, &l);
		if (have6 && l6.l6_addr[0])
			dhcp_addr6_remove(c->c_dev, l6.l6_addr);
		name = xasprintf("db/%s.lease", c->c_dev);
		path = dhcp_path(c->c_dev, name);
		(void)unlink(path);
		free(path);
		free(name);
		name = xasprintf("db/%s.lease6", c->c_dev);
		path = dhcp_path(c->c_dev, name);
		(void)unlink(path);
		free(path);
		free(name);
	}
}

static void
dhcp_forget(size_t i)
{
	free(dh.d_cl[i].c_conf);
	dh.d_cl[i] = dh.d_cl[--dh.d_n];
	memset(&dh.d_cl[dh.d_n], 0, sizeof(dh.d_cl[0]));
}

void
dhcp_remember(json_t *snap, json_t *subsys)
{
	static const struct {
		const char	*k_section;
		enum subsys	 k_subsys;
	} keep[] = {
		{ "interfaces", SUBSYS_INTERFACES },
		{ "gateways", SUBSYS_ROUTING },
		{ "routes", SUBSYS_ROUTING },
	};
	json_t	*secs, *rows;
	size_t	 i;

	if (dh.d_snap == NULL)
		dh.d_snap = json_pack("{s:{}}", "sections");
	secs = json_object_get(dh.d_snap, "sections");
	/*
	 * What an apply brought in force; pending edits stay out. A section
	 * not applied since the daemon started is taken as it is: routes
	 * through a lease must not drop the static routes still in force.
	 */
	for (i = 0; i < nitems(keep); i++)
		if ((subsys_has(subsys, keep[i].k_subsys) ||
		    json_object_get(secs, keep[i].k_section) == NULL) &&
		    (rows = cfg_rows(snap, keep[i].k_section)) != NULL)
			json_object_set_new(secs, keep[i].k_section,
			    json_deep_copy(rows));
}

int
dhcp_routes(char *err, size_t errlen)
{
	if (!dh.d_supervise || dh.d_snap == NULL)
		return 0;
	return linux_net_routes(dh.d_snap, err, errlen);
}

/* Waits up to DHCP_WAIT_MS for the leases of the clients just started. */
static void
dhcp_wait(void)
{
	struct dhcp_lease4	 l;
	struct dhcp_lease6	 l6;
	struct dhcp_client	*c;
	double			 t0 = util_now();
	size_t			 i;
	int			 missing;

	for (;;) {
		missing = 0;
		for (i = 0; i < dh.d_n; i++) {
			c = &dh.d_cl[i];
			if (c->c_new && c->c_pid > 0 &&
			    strstr(c->c_conf, "noipv4\n") == NULL &&
			    (dhcp_lease_now(c->c_dev, &l) == -1 ||
			    !dhcp_addr_present(c->c_dev, &l)))
				missing++;
			/* DHCPv6: the address, and the prefix if asked. */
			if (c->c_new && c->c_pid > 0 &&
			    strstr(c->c_conf, "ia_na") != NULL &&
			    dhcp_lease6_now(c->c_if, strstr(c->c_conf,
			    "ia_pd") != NULL, &l6) == -1)
				missing++;
		}
		if (missing == 0)
			return;
		if ((util_now() - t0) * 1e3 >= DHCP_WAIT_MS)
			break;
		usleep(50000);
	}
	for (i = 0; i < dh.d_n; i++)
		if (dh.d_cl[i].c_new && dhcp_lease_now(dh.d_cl[i].c_dev,
		    &l) == -1)
			platform_action("dhcp: no lease on %s (%s) after %d "
			    "ms; its client keeps trying", dh.d_cl[i].c_dev,
			    dh.d_cl[i].c_if, DHCP_WAIT_MS);
}

int
dhcp_apply(json_t *snap, char *err, size_t errlen)
{
	struct dhcp_client	*c;
	json_t			*row;
	const char		*dev, *name;
	char			*conf;
	int			 any = 0, stopped = 0;
	size_t			 i;

	if (!dh.d_supervise)
		return 0;
	for (i = 0; i < dh.d_n; i++)
		dh.d_cl[i].c_wanted = dh.d_cl[i].c_new = 0;
	json_array_foreach(cfg_rows(snap, "interfaces"), i, row) {
		dev = cfg_str(row, "device");
		name = cfg_str(row, "name");
		if (strcmp(cfg_str(row, "enabled"), "1") != 0 ||
		    dev[0] == '\0' || dhcp_modes(row) == 0)
			continue;
		if (!dhcp_dev_ok(dev) || strlen(name) >= sizeof(c->c_if)) {
			snprintf(err, errlen, "dhcp: interface %s: device "
			    "\"%.16s\" cannot be used", name, dev);
			return -1;
		}
		if ((c = dhcp_by_if(name)) != NULL &&
		    strcmp(c->c_dev, dev) != 0) {
			dhcp_stop(c, 1);	/* moved to another device */
			dhcp_forget((size_t)(c - dh.d_cl));
			c = NULL;
		}
		if (c == NULL && (c = dhcp_by_dev(dev)) != NULL) {
			stopped = 1;
			dhcp_stop(c, 1);	/* the device changed hands */
			dhcp_forget((size_t)(c - dh.d_cl));
			c = NULL;
		}
		conf = dhcp_render(row, dev);
		if (c != NULL && strcmp(c->c_conf, conf) == 0) {
			c->c_wanted = 1;
			free(conf);
			continue;
		}
		if (c == NULL) {
			if (dh.d_n == DHCP_MAX) {
				free(conf);
				snprintf(err, errlen, "dhcp: more than %d "
				    "interfaces in DHCP mode", DHCP_MAX);
				return -1;
			}
			c = &dh.d_cl[dh.d_n++];
			memset(c, 0, sizeof(*c));
			c->c_pid = -1;
			util_strlcpy(c->c_if, name, sizeof(c->c_if));
			util_strlcpy(c->c_dev, dev, sizeof(c->c_dev));
		} else
			dhcp_stop(c, 0);	/* new settings, same lease */
		free(c->c_conf);
		c->c_conf = conf;
		c->c_wanted = 1;
		c->c_backoff = 0;
		conf = xasprintf("dhcpcd-%s.conf", dev);
		if (platform_write(conf, c->c_conf, strlen(c->c_conf), 0644,
		    err, errlen) == -1) {
			free(conf);
			return -1;
		}
		free(conf);
		if (dhcp_spawn(c, 0) == -1) {
			snprintf(err, errlen, "dhcp: cannot start the client "
			    "of %s", name);
			return -1;
		}
		c->c_new = 1;
		any = 1;
	}
	for (i = dh.d_n; i-- > 0; )
		if (!dh.d_cl[i].c_wanted) {
			stopped = 1;
			dhcp_stop(&dh.d_cl[i], 1);
			dhcp_forget(i);
		}
	if (any)
		dhcp_wait();
	track6_sync(cfg_rows(snap, "interfaces"));
	if (any || stopped)
		linux_sys_leases();
	return any || stopped;
}

void
dhcp_shutdown(void)
{
	track6_shutdown();
	while (dh.d_n > 0) {
		dhcp_stop(&dh.d_cl[dh.d_n - 1], 0);
		dhcp_forget(dh.d_n - 1);
	}
	json_decref(dh.d_snap);
	dh.d_snap = NULL;
}

int
dhcp_reaped(pid_t pid, int status)
{
	struct dhcp_client	*c = NULL;
	double			 ran;
	size_t			 i;

	if (track6_reaped(pid, status))
		return 1;
	for (i = 0; i < dh.d_n && pid > 0; i++)
		if (dh.d_cl[i].c_pid == pid)
			c = &dh.d_cl[i];
	if (c == NULL)
		return 0;
	ran = util_now() - c->c_started;
	c->c_pid = -1;
	c->c_restarts++;
	dhcp_reap_group(pid);
	if (ran >= DHCP_STABLE_RUN)
		c->c_backoff = 0;
	else
		c->c_backoff = c->c_backoff == 0 ? 1 :
		    c->c_backoff * 2 > DHCP_BACKOFF_MAX ? DHCP_BACKOFF_MAX :
		    c->c_backoff * 2;
	log_warnx("dhcp: client of %s (pid %d) %s %d after %.1f s; "
	    "restarting in %d s", c->c_if, (int)pid, WIFEXITED(status) ?
	    "exited with status" : "was killed by signal", WIFEXITED(status) ?
	    WEXITSTATUS(status) : WTERMSIG(status), ran, c->c_backoff);
	(void)dhcp_spawn(c, c->c_backoff);
	return 1;
}

int
dhcp_router(const char *ifname, int family, char *buf, size_t len)
{
	struct dhcp_client	*c;
	struct dhcp_lease4	 l;

	if ((c = dhcp_by_if(ifname)) == NULL)
		return -1;
	if (family == AF_INET6) {
		if (c->c_router6[0] == '\0' ||
		    time(NULL) >= c->c_router6_until)
			return -1;
		util_strlcpy(buf, c->c_router6, len);
		return 0;
	}
	if (family != AF_INET || dhcp_lease_now(c->c_dev, &l) == -1 ||
	    l.l_router[0] == '\0')
		return -1;
	util_strlcpy(buf, l.l_router, len);
	return 0;
}

/* The addresses on dev now: a new array of "addr/prefix". */
static json_t *
dhcp_live_addrs(int fd, const char *dev)
{
	struct nl_link	 lk;
	struct nl_addr	*have = NULL;
	json_t		*out = json_array();
	char		 text[80];
	size_t		 n = 0, i;

	if (fd < 0 || dev[0] == '\0' || nl_link_get(fd, dev, &lk) != 0 ||
	    nl_addr_list(fd, AF_UNSPEC, lk.l_index, &have, &n) != 0)
		return out;
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(nl_addr_text(&have[i],
		    have[i].a_prefix, text, sizeof(text))));
	free(have);
	return out;
}

/* The lease of c as the status shows it: a new object (or null). */
static json_t *
dhcp_lease_json(const struct dhcp_client *c)
{
	struct dhcp_lease4	 l;
	json_t			*dns;
	time_t			 now = time(NULL);
	int			 i;

	if (dhcp_lease_read(c->c_dev, &l) == -1)
		return json_null();
	dns = json_array();
	for (i = 0; i < l.l_ndns; i++)
		json_array_append_new(dns, json_string(l.l_dns[i]));
	return json_pack("{s:s, s:i, s:s, s:s, s:o, s:I, s:I, s:I, s:I, "
	    "s:I, s:b}",
	    "address", l.l_addr, "prefix", l.l_prefix,
	    "router", l.l_router, "server", l.l_server, "dns", dns,
	    "lease_time", (json_int_t)l.l_time,
	    "obtained", (json_int_t)l.l_start,
	    "renew", (json_int_t)(l.l_start + (time_t)l.l_renew),
	    "rebind", (json_int_t)(l.l_start + (time_t)l.l_rebind),
	    "expires", (json_int_t)(l.l_time == UINT32_MAX ? 0 :
	    l.l_start + (time_t)l.l_time),
	    "valid", dhcp_lease4_valid(&l, now));
}

/* The DHCPv6 lease of c as the status shows it: a new object or null. */
static json_t *
dhcp_lease6_json(const struct dhcp_client *c)
{
	struct dhcp_lease6	 l;
	json_t			*dns;
	time_t			 now = time(NULL);
	int			 i;

	if (dhcp_lease6_read(c->c_dev, &l) == -1)
		return json_null();
	dns = json_array();
	for (i = 0; i < l.l6_ndns; i++)
		json_array_append_new(dns, json_string(l.l6_dns[i]));
#define T6(life) (json_int_t)((life) == UINT32_MAX ? 0 : \
	    l.l6_start + (time_t)(life))
	return json_pack("{s:s, s:I, s:I, s:s, s:i, s:I, s:I, s:o, s:I, "
	    "s:b, s:b}",
	    "address", l.l6_addr,
	    "address_preferred_until", T6(l.l6_apref),
	    "address_valid_until", T6(l.l6_avalid),
	    "prefix", l.l6_prefix, "prefix_len", l.l6_plen,
	    "prefix_preferred_until", T6(l.l6_ppref),
	    "prefix_valid_until", T6(l.l6_pvalid),
	    "dns", dns, "obtained", (json_int_t)l.l6_start,
	    "address_valid", dhcp_lease6_valid(&l, 0, now),
	    "prefix_valid", dhcp_lease6_valid(&l, 1, now));
#undef T6
}

static const char *
dhcp_client_state(const struct dhcp_client *c)
{
	struct dhcp_lease4 l;

	if (c->c_pid <= 0)
		return "stopped";
	if (c->c_state == DS_BACKOFF && util_now() < c->c_started)
		return "restarting";
	if (strstr(c->c_conf, "noipv4\n") == NULL &&
	    dhcp_lease_now(c->c_dev, &l) == -1)
		return "searching";
	return "bound";
}

static json_t *
dhcp_status(void)
{
	struct dhcp_client	*c;
	json_t			*list = json_array(), *row, *o, *t6;
	const char		*dev, *name;
	char			 gw[64], router[64];
	size_t			 i;
	int			 fd;

	fd = nl_open(NETLINK_ROUTE);
	json_array_foreach(cfg_rows(dh.d_snap, "interfaces"), i, row) {
		name = cfg_str(row, "name");
		dev = cfg_str(row, "device");
		o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:o}",
		    "name", name, "device", dev,
		    "descr", cfg_str(row, "descr"),
		    "enabled", strcmp(cfg_str(row, "enabled"), "1") == 0,
		    "ipaddr", cfg_str(row, "ipaddr"),
		    "ipaddrv6", cfg_str(row, "ipaddrv6"),
		    "addresses", dhcp_live_addrs(fd, dev));
		if ((c = dhcp_by_if(name)) != NULL) {
			cfg_gw_dynamic_name(name, 0, gw, sizeof(gw));
			json_object_set_new(o, "dhcp", json_pack("{s:s, s:i, "
			    "s:I, s:s, s:I, s:o, s:s, s:s}",
			    "client", dhcp_client_state(c),
			    "pid", (int)c->c_pid,
			    "restarts", (json_int_t)c->c_restarts,
			    "last_event", c->c_reason,
			    "last_event_time", (json_int_t)c->c_event,
			    "lease", dhcp_lease_json(c),
			    "gateway", gw,
			    "gateway_address", dhcp_router(name, AF_INET,
			    router, sizeof(router)) == 0 ? router : ""));
			cfg_gw_dynamic_name(name, 1, gw, sizeof(gw));
			json_object_set_new(json_object_get(o, "dhcp"),
			    "gateway6", json_string(gw));
			json_object_set_new(json_object_get(o, "dhcp"),
			    "lease6", dhcp_lease6_json(c));
			json_object_set_new(json_object_get(o, "dhcp"),
			    "gateway6_address", json_string(dhcp_router(name,
			    AF_INET6, router, sizeof(router)) == 0 ? router :
			    ""));
		}
		if (strcmp(cfg_str(row, "ipaddrv6"), "track6") == 0 &&
		    (t6 = track6_status(name)) != NULL)
			json_object_set_new(o, "track6", t6);
		json_array_append_new(list, o);
	}
	nl_close(fd);
	return json_pack("{s:s, s:b, s:I, s:o}", "status", "ok",
	    "supervised", dh.d_supervise, "events", (json_int_t)dh.d_events,
	    "interfaces", list);
}

static int
dhcp_dns_add(char out[][64], int n, int max, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(out[i], s) == 0)
			return n;
	if (n == max || s[0] == '\0' || strlen(s) >= 64)
		return n;
	util_strlcpy(out[n], s, 64);
	return n + 1;
}

int
dhcp_lease_dns(char out[][64], int max)
{
	struct dhcp_lease4	 l;
	struct dhcp_lease6	 l6;
	size_t			 i;
	int			 n = 0, k;

	for (i = 0; i < dh.d_n; i++)
		if (dhcp_lease_now(dh.d_cl[i].c_dev, &l) == 0)
			for (k = 0; k < l.l_ndns; k++)
				n = dhcp_dns_add(out, n, max, l.l_dns[k]);
	for (i = 0; i < dh.d_n; i++)
		if (dh.d_cl[i].c_pid > 0 &&
		    dhcp_lease6_read(dh.d_cl[i].c_dev, &l6) == 0 &&
		    (dhcp_lease6_valid(&l6, 0, time(NULL)) ||
		    dhcp_lease6_valid(&l6, 1, time(NULL))))
			for (k = 0; k < l6.l6_ndns; k++)
				n = dhcp_dns_add(out, n, max, l6.l6_dns[k]);
	return n;
}

int
dhcp_word_ok(const char *s, size_t max)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/*
 * A router advertisement's router (from the hook: the client's $nd1_from
 * and $nd1_lifetime): the IPv6 router of WAN_DHCP6 while its lifetime
 * lasts (RFC 4861 6.3.4: a lifetime of 0 withdraws it). Only a
 * link-local address is taken: routers advertise from one (4.2).
 */
static void
dhcp_event_router6(struct dhcp_client *c, json_t *r)
{
	struct in6_addr	 a;
	const char	*addr = json_string_value(json_object_get(r, "address"));
	const char	*life = json_string_value(json_object_get(r,
			    "lifetime"));
	char		*end;
	long		 secs;

	if (addr == NULL || life == NULL ||
	    inet_pton(AF_INET6, addr, &a) != 1 || !IN6_IS_ADDR_LINKLOCAL(&a))
		return;
	secs = strtol(life, &end, 10);
	if (*life == '\0' || *end != '\0' || secs < 0 || secs > 65535)
		return;
	if (secs == 0) {
		c->c_router6[0] = '\0';
		return;
	}
	util_strlcpy(c->c_router6, addr, sizeof(c->c_router6));
	c->c_router6_until = time(NULL) + secs;
}

static json_t *
dhcp_event(json_t *req, const char *from)
{
	struct dhcp_client	*c;
	struct dhcp_lease4	 l;
	struct dhcp_lease6	 l6;
	const char		*dev, *reason;
	char			 err[512];

	dev = json_string_value(json_object_get(req, "device"));
	reason = json_string_value(json_object_get(req, "reason"));
	if (!dhcp_word_ok(dev, 15) || !dhcp_word_ok(reason, 16))
		return ipc_failed("dhcp event: device and reason required");
	if ((c = dhcp_by_dev(dev)) == NULL)
		return ipc_failed("dhcp event: no client on that device");
	dh.d_events++;
	dhcp_event_router6(c, json_object_get(req, "router6"));
	util_strlcpy(c->c_reason, reason, sizeof(c->c_reason));
	c->c_event = time(NULL);
	if (strstr(c->c_conf, "ia_na") != NULL &&
	    dhcp_lease6_now(c->c_if, 0, &l6) == 0)
		log_info("dhcp: %s (%s): %s: DHCPv6 %s, prefix %s/%d, valid "
		    "%u s", c->c_if, dev, reason, l6.l6_addr, l6.l6_prefix[0] ?
		    l6.l6_prefix : "none", l6.l6_plen, l6.l6_avalid);
	if (dhcp_lease_now(c->c_dev, &l) == 0)
		log_info("dhcp: %s (%s): %s: %s/%d router %s, lease %u s",
		    c->c_if, dev, reason, l.l_addr, l.l_prefix,
		    l.l_router[0] ? l.l_router : "none", l.l_time);
	else if (strstr(c->c_conf, "noipv4\n") == NULL)
		log_info("dhcp: %s (%s): %s: no valid lease", c->c_if, dev,
		    reason);
	platform_action("dhcp: %s on %s (%s, from %s)", reason, dev, c->c_if,
	    from);
	/* The LANs follow a delegated prefix; resolv.conf its servers. */
	track6_sync(cfg_rows(dh.d_snap, "interfaces"));
	linux_sys_leases();
	/* The dynamic gateways follow the lease: routes again. */
	if (dhcp_routes(err, sizeof(err)) == -1) {
		log_warnx("dhcp: routes after %s on %s: %s", reason, dev, err);
		return ipc_failed("%s", err);
	}
	return json_pack("{s:s}", "status", "ok");
}

json_t *
dhcp_req(struct parent *pa, json_t *req, const char *from)
{
	const char *op = json_string_value(json_object_get(req, "op"));

	(void)pa;
	if (op != NULL && strcmp(op, "event") == 0)
		return dhcp_event(req, from);
	if (op == NULL || strcmp(op, "status") == 0)
		return dhcp_status();
	return ipc_failed("dhcp: op is status or event");
}
