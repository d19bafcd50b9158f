/*
 * track6.c — the LANs that take a /64 of a delegated prefix (track6.h):
 * their ::1 address, and radvd announcing the /64.
 *
 * radvd runs in the foreground (-n) with its configuration and pid file
 * in DIR/rendered, so two daemons on one host never share them; a new
 * configuration reaches it with SIGHUP (it re-reads and advertises at
 * once), and SIGTERM makes it send its final advertisements with a
 * router lifetime of 0 (RFC 4861 6.2.5) before it exits.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dhcp_int.h"
#include "log.h"
#include "netlink.h"
#include "linux_int.h"
#include "platform_int.h"
#include "render.h"
#include "track6.h"
#include "util.h"

#define RADVD_BIN		"/usr/sbin/radvd"
#define RADVD_CONF		"radvd.conf"	/* in DIR/rendered */
#define RADVD_PID		"radvd.pid"
#define TRACK6_MAX		16
#define TRACK6_BACKOFF_MAX	30
#define TRACK6_STOP_WAIT	3	/* seconds before SIGKILL */
/* RFC 4861 6.2.1 AdvValidLifetime / AdvPreferredLifetime defaults. */
#define TRACK6_VALID_MAX	2592000
#define TRACK6_PREF_MAX		604800

struct track6_if {
	char		 i_if[17];	/* twinwall name */
	char		 i_dev[16];
	char		 i_up[17];	/* the interface it tracks */
	unsigned long	 i_id;
	char		 i_prefix[46];	/* the /64 in use, "" none */
	char		 i_deleg[50];	/* the delegated prefix "p/len" */
	uint32_t	 i_pref, i_valid;
	time_t		 i_start;
	char		 i_old[46];	/* the previous /64 */
	uint32_t	 i_old_valid;	/* its lease had left at the change */
	time_t		 i_old_until;
	int		 i_wanted;
};

static struct {
	struct track6_if	 t_if[TRACK6_MAX];
	size_t			 t_n;
	pid_t			 t_pid;
	double			 t_started;
	int			 t_backoff;
	unsigned		 t_restarts;
	char			*t_conf;	/* what radvd runs with */
} tk = { .t_pid = -1 };

int
track6_subnet(const char *prefix, int plen, unsigned long id, char *out,
    size_t len)
{
	struct in6_addr	 a;
	int		 bits = 64 - plen, i;

	if (plen < 1 || plen > 64 || inet_pton(AF_INET6, prefix, &a) != 1)
		return -1;
	if (bits < (int)(sizeof(id) * 8) && id >> bits != 0)
		return -1;
	/* Bits plen..63 hold the id; the host half is zero. */
	for (i = 8; i < 16; i++)
		a.s6_addr[i] = 0;
	for (i = 0; i < bits; i++) {
		int pos = 63 - i;	/* bit of the address, from the left */

		a.s6_addr[pos / 8] &= (uint8_t)~(0x80 >> (pos % 8));
		if (id >> i & 1)
			a.s6_addr[pos / 8] |= (uint8_t)(0x80 >> (pos % 8));
	}
	if (inet_ntop(AF_INET6, &a, out, (socklen_t)len) == NULL)
		return -1;
	return 0;
}

/* An address as inet_ntop writes it, and nothing else. */
static int
track6_addr_ok(const char *s)
{
	struct in6_addr	a;
	char		back[INET6_ADDRSTRLEN];

	return inet_pton(AF_INET6, s, &a) == 1 &&
	    inet_ntop(AF_INET6, &a, back, sizeof(back)) != NULL &&
	    strcmp(back, s) == 0;
}

char *
track6_radvd_conf(const struct track6_lan *lans, size_t n)
{
	const struct track6_lan	*t;
	char			*out, *next;
	size_t			 i;
	int			 k;

	out = xstrdup("# twinwall: router advertisements of the track6 "
	    "interfaces,\n# rendered on every change of a delegated "
	    "prefix.\n");
	for (i = 0; i < n; i++) {
		t = &lans[i];
		if (!dhcp_dev_ok(t->t_dev) ||
		    (t->t_prefix[0] && !track6_addr_ok(t->t_prefix)) ||
		    (t->t_old[0] && !track6_addr_ok(t->t_old)))
			goto bad;
		next = xasprintf("%sinterface %s {\n"
		    "\tAdvSendAdvert on;\n"
		    "\tIgnoreIfMissing on;\n"
		    "\tMinRtrAdvInterval 10;\n"
		    "\tMaxRtrAdvInterval 30;\n"
		    /* No prefix of our own left: hosts must not route here. */
		    "\tAdvDefaultLifetime %d;\n", out, t->t_dev,
		    t->t_prefix[0] ? 1800 : 0);
		free(out);
		out = next;
		if (t->t_prefix[0]) {
			next = xasprintf("%s\tprefix %s/64 {\n"
			    "\t\tAdvOnLink on;\n\t\tAdvAutonomous on;\n"
			    "\t\tAdvPreferredLifetime %u;\n"
			    "\t\tAdvValidLifetime %u;\n\t};\n", out,
			    t->t_prefix, t->t_pref, t->t_valid);
			free(out);
			out = next;
		}
		if (t->t_old[0]) {
			next = xasprintf("%s\tprefix %s/64 {\n"
			    "\t\tAdvOnLink on;\n\t\tAdvAutonomous on;\n"
			    "\t\tAdvPreferredLifetime 0;\n"
			    "\t\tAdvValidLifetime %u;\n\t};\n", out,
			    t->t_old, t->t_old_valid);
			free(out);
			out = next;
		}
		for (k = 0; k < t->t_nrdnss && k < TRACK6_RDNSS_MAX; k++) {
			if (!track6_addr_ok(t->t_rdnss[k]))
				goto bad;
			next = xasprintf("%s\tRDNSS %s {\n\t};\n", out,
			    t->t_rdnss[k]);
			free(out);
			out = next;
		}
		next = xasprintf("%s};\n", out);
		free(out);
		out = next;
	}
	return out;
bad:
	free(out);
	return NULL;
}

/* In the forked child: a clean slate, then radvd. Never returns. */
static void __attribute__((noreturn))
track6_child(int delay)
{
	char		*conf, *pid;
	char		*argv[] = { "radvd", "-n", "-m", "stderr", "-C", NULL,
			    "-p", NULL, NULL };
	char		*envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (util_child_reset(-1) == -1)
		_exit(1);
	if (delay > 0)
		sleep((unsigned)delay);
	conf = xasprintf("%s/%s", platform_rendered_path(), RADVD_CONF);
	pid = xasprintf("%s/%s", platform_rendered_path(), RADVD_PID);
	argv[5] = conf;
	argv[7] = pid;
	execve(RADVD_BIN, argv, envp);
	fprintf(stderr, "track6: %s: %s\n", RADVD_BIN, strerror(errno));
	_exit(127);
}

static void
track6_spawn(int delay)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_warn("track6: fork");
		return;
	}
	if (pid == 0)
		track6_child(delay);
	tk.t_pid = pid;
	tk.t_started = util_now() + delay;
	log_info("track6: radvd %s (pid %d)", delay ? "restarting after "
	    "backoff" : "started", (int)pid);
	platform_action("track6: radvd started (pid %d)%s", (int)pid,
	    delay ? " after backoff" : "");
}

static void
track6_stop(void)
{
	int status, n;

	if (tk.t_pid <= 0)
		return;
	(void)kill(tk.t_pid, SIGTERM);
	for (n = 0; n < TRACK6_STOP_WAIT * 50; n++) {
		if (waitpid(tk.t_pid, &status, WNOHANG) != 0)
			break;
		usleep(20000);
	}
	if (n == TRACK6_STOP_WAIT * 50) {
		(void)kill(tk.t_pid, SIGKILL);
		(void)waitpid(tk.t_pid, &status, 0);
	}
	log_info("track6: radvd (pid %d) stopped", (int)tk.t_pid);
	platform_action("track6: radvd stopped");
	tk.t_pid = -1;
}

int
track6_reaped(pid_t pid, int status)
{
	double ran;

	if (pid <= 0 || pid != tk.t_pid)
		return 0;
	ran = util_now() - tk.t_started;
	tk.t_pid = -1;
	tk.t_restarts++;
	tk.t_backoff = ran >= 30 ? 0 : tk.t_backoff == 0 ? 1 :
	    tk.t_backoff * 2 > TRACK6_BACKOFF_MAX ? TRACK6_BACKOFF_MAX :
	    tk.t_backoff * 2;
	log_warnx("track6: radvd (pid %d) %s %d after %.1f s; restarting in "
	    "%d s", (int)pid, WIFEXITED(status) ? "exited with status" :
	    "was killed by signal", WIFEXITED(status) ? WEXITSTATUS(status) :
	    WTERMSIG(status), ran, tk.t_backoff);
	if (tk.t_conf != NULL)
		track6_spawn(tk.t_backoff);
	return 1;
}

/* Adds (add 1) or removes address ::1 of the /64 prefix on dev. */
static void
track6_addr(const char *dev, const char *prefix, int add)
{
	struct nl_link	lk;
	struct nl_addr	a;
	char		text[64];
	int		fd, r;

	snprintf(text, sizeof(text), "%s1", prefix);	/* "p::" + "1" */
	if (nl_addr_parse(text, 64, &a) != 0 ||
	    (fd = nl_open(NETLINK_ROUTE)) < 0)
		return;
	if ((r = nl_link_get(fd, dev, &lk)) == 0) {
		a.a_index = lk.l_index;
		r = add ? nl_addr_add(fd, &a) : nl_addr_del(fd, &a);
		if (r == 0)
			platform_action("track6: %s %s/64 %s %s", add ?
			    "added" : "removed", text, add ? "to" : "from",
			    dev);
		else if (r != -EEXIST && r != -EADDRNOTAVAIL)
			log_warnx("track6: %s %s/64 on %s: %s", add ? "add" :
			    "remove", text, dev, strerror(-r));
	}
	nl_close(fd);
}

static struct track6_if *
track6_by_if(const char *name)
{
	size_t i;

	for (i = 0; i < tk.t_n; i++)
		if (strcmp(tk.t_if[i].i_if, name) == 0)
			return &tk.t_if[i];
	return NULL;
}

/* Seconds left of life from start at now (infinite stays so). */
static uint32_t
track6_left(uint32_t life, time_t start, time_t now)
{
	if (life == UINT32_MAX)
		return life;
	return start + (time_t)life > now ? (uint32_t)(start + life - now) : 0;
}

/* The delegated /64 of t now into t's fields (none: i_prefix ""). */
static void
track6_want(struct track6_if *t, char *want, size_t len)
{
	struct dhcp_lease6 l;

	want[0] = '\0';
	if (dhcp_lease6_now(t->i_up, 1, &l) == -1)
		return;
	if (track6_subnet(l.l6_prefix, l.l6_plen, t->i_id, want, len) == -1) {
		log_warnx("track6: %s: prefix id %lu does not fit %s/%d "
		    "delegated to %s", t->i_if, t->i_id, l.l6_prefix,
		    l.l6_plen, t->i_up);
		want[0] = '\0';
		return;
	}
	snprintf(t->i_deleg, sizeof(t->i_deleg), "%s/%d", l.l6_prefix,
	    l.l6_plen);
	t->i_pref = l.l6_ppref;
	t->i_valid = l.l6_pvalid;
	t->i_start = l.l6_start;
}

static void
track6_radvd(void)
{
	struct track6_lan	 lans[TRACK6_MAX];
	struct track6_if	*t;
	struct dhcp_lease6	 l;
	time_t			 now = time(NULL);
	size_t			 i, n = 0;
	char			*conf, err[256];
	uint32_t		 v;
	int			 k;

	memset(lans, 0, sizeof(lans));
	for (i = 0; i < tk.t_n; i++) {
		t = &tk.t_if[i];
		if (t->i_old[0] && now >= t->i_old_until)
			t->i_old[0] = '\0';
		if (t->i_prefix[0] == '\0' && t->i_old[0] == '\0')
			continue;
		util_strlcpy(lans[n].t_dev, t->i_dev, sizeof(lans[n].t_dev));
		if (t->i_prefix[0]) {
			util_strlcpy(lans[n].t_prefix, t->i_prefix,
			    sizeof(lans[n].t_prefix));
			/*
			 * The lease's lifetimes as the server gave them: a
			 * renewal refreshes them as each advertisement does
			 * the hosts', and the configuration (so radvd) stays
			 * the same from one renewal to the next.
			 */
			v = t->i_valid;
			lans[n].t_valid = v > TRACK6_VALID_MAX ?
			    TRACK6_VALID_MAX : v;
			v = t->i_pref;
			lans[n].t_pref = v > lans[n].t_valid ?
			    lans[n].t_valid : v > TRACK6_PREF_MAX ?
			    TRACK6_PREF_MAX : v;
			/* The WAN's lease DNS servers, for the hosts. */
			if (dhcp_lease6_now(t->i_up, 1, &l) == 0)
				for (k = 0; k < l.l6_ndns &&
				    k < TRACK6_RDNSS_MAX; k++)
					util_strlcpy(lans[n].t_rdnss[
					    lans[n].t_nrdnss++], l.l6_dns[k],
					    sizeof(lans[n].t_rdnss[0]));
		}
		if (t->i_old[0]) {
			util_strlcpy(lans[n].t_old, t->i_old,
			    sizeof(lans[n].t_old));
			/*
			 * What is left, counted down in whole minutes:
			 * announced unchanged, the valid lifetime would be
			 * renewed on the hosts (RFC 4862 5.5.3 e) for as long
			 * as it is announced; by the minute, radvd is
			 * reloaded at most once a minute for it.
			 */
			v = (uint32_t)(t->i_old_until - now);
			v = (v + 59) / 60 * 60;
			lans[n].t_old_valid = v;
		}
		n++;
	}
	if (n == 0) {
		free(tk.t_conf);
		tk.t_conf = NULL;
		track6_stop();
		return;
	}
	if ((conf = track6_radvd_conf(lans, n)) == NULL) {
		log_warnx("track6: radvd's configuration cannot be written");
		return;
	}
	if (tk.t_conf != NULL && strcmp(conf, tk.t_conf) == 0 &&
	    tk.t_pid > 0) {
		free(conf);
		return;
	}
	if (platform_write(RADVD_CONF, conf, strlen(conf), 0644, err,
	    sizeof(err)) == -1) {
		log_warnx("track6: %s", err);
		free(conf);
		return;
	}
	free(tk.t_conf);
	tk.t_conf = conf;
	if (tk.t_pid > 0) {
		(void)kill(tk.t_pid, SIGHUP);
		platform_action("track6: radvd reloaded");
	} else {
		tk.t_backoff = 0;
		track6_spawn(0);
	}
}

void
track6_nft(void)
{
	struct track6_if	*t;
	char			*script, err[512];
	size_t			 i;

	for (i = 0; i < tk.t_n; i++) {
		t = &tk.t_if[i];
		if (t->i_prefix[0])
			script = xasprintf("flush set inet %s " TW_NFT_IFNET6
			    "%s\nadd element inet %s " TW_NFT_IFNET6 "%s { "
			    "%s/64 }\n", TW_NFT_TABLE, t->i_if, TW_NFT_TABLE,
			    t->i_if, t->i_prefix);
		else
			script = xasprintf("flush set inet %s " TW_NFT_IFNET6
			    "%s\n", TW_NFT_TABLE, t->i_if);
		/* No set: the ruleset in force has no track6 interface. */
		if (linux_nft_exec(script, err, sizeof(err)) == -1)
			log_debug("track6: set of %s: %s", t->i_if, err);
		free(script);
	}
}

void
track6_sync(json_t *ifrows)
{
	struct track6_if	*t;
	json_t			*row;
	const char		*dev, *name;
	char			 want[46];
	size_t			 i;
	uint32_t		 v, ovalid;
	time_t			 ostart;

	for (i = 0; i < tk.t_n; i++)
		tk.t_if[i].i_wanted = 0;
	json_array_foreach(ifrows, i, row) {
		name = cfg_str(row, "name");
		dev = cfg_str(row, "device");
		if (strcmp(cfg_str(row, "enabled"), "1") != 0 ||
		    strcmp(cfg_str(row, "ipaddrv6"), "track6") != 0 ||
		    !dhcp_dev_ok(dev) || strlen(name) >= 17)
			continue;
		if ((t = track6_by_if(name)) != NULL &&
		    strcmp(t->i_dev, dev) != 0) {
			if (t->i_prefix[0])
				track6_addr(t->i_dev, t->i_prefix, 0);
			t->i_prefix[0] = t->i_old[0] = '\0';
		}
		if (t == NULL) {
			if (tk.t_n == TRACK6_MAX)
				continue;
			t = &tk.t_if[tk.t_n++];
			memset(t, 0, sizeof(*t));
			util_strlcpy(t->i_if, name, sizeof(t->i_if));
		}
		util_strlcpy(t->i_dev, dev, sizeof(t->i_dev));
		util_strlcpy(t->i_up, cfg_str(row, "track6_interface"),
		    sizeof(t->i_up));
		t->i_id = strtoul(cfg_str(row, "track6_prefix_id"), NULL, 10);
		t->i_wanted = 1;
		ovalid = t->i_valid;
		ostart = t->i_start;
		track6_want(t, want, sizeof(want));
		if (strcmp(want, t->i_prefix) != 0) {
			if (t->i_prefix[0]) {
				track6_addr(dev, t->i_prefix, 0);
				util_strlcpy(t->i_old, t->i_prefix,
				    sizeof(t->i_old));
				/*
				 * What its lease had left, at most two hours:
				 * hosts take a lower valid lifetime only when
				 * theirs runs out sooner (RFC 4862 5.5.3 e).
				 */
				v = track6_left(ovalid, ostart, time(NULL));
				t->i_old_valid = v > TRACK6_OLD_SECS ?
				    TRACK6_OLD_SECS : v;
				t->i_old_until = time(NULL) + t->i_old_valid;
				log_info("track6: %s: %s/64 deprecated", name,
				    t->i_prefix);
			}
			util_strlcpy(t->i_prefix, want, sizeof(t->i_prefix));
			if (want[0])
				log_info("track6: %s (%s): %s/64 of %s", name,
				    dev, want, t->i_deleg);
			else
				t->i_deleg[0] = '\0';
		}
		if (strcmp(t->i_old, t->i_prefix) == 0)
			t->i_old[0] = '\0';
		/* Again each time: an address removed by hand comes back. */
		if (t->i_prefix[0])
			track6_addr(dev, t->i_prefix, 1);
	}
	for (i = tk.t_n; i-- > 0; ) {
		if (tk.t_if[i].i_wanted)
			continue;
		if (tk.t_if[i].i_prefix[0])
			track6_addr(tk.t_if[i].i_dev, tk.t_if[i].i_prefix, 0);
		tk.t_if[i] = tk.t_if[--tk.t_n];
	}
	track6_nft();
	track6_radvd();
}

void
track6_shutdown(void)
{
	track6_stop();
	free(tk.t_conf);
	tk.t_conf = NULL;
	tk.t_n = 0;
}

json_t *
track6_status(const char *ifname)
{
	struct track6_if	*t;
	time_t			 now = time(NULL);
	char			 addr[64];

	if ((t = track6_by_if(ifname)) == NULL)
		return NULL;
	snprintf(addr, sizeof(addr), "%s%s", t->i_prefix,
	    t->i_prefix[0] ? "1/64" : "");
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:s, "
	    "s:i}",
	    "interface", t->i_up, "prefix_id", (json_int_t)t->i_id,
	    "delegated", t->i_deleg,
	    "prefix", t->i_prefix[0] ? t->i_prefix : "",
	    "address", addr,
	    "preferred_until", (json_int_t)(t->i_prefix[0] &&
	    t->i_pref != UINT32_MAX ? t->i_start + (time_t)t->i_pref : 0),
	    "valid_until", (json_int_t)(t->i_prefix[0] &&
	    t->i_valid != UINT32_MAX ? t->i_start + (time_t)t->i_valid : 0),
	    "deprecated", t->i_old[0] && now < t->i_old_until ? t->i_old : "",
	    "radvd", tk.t_pid > 0 ? "running" : "stopped",
	    "radvd_pid", (int)tk.t_pid);
}
