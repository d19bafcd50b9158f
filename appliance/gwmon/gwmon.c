/*
 * gwmon.c — the gateway monitor's thread, its sockets and its lock.
 *
 * Probes need raw sockets, so they live in the root parent; a slow probe
 * must delay neither a CARP advert (the engine's thread) nor an apply or
 * an API answer (the parent's loop), so they get a thread of their own,
 * built like carp/engine_loop.c: a wake pipe, a poll loop, a lock the
 * entry points take, and a pipe on which each status change goes to the
 * parent's loop, which logs it and moves the routes.
 *
 * One raw ICMP (or ICMPv6) socket per monitored gateway, bound to the
 * gateway's device so a probe leaves by that link whatever the default
 * route says; replies are matched on source address, identifier and
 * sequence.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "gwmon.h"
#include "log.h"
#include "util.h"

#define GWMON_MAX	64		/* gateways monitored */
#define GWMON_TIMELINE	256		/* status changes kept */

struct gwmon_gw {
	char			 g_name[33];
	char			 g_dev[IFNAMSIZ];
	char			 g_addr[64];	/* monitored address, as text */
	int			 g_family;
	struct sockaddr_storage	 g_dst;
	struct gwmon_params	 g_p;
	int			 g_monitor;	/* 0: monitor_disable */
	int			 g_force_down;
	int			 g_upstream;	/* defaultgw */
	int			 g_fd;		/* -1: not probing */
	uint16_t		 g_ident, g_seq;
	long long		 g_next;	/* us: next probe */
	struct gwmon_stat	 g_st;
	struct gwmon_result	 g_res;
	enum gwmon_status	 g_status;
	time_t			 g_since;
	char			 g_why[128];	/* why no probes go out */
};

/* One status change, in the timeline and on the pipe. */
struct gwmon_change {
	time_t			 c_time;
	char			 c_name[33];
	int			 c_from, c_to;
	double			 c_loss, c_delay;
};

static pthread_mutex_t	 mon_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct gwmon_gw	*mon_gws;		/* mon_ngw, under mon_mtx */
static size_t		 mon_ngw;
static int		 mon_probe;		/* configured to send */
static json_t		*mon_groups;		/* gateway_groups rows, owned */

static enum gwmon_status mon_status_of(const char *);
static struct gwmon_change mon_tl[GWMON_TIMELINE];
static size_t		 mon_tlhead, mon_tln;
static int		 mon_wake[2] = { -1, -1 };
static int		 mon_pub[2] = { -1, -1 };
static pthread_t	 mon_thr;
static int		 mon_up;
static atomic_int	 mon_stop;

static long long
mon_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
mon_wakeup(void)
{
	/* A full pipe means the loop is awake anyway. */
	if (mon_wake[1] != -1 && write(mon_wake[1], "w", 1) == -1 &&
	    errno != EAGAIN)
		log_warn("gwmon: wake the monitor's loop");
}

static uint16_t
mon_cksum(const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint32_t	 sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* Records a status change: timeline and pipe. Under mon_mtx. */
static void
mon_change(struct gwmon_gw *g, enum gwmon_status to)
{
	struct gwmon_change *c = &mon_tl[mon_tlhead];

	memset(c, 0, sizeof(*c));
	c->c_time = time(NULL);
	util_strlcpy(c->c_name, g->g_name, sizeof(c->c_name));
	c->c_from = g->g_status;
	c->c_to = to;
	c->c_loss = g->g_res.r_loss;
	c->c_delay = g->g_res.r_delay;
	mon_tlhead = (mon_tlhead + 1) % GWMON_TIMELINE;
	if (mon_tln < GWMON_TIMELINE)
		mon_tln++;
	g->g_status = to;
	g->g_since = c->c_time;
	/*
	 * Nonblocking: a full pipe loses this message, but the reader is
	 * awake and re-routes from the statuses, not from the messages.
	 */
	if (mon_pub[1] != -1 && write(mon_pub[1], c, sizeof(*c)) == -1 &&
	    errno != EAGAIN)
		log_warn("gwmon: publish a status change");
}

/* Status of g at now from its probes and flags. Under mon_mtx. */
static void
mon_eval(struct gwmon_gw *g, long long now)
{
	enum gwmon_status s;

	if (g->g_force_down)
		s = GWMON_FORCE_DOWN;
	else if (!g->g_monitor)
		s = GWMON_UNMONITORED;
	else if (g->g_fd == -1)
		s = GWMON_PENDING;
	else {
		gwmon_stat_eval(&g->g_st, &g->g_p, now, &g->g_res);
		s = g->g_res.r_status;
	}
	if (s != g->g_status)
		mon_change(g, s);
}

static void
mon_send(struct gwmon_gw *g, long long now)
{
	uint8_t		 pkt[16];
	struct icmphdr	*ih = (struct icmphdr *)pkt;
	struct icmp6_hdr *i6 = (struct icmp6_hdr *)pkt;
	socklen_t	 slen;

	memset(pkt, 0, sizeof(pkt));
	g->g_seq++;
	if (g->g_family == AF_INET) {
		ih->type = ICMP_ECHO;
		ih->un.echo.id = htons(g->g_ident);
		ih->un.echo.sequence = htons(g->g_seq);
		memcpy(pkt + 8, &now, sizeof(now));
		ih->checksum = mon_cksum(pkt, sizeof(pkt));
		slen = sizeof(struct sockaddr_in);
	} else {
		/* The kernel sums ICMPv6 on raw sockets (RFC 3542 3.1). */
		i6->icmp6_type = ICMP6_ECHO_REQUEST;
		i6->icmp6_id = htons(g->g_ident);
		i6->icmp6_seq = htons(g->g_seq);
		memcpy(pkt + 8, &now, sizeof(now));
		slen = sizeof(struct sockaddr_in6);
	}
	/* A send that fails (no route, no neighbour) is a lost probe. */
	(void)sendto(g->g_fd, pkt, sizeof(pkt), MSG_DONTWAIT,
	    (struct sockaddr *)&g->g_dst, slen);
	gwmon_stat_sent(&g->g_st, g->g_seq, now);
}

static void
mon_recv(struct gwmon_gw *g, long long now)
{
	uint8_t			 buf[1500];
	struct sockaddr_storage	 from;
	socklen_t		 flen;
	const uint8_t		*icmp;
	ssize_t			 n;
	size_t			 hl;
	uint16_t		 id, seq;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(g->g_fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &flen);
		if (n <= 0)
			return;
		if (g->g_family == AF_INET) {
			/* Raw IPv4 sockets hand over the IP header too. */
			hl = (size_t)(buf[0] & 0x0f) * 4;
			if ((size_t)n < hl + 8 || ((struct sockaddr_in *)
			    &from)->sin_addr.s_addr != ((struct sockaddr_in *)
			    &g->g_dst)->sin_addr.s_addr)
				continue;
			icmp = buf + hl;
			if (icmp[0] != ICMP_ECHOREPLY)
				continue;
		} else {
			if (n < 8 || memcmp(&((struct sockaddr_in6 *)&from)->
			    sin6_addr, &((struct sockaddr_in6 *)&g->g_dst)->
			    sin6_addr, 16) != 0)
				continue;
			icmp = buf;
			if (icmp[0] != ICMP6_ECHO_REPLY)
				continue;
		}
		id = (uint16_t)(icmp[4] << 8 | icmp[5]);
		seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
		if (id == g->g_ident)
			(void)gwmon_stat_reply(&g->g_st, seq, now);
	}
}

static void *
mon_main(void *arg)
{
	struct pollfd	 pfd[1 + GWMON_MAX];
	size_t		 idx[1 + GWMON_MAX], i, n;
	sigset_t	 all;
	char		 buf[64];
	long long	 now, next, d;
	int		 ms;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);	/* the parent's signals */
	while (!mon_stop) {
		pfd[0].fd = mon_wake[0];
		pfd[0].events = POLLIN;
		n = 1;
		now = mon_now();
		next = now + 1000000;
		pthread_mutex_lock(&mon_mtx);
		for (i = 0; i < mon_ngw; i++) {
			if (mon_gws[i].g_fd == -1)
				continue;
			idx[n] = i;
			pfd[n].fd = mon_gws[i].g_fd;
			pfd[n++].events = POLLIN;
			if (mon_gws[i].g_next < next)
				next = mon_gws[i].g_next;
			d = gwmon_stat_deadline(&mon_gws[i].g_st,
			    &mon_gws[i].g_p, now);
			if (d != -1 && d < next)
				next = d;
		}
		pthread_mutex_unlock(&mon_mtx);
		ms = next <= now ? 0 : (int)((next - now + 999) / 1000);
		for (i = 0; i < n; i++)
			pfd[i].revents = 0;
		if (poll(pfd, n, ms) == -1 && errno != EINTR) {
			log_warn("gwmon: poll");
			continue;
		}
		if (pfd[0].revents & POLLIN)
			while (read(mon_wake[0], buf, sizeof(buf)) > 0)
				;
		if (mon_stop)
			break;
		now = mon_now();
		pthread_mutex_lock(&mon_mtx);
		/* The set may have changed while we slept: match by fd. */
		for (i = 1; i < n; i++)
			if ((pfd[i].revents & POLLIN) && idx[i] < mon_ngw &&
			    mon_gws[idx[i]].g_fd == pfd[i].fd)
				mon_recv(&mon_gws[idx[i]], now);
		for (i = 0; i < mon_ngw; i++) {
			if (mon_gws[i].g_fd != -1 && mon_gws[i].g_next <= now) {
				mon_send(&mon_gws[i], now);
				mon_gws[i].g_next += mon_gws[i].g_p.p_interval;
				if (mon_gws[i].g_next <= now)	/* we slept */
					mon_gws[i].g_next = now +
					    mon_gws[i].g_p.p_interval;
			}
			mon_eval(&mon_gws[i], now);
		}
		pthread_mutex_unlock(&mon_mtx);
	}
	return NULL;
}

static int
mon_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("gwmon: pipe");
		return -1;
	}
	return 0;
}

int
gwmon_start(void)
{
	int	rc;

	if (mon_up)
		return 0;
	if (mon_pipe(mon_wake) == -1 || mon_pipe(mon_pub) == -1)
		return -1;
	mon_stop = 0;
	if ((rc = pthread_create(&mon_thr, NULL, mon_main, NULL)) != 0) {
		errno = rc;
		log_warn("gwmon: cannot start the monitor's thread");
		return -1;
	}
	/* Named, so its CPU can be told apart (make bench). */
	(void)pthread_setname_np(mon_thr, "gwmon");
	mon_up = 1;
	return 0;
}

static void
mon_free(struct gwmon_gw *gws, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (gws[i].g_fd != -1)
			close(gws[i].g_fd);
		gwmon_stat_free(&gws[i].g_st);
	}
	free(gws);
}

void
gwmon_stop(void)
{
	int	i;

	if (mon_up) {
		mon_stop = 1;
		mon_wakeup();
		pthread_join(mon_thr, NULL);
		mon_up = 0;
	}
	pthread_mutex_lock(&mon_mtx);
	mon_free(mon_gws, mon_ngw);
	mon_gws = NULL;
	mon_ngw = 0;
	json_decref(mon_groups);
	mon_groups = NULL;
	pthread_mutex_unlock(&mon_mtx);
	for (i = 0; i < 2; i++) {
		if (mon_wake[i] != -1)
			close(mon_wake[i]);
		mon_wake[i] = -1;
	}
}

static long long
mon_int(json_t *row, const char *f, long long def)
{
	const char	*s = cfg_str(row, f);

	return *s != '\0' ? strtoll(s, NULL, 10) : def;
}

/* A gateway row as g (probing not started). 0, or -1 to leave it out. */
static int
mon_parse(json_t *snap, json_t *row, struct gwmon_gw *g)
{
	json_t		*ifr;
	const char	*addr;
	size_t		 i;

	memset(g, 0, sizeof(*g));
	g->g_fd = -1;
	if (strcmp(cfg_str(row, "disabled"), "1") == 0)
		return -1;
	util_strlcpy(g->g_name, cfg_str(row, "name"), sizeof(g->g_name));
	g->g_family = strcmp(cfg_str(row, "ipprotocol"), "inet6") == 0 ?
	    AF_INET6 : AF_INET;
	addr = *cfg_str(row, "monitor") ? cfg_str(row, "monitor") :
	    cfg_str(row, "gateway");
	util_strlcpy(g->g_addr, addr, sizeof(g->g_addr));
	g->g_monitor = strcmp(cfg_str(row, "monitor_disable"), "1") != 0;
	g->g_force_down = strcmp(cfg_str(row, "force_down"), "1") == 0;
	g->g_upstream = strcmp(cfg_str(row, "defaultgw"), "1") == 0;
	/* Defaults as the field table's; the table bounds were checked. */
	g->g_p.p_interval = mon_int(row, "interval", 1) * 1000000;
	g->g_p.p_loss = mon_int(row, "loss_interval", 4) * 1000000;
	g->g_p.p_period = mon_int(row, "time_period", 60) * 1000000;
	g->g_p.p_latlow = mon_int(row, "latencylow", 200) * 1000;
	g->g_p.p_lathigh = mon_int(row, "latencyhigh", 500) * 1000;
	g->g_p.p_losslow = (int)mon_int(row, "losslow", 10);
	g->g_p.p_losshigh = (int)mon_int(row, "losshigh", 20);
	if (g->g_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&g->g_dst;

		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
			g->g_monitor = 0;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&g->g_dst;

		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
			g->g_monitor = 0;
	}
	json_array_foreach(cfg_rows(snap, "interfaces"), i, ifr)
		if (strcmp(cfg_str(ifr, "name"), cfg_str(row, "interface")) ==
		    0)
			util_strlcpy(g->g_dev, cfg_str(ifr, "device"),
			    sizeof(g->g_dev));
	return 0;
}

/* Opens g's socket; on failure says why in g_why (status stays pending). */
static void
mon_open(struct gwmon_gw *g, size_t index)
{
	struct icmp6_filter	f6;
	int			fd;

	if (g->g_family == AF_INET)
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    IPPROTO_ICMP);
	else
		fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    IPPROTO_ICMPV6);
	if (fd == -1) {
		snprintf(g->g_why, sizeof(g->g_why), "raw socket: %s",
		    strerror(errno));
		return;
	}
	if (g->g_family == AF_INET6) {
		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		(void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6,
		    sizeof(f6));
	}
	if (g->g_dev[0] != '\0' && setsockopt(fd, SOL_SOCKET,
	    SO_BINDTODEVICE, g->g_dev, (socklen_t)strlen(g->g_dev)) == -1) {
		snprintf(g->g_why, sizeof(g->g_why), "bind to %s: %s",
		    g->g_dev, strerror(errno));
		close(fd);
		return;
	}
	g->g_fd = fd;
	g->g_ident = (uint16_t)(((unsigned)getpid() << 6) ^ index);
	g->g_why[0] = '\0';
}

static int
mon_same(const struct gwmon_gw *a, const struct gwmon_gw *b)
{
	return strcmp(a->g_name, b->g_name) == 0 &&
	    strcmp(a->g_addr, b->g_addr) == 0 &&
	    strcmp(a->g_dev, b->g_dev) == 0 && a->g_monitor == b->g_monitor &&
	    memcmp(&a->g_p, &b->g_p, sizeof(a->g_p)) == 0;
}

int
gwmon_configure(json_t *snap, int probe)
{
	struct gwmon_gw	*gws, *old;
	json_t		*row;
	size_t		 i, j, n = 0;
	long long	 now = mon_now();

	gws = xcalloc(GWMON_MAX, sizeof(*gws));
	json_array_foreach(cfg_rows(snap, "gateways"), i, row) {
		if (n == GWMON_MAX) {
			log_warnx("gwmon: more than %d gateways: the rest are "
			    "not monitored", GWMON_MAX);
			break;
		}
		if (mon_parse(snap, row, &gws[n]) == 0)
			n++;
	}
	pthread_mutex_lock(&mon_mtx);
	old = mon_gws;
	for (i = 0; i < n; i++) {
		/* Same gateway, same settings: its probes and status stay. */
		for (j = 0; j < mon_ngw; j++)
			if (old[j].g_name[0] != '\0' &&
			    mon_same(&gws[i], &old[j]))
				break;
		if (j < mon_ngw && probe == mon_probe) {
			old[j].g_force_down = gws[i].g_force_down;
			old[j].g_upstream = gws[i].g_upstream;
			gws[i] = old[j];
			memset(&old[j], 0, sizeof(old[j]));
			old[j].g_fd = -1;
			continue;
		}
		gws[i].g_status = GWMON_PENDING;
		gws[i].g_since = time(NULL);
		gwmon_stat_init(&gws[i].g_st, &gws[i].g_p);
		if (!gws[i].g_monitor || !probe)
			continue;
		mon_open(&gws[i], i);
		gws[i].g_next = now;
		if (gws[i].g_why[0] != '\0')
			log_warnx("gwmon: gateway %s is not monitored: %s",
			    gws[i].g_name, gws[i].g_why);
	}
	mon_free(old, mon_ngw);
	json_decref(mon_groups);
	mon_groups = json_deep_copy(cfg_rows(snap, "gateway_groups"));
	mon_gws = gws;
	mon_ngw = n;
	mon_probe = probe;
	for (i = 0; i < n; i++)
		mon_eval(&gws[i], now);
	pthread_mutex_unlock(&mon_mtx);
	mon_wakeup();
	return 0;
}

int
gwmon_gateway_down(const char *name)
{
	size_t	i;
	int	down = 0;

	pthread_mutex_lock(&mon_mtx);
	for (i = 0; i < mon_ngw; i++)
		if (strcmp(mon_gws[i].g_name, name) == 0)
			down = gwmon_status_down(mon_gws[i].g_status);
	pthread_mutex_unlock(&mon_mtx);
	return down;
}

void
gwmon_upstream(struct gwmon_upstream_info *u)
{
	const struct gwmon_gw	*g;
	double			 d, up;
	size_t			 i;
	int			 any_up = 0, any_pending = 0;

	memset(u, 0, sizeof(*u));
	pthread_mutex_lock(&mon_mtx);
	for (i = 0; i < mon_ngw; i++) {
		g = &mon_gws[i];
		if (!g->g_upstream || (!g->g_monitor && !g->g_force_down))
			continue;
		u->u_count++;
		d = 2.0 * (double)(g->g_p.p_interval + g->g_p.p_loss) / 1e6;
		up = 2.0 * d;
		if (up < (double)g->g_p.p_period / 2e6)
			up = (double)g->g_p.p_period / 2e6;
		if (d > u->u_hold_down)
			u->u_hold_down = d;
		if (up > u->u_hold_up)
			u->u_hold_up = up;
		if (gwmon_status_down(g->g_status))
			continue;
		if (g->g_status == GWMON_PENDING)
			any_pending = 1;
		else
			any_up = 1;
	}
	pthread_mutex_unlock(&mon_mtx);
	u->u_state = u->u_count == 0 ? GWMON_UPSTREAM_NONE : any_up ?
	    GWMON_UPSTREAM_UP : any_pending ? GWMON_UPSTREAM_PENDING :
	    GWMON_UPSTREAM_DOWN;
}

enum gwmon_status
gwmon_gateway_status(const char *name)
{
	enum gwmon_status	s;

	pthread_mutex_lock(&mon_mtx);
	s = mon_status_of(name);
	pthread_mutex_unlock(&mon_mtx);
	return s;
}

int
gwmon_pub_fd(void)
{
	return mon_pub[0];
}

void
gwmon_pub_read(void (*changed)(void))
{
	struct gwmon_change	c;
	ssize_t			n;
	int			any = 0;

	while ((n = read(mon_pub[0], &c, sizeof(c))) == (ssize_t)sizeof(c)) {
		c.c_name[sizeof(c.c_name) - 1] = '\0';
		if (c.c_from < 0 || c.c_from >= GWMON_NSTATUS || c.c_to < 0 ||
		    c.c_to >= GWMON_NSTATUS)
			continue;
		log_info("gateway %s: %s -> %s (loss %.1f %%, delay %.1f ms)",
		    c.c_name, gwmon_status_text(c.c_from),
		    gwmon_status_text(c.c_to), c.c_loss, c.c_delay);
		any = 1;
	}
	if (any && changed != NULL)
		changed();
}

/* g's status by name; a gateway not monitored here counts as up. */
static enum gwmon_status
mon_status_of(const char *name)
{
	size_t	i;

	for (i = 0; i < mon_ngw; i++)
		if (strcmp(mon_gws[i].g_name, name) == 0)
			return mon_gws[i].g_status;
	return GWMON_DOWN;	/* disabled or unknown: not usable */
}

/*
 * Each group's tier in use: the first tier with a member the trigger
 * leaves in, and those members. Under mon_mtx; a new array.
 */
static json_t *
mon_groups_status(void)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	json_t		*out = json_array(), *row, *active;
	const char	*trigger;
	char		*list, *m, *save;
	size_t		 i, t;
	int		 tier;

	json_array_foreach(mon_groups, i, row) {
		trigger = cfg_str(row, "trigger");
		active = json_array();
		tier = 0;
		for (t = 0; t < nitems(tiers) && tier == 0; t++) {
			list = xstrdup(cfg_str(row, tiers[t]));
			save = NULL;
			for (m = strtok_r(list, ",", &save); m != NULL;
			    m = strtok_r(NULL, ",", &save))
				if (gwmon_member_usable(mon_status_of(m),
				    trigger))
					json_array_append_new(active,
					    json_string(m));
			free(list);
			if (json_array_size(active) > 0)
				tier = (int)t + 1;
		}
		/* tier 0: every member is out; rules fall back (or skip). */
		json_array_append_new(out, json_pack("{s:s,s:s,s:i,s:o}",
		    "name", cfg_str(row, "name"), "trigger", trigger,
		    "tier", tier, "active", active));
	}
	return out;
}

json_t *
gwmon_req_status(struct parent *pa, json_t *req, const char *from)
{
	struct gwmon_gw		*g;
	struct gwmon_change	*c;
	json_t			*items = json_array(), *tl = json_array();
	json_t			*groups;
	char			 loss[32], delay[32], dev[32];
	size_t			 i;
	int			 known;

	(void)pa;
	(void)req;
	(void)from;
	pthread_mutex_lock(&mon_mtx);
	for (i = 0; i < mon_ngw; i++) {
		g = &mon_gws[i];
		known = g->g_fd != -1 && g->g_res.r_known > 0 &&
		    !g->g_force_down;
		snprintf(loss, sizeof(loss), "%.1f %%", g->g_res.r_loss);
		snprintf(delay, sizeof(delay), "%.1f ms", g->g_res.r_delay);
		snprintf(dev, sizeof(dev), "%.1f ms", g->g_res.r_stddev);
		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,"
		    "s:s,s:s,s:s,s:s,s:b,s:I,s:s}",
		    "name", g->g_name, "address", g->g_addr,
		    "monitor", g->g_monitor ? g->g_addr : "",
		    "status", gwmon_status_name(g->g_status),
		    "status_translated", gwmon_status_text(g->g_status),
		    "loss", known ? loss : "~", "delay", known ? delay : "~",
		    "stddev", known ? dev : "~",
		    "monitored", g->g_fd != -1,
		    "since", (json_int_t)g->g_since,
		    "note", g->g_why[0] ? g->g_why : !mon_probe &&
		    g->g_monitor ? "this platform sends no probes" : ""));
	}
	/* Newest first. */
	for (i = 0; i < mon_tln; i++) {
		c = &mon_tl[(mon_tlhead + GWMON_TIMELINE - 1 - i) %
		    GWMON_TIMELINE];
		json_array_append_new(tl, json_pack("{s:I,s:s,s:s,s:s,s:f,"
		    "s:f}", "time", (json_int_t)c->c_time, "name", c->c_name,
		    "from", gwmon_status_text(c->c_from),
		    "to", gwmon_status_text(c->c_to), "loss", c->c_loss,
		    "delay", c->c_delay));
	}
	groups = mon_groups_status();
	pthread_mutex_unlock(&mon_mtx);
	return json_pack("{s:s,s:o,s:o,s:o}", "status", "ok", "items", items,
	    "groups", groups, "timeline", tl);
}
