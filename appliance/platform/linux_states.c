/*
 * linux_states.c — the state table on Linux: conntrack entries listed,
 * killed and flushed over NETLINK_NETFILTER (ctnetlink), with messages
 * built by hand on netlink.c (no libnetfilter_conntrack: three message
 * types do not justify a library and its ABI).
 *
 * linux_states_flush_mark() deletes by ct mark for statesync (the
 * states of the peer's nopfsync rules after a commit).
 *
 * A row is what pf's state list shows (OPNsense query_states): proto,
 * src/src_port -> dst/dst_port, the NAT address when the reply tuple
 * differs from the original, the TCP state (or REPLIED/UNREPLIED), age,
 * expiry, packets and bytes. Counters and start times need
 * net.netfilter.nf_conntrack_acct / _timestamp, which linux_states_init
 * switches on (per network namespace, for new entries).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "linux_int.h"
#include "log.h"
#include "netlink.h"
#include "util.h"

#define STATES_MAX	100000	/* rows listed at most */

static const char *const states_tcp[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

/* One side of a connection: addresses and ports of a tuple. */
struct states_tuple {
	int		t_family;
	uint8_t		t_src[16], t_dst[16];
	int		t_proto;
	int		t_sport, t_dport;	/* -1: none (icmp...) */
};

/* A filter for kill: an address with a prefix. */
struct states_filter {
	int		f_family;
	uint8_t		f_addr[16];
	int		f_prefix;
};

struct states_walk {
	json_t			*w_rows;	/* listing: the rows */
	const struct states_filter *w_filter;	/* kill: what matches */
	struct nl_msg		*w_del;		/* kill: tuples to delete */
	size_t			 w_ndel, w_capdel;
	int			 w_count;
	int			 w_truncated;
};

void
linux_states_init(void)
{
	static const char *const knobs[] = {
		"/proc/sys/net/netfilter/nf_conntrack_acct",
		"/proc/sys/net/netfilter/nf_conntrack_timestamp",
	};
	size_t	i;
	int	fd;

	for (i = 0; i < nitems(knobs); i++) {
		if ((fd = open(knobs[i], O_WRONLY | O_CLOEXEC)) == -1)
			continue;	/* conntrack not loaded yet */
		if (write(fd, "1\n", 2) != 2)
			log_debug("states: %s: %s", knobs[i], strerror(errno));
		close(fd);
	}
}

static void
states_msg(struct nl_msg *m, int type, uint16_t flags, int family)
{
	struct nfgenmsg nfg;

	memset(&nfg, 0, sizeof(nfg));
	nfg.nfgen_family = (uint8_t)family;
	nfg.version = NFNETLINK_V0;
	nl_msg_init(m, (uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | type), flags,
	    &nfg, sizeof(nfg));
}

static int
states_tuple(const struct nlattr *nest, int family, struct states_tuple *t)
{
	const struct nlattr	*tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	const struct nlattr	*pr[CTA_PROTO_MAX + 1];
	size_t			 alen = family == AF_INET ? 4 : 16;
	int			 s = family == AF_INET ? CTA_IP_V4_SRC :
				    CTA_IP_V6_SRC;

	memset(t, 0, sizeof(*t));
	t->t_family = family;
	t->t_sport = t->t_dport = -1;
	if (nest == NULL)
		return -1;
	nl_parse(nl_data(nest), nl_len(nest), tb, CTA_TUPLE_MAX);
	if (tb[CTA_TUPLE_IP] == NULL || tb[CTA_TUPLE_PROTO] == NULL)
		return -1;
	nl_parse(nl_data(tb[CTA_TUPLE_IP]), nl_len(tb[CTA_TUPLE_IP]), ip,
	    CTA_IP_MAX);
	if (ip[s] == NULL || ip[s + 1] == NULL || nl_len(ip[s]) != alen ||
	    nl_len(ip[s + 1]) != alen)
		return -1;
	memcpy(t->t_src, nl_data(ip[s]), alen);
	memcpy(t->t_dst, nl_data(ip[s + 1]), alen);
	nl_parse(nl_data(tb[CTA_TUPLE_PROTO]), nl_len(tb[CTA_TUPLE_PROTO]),
	    pr, CTA_PROTO_MAX);
	if (pr[CTA_PROTO_NUM] != NULL)
		t->t_proto = *(const uint8_t *)nl_data(pr[CTA_PROTO_NUM]);
	if (pr[CTA_PROTO_SRC_PORT] != NULL && pr[CTA_PROTO_DST_PORT] != NULL) {
		uint16_t p;

		memcpy(&p, nl_data(pr[CTA_PROTO_SRC_PORT]), 2);
		t->t_sport = ntohs(p);
		memcpy(&p, nl_data(pr[CTA_PROTO_DST_PORT]), 2);
		t->t_dport = ntohs(p);
	}
	return 0;
}

static uint64_t
states_be64(const struct nlattr *a)
{
	uint64_t v = 0;
	uint32_t w;

	if (a == NULL)
		return 0;
	if (nl_len(a) >= 8) {
		memcpy(&v, nl_data(a), 8);
		return be64toh(v);
	}
	if (nl_len(a) >= 4) {
		memcpy(&w, nl_data(a), 4);
		return ntohl(w);
	}
	return 0;
}

/* Packets and bytes of one direction into *pkts, *bytes (added). */
static void
states_counters(const struct nlattr *nest, uint64_t *pkts, uint64_t *bytes)
{
	const struct nlattr *tb[CTA_COUNTERS_MAX + 1];

	if (nest == NULL)
		return;
	nl_parse(nl_data(nest), nl_len(nest), tb, CTA_COUNTERS_MAX);
	*pkts += states_be64(tb[CTA_COUNTERS_PACKETS] ?
	    tb[CTA_COUNTERS_PACKETS] : tb[CTA_COUNTERS32_PACKETS]);
	*bytes += states_be64(tb[CTA_COUNTERS_BYTES] ?
	    tb[CTA_COUNTERS_BYTES] : tb[CTA_COUNTERS32_BYTES]);
}

static const char *
states_proto(int p, char *buf, size_t len)
{
	switch (p) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "ipv6-icmp";
	case 112:
		return "carp";
	case 132:
		return "sctp";
	}
	snprintf(buf, len, "%d", p);
	return buf;
}

static int
states_in(const struct states_filter *f, int family, const uint8_t *a)
{
	int	bits = f->f_prefix, i;
	uint8_t	mask;

	if (f->f_family != family)
		return 0;
	for (i = 0; bits > 0; i++, bits -= 8) {
		mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((a[i] & mask) != (f->f_addr[i] & mask))
			return 0;
	}
	return 1;
}

static json_t *
states_row(const struct nlattr **tb, const struct states_tuple *o,
    const struct states_tuple *r)
{
	const struct nlattr	*pi[CTA_PROTOINFO_MAX + 1];
	const struct nlattr	*tcp[CTA_PROTOINFO_TCP_MAX + 1];
	const struct nlattr	*ts[CTA_TIMESTAMP_MAX + 1];
	char			 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char			 nat[INET6_ADDRSTRLEN], pbuf[16], state[32];
	uint64_t		 pkts = 0, bytes = 0, start;
	uint32_t		 status = ntohl(nl_u32(tb[CTA_STATUS]));
	size_t			 alen = o->t_family == AF_INET ? 4 : 16;
	struct timespec		 now;
	json_t			*row;
	int			 natport = -1, st;
	long long		 age = -1;

	inet_ntop(o->t_family, o->t_src, src, sizeof(src));
	inet_ntop(o->t_family, o->t_dst, dst, sizeof(dst));
	nat[0] = '\0';
	/* Source NAT: the reply comes back to another address or port. */
	if (memcmp(r->t_dst, o->t_src, alen) != 0 ||
	    r->t_dport != o->t_sport) {
		inet_ntop(o->t_family, r->t_dst, nat, sizeof(nat));
		natport = r->t_dport;
	} else if (memcmp(r->t_src, o->t_dst, alen) != 0 ||
	    r->t_sport != o->t_dport) {	/* port forward */
		inet_ntop(o->t_family, r->t_src, nat, sizeof(nat));
		natport = r->t_sport;
	}
	snprintf(state, sizeof(state), "%s", status & IPS_SEEN_REPLY ?
	    "REPLIED" : "UNREPLIED");
	if (tb[CTA_PROTOINFO] != NULL) {
		nl_parse(nl_data(tb[CTA_PROTOINFO]), nl_len(tb[CTA_PROTOINFO]),
		    pi, CTA_PROTOINFO_MAX);
		if (pi[CTA_PROTOINFO_TCP] != NULL) {
			nl_parse(nl_data(pi[CTA_PROTOINFO_TCP]),
			    nl_len(pi[CTA_PROTOINFO_TCP]), tcp,
			    CTA_PROTOINFO_TCP_MAX);
			if (tcp[CTA_PROTOINFO_TCP_STATE] != NULL) {
				st = *(const uint8_t *)
				    nl_data(tcp[CTA_PROTOINFO_TCP_STATE]);
				if (st >= 0 && (size_t)st < nitems(states_tcp))
					snprintf(state, sizeof(state), "%s",
					    states_tcp[st]);
			}
		}
	}
	states_counters(tb[CTA_COUNTERS_ORIG], &pkts, &bytes);
	states_counters(tb[CTA_COUNTERS_REPLY], &pkts, &bytes);
	if (tb[CTA_TIMESTAMP] != NULL) {
		nl_parse(nl_data(tb[CTA_TIMESTAMP]), nl_len(tb[CTA_TIMESTAMP]),
		    ts, CTA_TIMESTAMP_MAX);
		start = states_be64(ts[CTA_TIMESTAMP_START]);
		clock_gettime(CLOCK_REALTIME, &now);
		if (start > 0)
			age = ((long long)now.tv_sec * 1000000000LL +
			    now.tv_nsec - (long long)start) / 1000000000LL;
	}
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
	    "ipprotocol", o->t_family == AF_INET ? "inet" : "inet6",
	    "proto", states_proto(o->t_proto, pbuf, sizeof(pbuf)),
	    "src", src, "dst", dst, "nat_addr", nat, "state", state,
	    "age", (json_int_t)age,
	    "expires", (json_int_t)ntohl(nl_u32(tb[CTA_TIMEOUT])),
	    "pkts", (json_int_t)pkts, "bytes", (json_int_t)bytes);
	if (row == NULL)
		return NULL;
	json_object_set_new(row, "src_port", o->t_sport >= 0 ?
	    json_integer(o->t_sport) : json_string(""));
	json_object_set_new(row, "dst_port", o->t_dport >= 0 ?
	    json_integer(o->t_dport) : json_string(""));
	json_object_set_new(row, "nat_port", natport >= 0 && nat[0] ?
	    json_integer(natport) : json_string(""));
	json_object_set_new(row, "id", json_integer(
	    (json_int_t)ntohl(nl_u32(tb[CTA_ID]))));
	return row;
}

/* Queues a delete of this entry (its original tuple and id). */
static int
states_queue_del(struct states_walk *w, int family, const struct nlattr **tb)
{
	struct nl_msg *m;

	if (w->w_ndel == w->w_capdel) {
		w->w_capdel = w->w_capdel ? w->w_capdel * 2 : 16;
		w->w_del = xrealloc(w->w_del, w->w_capdel * sizeof(*w->w_del));
	}
	m = &w->w_del[w->w_ndel];
	states_msg(m, IPCTNL_MSG_CT_DELETE, 0, family);
	if (nl_put(m, CTA_TUPLE_ORIG | NLA_F_NESTED,
	    nl_data(tb[CTA_TUPLE_ORIG]), nl_len(tb[CTA_TUPLE_ORIG])) < 0 ||
	    (tb[CTA_ZONE] != NULL && nl_put(m, CTA_ZONE, nl_data(tb[CTA_ZONE]),
	    nl_len(tb[CTA_ZONE])) < 0) ||
	    (tb[CTA_ID] != NULL && nl_put(m, CTA_ID, nl_data(tb[CTA_ID]),
	    nl_len(tb[CTA_ID])) < 0))
		return -EMSGSIZE;
	w->w_ndel++;
	return 0;
}

static int
states_cb(const struct nlmsghdr *h, void *arg)
{
	struct states_walk	*w = arg;
	const struct nfgenmsg	*nfg = NLMSG_DATA(h);
	const struct nlattr	*tb[CTA_MAX + 1];
	const struct states_filter *f = w->w_filter;
	struct states_tuple	 o, r;
	json_t			*row;
	size_t			 hl = NLMSG_ALIGN(sizeof(*nfg));
	int			 fam = nfg->nfgen_family;

	if (h->nlmsg_len < NLMSG_LENGTH(hl) ||
	    (fam != AF_INET && fam != AF_INET6))
		return 0;
	nl_parse((const char *)nfg + hl, h->nlmsg_len - NLMSG_LENGTH(hl), tb,
	    CTA_MAX);
	if (states_tuple(tb[CTA_TUPLE_ORIG], fam, &o) == -1 ||
	    states_tuple(tb[CTA_TUPLE_REPLY], fam, &r) == -1)
		return 0;
	w->w_count++;
	if (f != NULL) {
		if (states_in(f, fam, o.t_src) || states_in(f, fam, o.t_dst) ||
		    states_in(f, fam, r.t_src) || states_in(f, fam, r.t_dst))
			return states_queue_del(w, fam, tb);
		return 0;
	}
	if (w->w_rows == NULL)
		return 0;
	if (json_array_size(w->w_rows) >= STATES_MAX) {
		w->w_truncated = 1;
		return 0;
	}
	if ((row = states_row(tb, &o, &r)) != NULL)
		json_array_append_new(w->w_rows, row);
	return 0;
}

/* Dumps the table (both families) through states_cb. 0 or -errno. */
static int
states_dump(int fd, struct states_walk *w)
{
	struct nl_msg	m;
	int		r;

	states_msg(&m, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC);
	if ((r = nl_talk(fd, &m, states_cb, w)) == -ENOENT)
		r = 0;		/* no conntrack in this namespace yet */
	return r;
}

json_t *
linux_states(void)
{
	struct states_walk	w;
	int			fd, r;

	memset(&w, 0, sizeof(w));
	if ((fd = nl_open(NETLINK_NETFILTER)) < 0) {
		log_warnx("states: netlink: %s", strerror(-fd));
		return NULL;
	}
	w.w_rows = json_array();
	if ((r = states_dump(fd, &w)) < 0) {
		log_warnx("states: conntrack dump: %s", strerror(-r));
		json_decref(w.w_rows);
		w.w_rows = NULL;
	} else if (w.w_truncated)
		log_warnx("states: listing cut at %d of %d entries",
		    STATES_MAX, w.w_count);
	nl_close(fd);
	return w.w_rows;
}

static int
states_filter_parse(const char *s, struct states_filter *f, char *err,
    size_t errlen)
{
	char	buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long	bits;

	memset(f, 0, sizeof(*f));
	util_strlcpy(buf, s, sizeof(buf));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, f->f_addr) == 1) {
		f->f_family = AF_INET;
		f->f_prefix = 32;
	} else if (inet_pton(AF_INET6, buf, f->f_addr) == 1) {
		f->f_family = AF_INET6;
		f->f_prefix = 128;
	} else
		goto bad;
	if (slash != NULL) {
		errno = 0;
		bits = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || bits < 0 ||
		    bits > f->f_prefix)
			goto bad;
		f->f_prefix = (int)bits;
	}
	return 0;
bad:
	snprintf(err, errlen, "kill_states: \"%s\" is not an address or "
	    "network", s);
	return -1;
}

int
linux_kill_states(const char *filter, char *err, size_t errlen)
{
	struct states_filter	 f;
	struct states_walk	 w;
	struct nl_msg		 m;
	size_t			 i;
	int			 fd, r, fam, ret = -1, dropped = 0;

	memset(&w, 0, sizeof(w));
	if (filter != NULL && states_filter_parse(filter, &f, err,
	    errlen) == -1)
		return -1;
	if ((fd = nl_open(NETLINK_NETFILTER)) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(-fd));
		return -1;
	}
	if (filter == NULL) {
		/* Count, then flush both families in one request each. */
		if ((r = states_dump(fd, &w)) < 0)
			goto nlerr;
		for (fam = AF_INET; fam != 0; fam = fam == AF_INET ?
		    AF_INET6 : 0) {
			states_msg(&m, IPCTNL_MSG_CT_DELETE, 0, fam);
			if ((r = nl_talk(fd, &m, NULL, NULL)) < 0 &&
			    r != -ENOENT)
				goto nlerr;
		}
		ret = w.w_count;
		goto err;
	}
	w.w_filter = &f;
	if ((r = states_dump(fd, &w)) < 0)
		goto nlerr;
	for (i = 0; i < w.w_ndel; i++) {
		r = nl_talk(fd, &w.w_del[i], NULL, NULL);
		if (r == 0)
			dropped++;
		else if (r != -ENOENT)	/* gone meanwhile: fine */
			goto nlerr;
	}
	ret = dropped;
	goto err;
nlerr:
	snprintf(err, errlen, "conntrack: %s", strerror(-r));
err:
	free(w.w_del);
	nl_close(fd);
	return ret;
}

/* A dump (counted in w) or a flush, filtered by ct mark. 0 or -errno. */
static int
states_mark_talk(int fd, int type, uint32_t mark, uint32_t mask,
    struct states_walk *w)
{
	struct nl_msg	m;
	int		r;

	states_msg(&m, type, type == IPCTNL_MSG_CT_GET ? NLM_F_DUMP : 0,
	    AF_UNSPEC);
	if ((r = nl_put_u32(&m, CTA_MARK, htonl(mark))) < 0 ||
	    (r = nl_put_u32(&m, CTA_MARK_MASK, htonl(mask))) < 0)
		return r;
	if ((r = nl_talk(fd, &m, states_cb, w)) == -ENOENT)
		r = 0;		/* no conntrack here, or nothing matched */
	return r;
}

int
linux_states_flush_mark(uint32_t mark, uint32_t mask)
{
	struct states_walk	w;
	int			fd, r;

	memset(&w, 0, sizeof(w));
	if ((fd = nl_open(NETLINK_NETFILTER)) < 0) {
		log_warnx("states: netlink: %s", strerror(-fd));
		return -1;
	}
	/* A delete without a tuple is a flush, filtered by the kernel. */
	if ((r = states_mark_talk(fd, IPCTNL_MSG_CT_GET, mark, mask, &w)) < 0 ||
	    (r = states_mark_talk(fd, IPCTNL_MSG_CT_DELETE, mark, mask,
	    &w)) < 0)
		log_warnx("states: conntrack flush of mark 0x%08x/0x%08x: %s",
		    mark, mask, strerror(-r));
	nl_close(fd);
	return r < 0 ? -1 : w.w_count;
}
