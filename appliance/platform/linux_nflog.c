/*
 * linux_nflog.c — the NFLOG group over NETLINK_NETFILTER (nfnetlink_log),
 * by hand on netlink.c like linux_states.c: bind one group in copy-packet
 * mode, then turn each NFULNL_MSG_PACKET into a struct linux_nflog_entry.
 *
 * Everything in a message is checked before use: the sender must be the
 * kernel, attributes must fit their message, the prefix must be a
 * NUL-terminated "tw:<uuid>:<action>" with a real uuid and a known
 * action (anything else is logged as no rule), and the copied packet is
 * read only within its captured length and its own length fields.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "linux_nflog.h"
#include "netlink.h"

#define NFLOG_RCVBUF	65536	/* one read */
#define NFLOG_EXTHDRS	8	/* IPv6 extension headers walked at most */

static const char *const nflog_hooks[] = {
	[NF_INET_PRE_ROUTING] = "prerouting", [NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward", [NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
};

/* What the renderer puts after the uuid (nft.c nft_actname, NAT). */
static const char *const nflog_actions[] = {
	"pass", "block", "reject", "nat", "rdr",
};

/* Sends one NFULNL_MSG_CONFIG with one attribute; 0 or -errno. */
static int
nflog_config(int fd, int group, uint16_t attr, const void *data, size_t len)
{
	struct nl_msg	m;
	struct nfgenmsg	g;
	int		r;

	memset(&g, 0, sizeof(g));
	g.nfgen_family = AF_UNSPEC;
	g.version = NFNETLINK_V0;
	g.res_id = htons((uint16_t)group);
	nl_msg_init(&m, (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG, 0, &g,
	    sizeof(g));
	if ((r = nl_put(&m, attr, data, len)) < 0)
		return r;
	return nl_talk(fd, &m, NULL, NULL);
}

int
linux_nflog_open(int group, int rcvbuf)
{
	struct nfulnl_msg_config_cmd	cmd;
	struct nfulnl_msg_config_mode	mode;
	uint32_t			one = htonl(1);
	int				fd, r;

	if (group < 0 || group > 0xffff) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = nl_open(NETLINK_NETFILTER)) < 0) {
		errno = -fd;
		return -1;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.command = NFULNL_CFG_CMD_BIND;
	memset(&mode, 0, sizeof(mode));
	mode.copy_range = htonl(LINUX_NFLOG_COPY);
	mode.copy_mode = NFULNL_COPY_PACKET;
	/* A threshold of one: each entry is sent as it happens. */
	if ((r = nflog_config(fd, group, NFULA_CFG_CMD, &cmd,
	    sizeof(cmd))) < 0 ||
	    (r = nflog_config(fd, group, NFULA_CFG_MODE, &mode,
	    sizeof(mode))) < 0 ||
	    (r = nflog_config(fd, group, NFULA_CFG_QTHRESH, &one,
	    sizeof(one))) < 0) {
		nl_close(fd);
		/*
		 * The kernel answers EPERM both without CAP_NET_ADMIN and
		 * when another socket holds the group; root has the first.
		 */
		errno = r == -EPERM && geteuid() == 0 ? EBUSY : -r;
		return -1;
	}
	/* Root may exceed rmem_max; anyone else gets what it allows. */
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	return fd;
}

/*
 * "tw:<uuid>:<action>" or "tw:<uuid>:<action>:<in|out>" (a filter rule:
 * the evaluation that logged), exactly; anything else leaves no rule.
 */
static void
nflog_prefix(const char *p, size_t len, struct linux_nflog_entry *e)
{
	char		 uuid[UUID_LEN + 1], act[16];
	const char	*dir;
	size_t		 i;

	if (len < 3 + UUID_LEN + 2 || strncmp(p, "tw:", 3) != 0 ||
	    p[3 + UUID_LEN] != ':')
		return;
	memcpy(uuid, p + 3, UUID_LEN);
	uuid[UUID_LEN] = '\0';
	if (!util_is_uuid(uuid))
		return;
	p += 4 + UUID_LEN;
	if ((dir = strchr(p, ':')) != NULL) {
		if (strcmp(dir + 1, "in") != 0 && strcmp(dir + 1, "out") != 0)
			return;
		if ((size_t)(dir - p) >= sizeof(act))
			return;
		memcpy(act, p, (size_t)(dir - p));
		act[dir - p] = '\0';
		dir++;
	} else if (util_strlcpy(act, p, sizeof(act)) >= sizeof(act))
		return;
	for (i = 0; i < nitems(nflog_actions); i++)
		if (strcmp(act, nflog_actions[i]) == 0)
			break;
	if (i == nitems(nflog_actions))
		return;
	memcpy(e->le_rule, uuid, sizeof(uuid));
	util_strlcpy(e->le_action, nflog_actions[i], sizeof(e->le_action));
	if (dir != NULL)
		util_strlcpy(e->le_dir, dir, sizeof(e->le_dir));
}

static void
nflog_dev(const struct nlattr *a, char *out, size_t len)
{
	uint32_t	idx;
	char		*p;

	out[0] = '\0';
	if (a == NULL || nl_len(a) < sizeof(idx))
		return;
	idx = ntohl(nl_u32(a));
	/* Gone since (a deleted macvlan): its index is all there is. */
	if (idx != 0 && if_indextoname(idx, out) == NULL)
		snprintf(out, len, "if%u", idx);
	/* Device names may hold any byte; JSON and terminals may not. */
	for (p = out; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			*p = '?';
}

/* Ports or ICMP type of the L4 header at p (avail bytes captured). */
static void
nflog_l4(const uint8_t *p, size_t avail, struct linux_nflog_entry *e)
{
	switch (e->le_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (avail < 4)
			return;
		e->le_sport = (p[0] << 8) | p[1];
		e->le_dport = (p[2] << 8) | p[3];
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (avail < 2)
			return;
		e->le_icmp_type = p[0];
		e->le_icmp_code = p[1];
		break;
	}
}

static void
nflog_ipv4(const uint8_t *p, size_t len, struct linux_nflog_entry *e)
{
	size_t	hl, tot;

	hl = (size_t)(p[0] & 0x0f) * 4;
	tot = (size_t)((p[2] << 8) | p[3]);
	if (hl < 20 || hl > len || tot < hl)
		return;
	e->le_family = AF_INET;
	e->le_proto = p[9];
	inet_ntop(AF_INET, p + 12, e->le_src, sizeof(e->le_src));
	inet_ntop(AF_INET, p + 16, e->le_dst, sizeof(e->le_dst));
	if (((p[6] & 0x1f) << 8 | p[7]) != 0)
		return;		/* a later fragment: no L4 header */
	if (tot < len)
		len = tot;
	nflog_l4(p + hl, len - hl, e);
}

static void
nflog_ipv6(const uint8_t *p, size_t len, struct linux_nflog_entry *e)
{
	size_t	off = 40, end, hl;
	int	nh = p[6], i;

	end = 40 + (size_t)((p[4] << 8) | p[5]);
	if (end < len)
		len = end;
	e->le_family = AF_INET6;
	inet_ntop(AF_INET6, p + 8, e->le_src, sizeof(e->le_src));
	inet_ntop(AF_INET6, p + 24, e->le_dst, sizeof(e->le_dst));
	for (i = 0; i < NFLOG_EXTHDRS; i++) {
		if (nh != 0 && nh != 43 && nh != 44 && nh != 51 && nh != 60)
			break;
		if (off + 8 > len) {
			nh = -1;	/* the chain leaves the capture */
			break;
		}
		if (nh == 44) {			/* fragment */
			hl = 8;
			if ((((p[off + 2] << 8) | p[off + 3]) & 0xfff8) != 0) {
				e->le_proto = p[off];
				return;
			}
		} else if (nh == 51)		/* AH */
			hl = ((size_t)p[off + 1] + 2) * 4;
		else
			hl = ((size_t)p[off + 1] + 1) * 8;
		nh = p[off];
		off += hl;
	}
	if (i == NFLOG_EXTHDRS)
		nh = -1;
	e->le_proto = nh;
	if (nh >= 0 && off <= len)
		nflog_l4(p + off, len - off, e);
}

int
linux_nflog_parse(const struct nlmsghdr *h, struct linux_nflog_entry *e)
{
	const struct nlattr	*tb[NFULA_MAX + 1];
	struct nfulnl_msg_packet_hdr ph;
	struct nfulnl_msg_packet_timestamp ts;
	const uint8_t		*pl;
	const char		*pre;
	size_t			 hlen, n;

	memset(e, 0, sizeof(*e));
	e->le_proto = e->le_sport = e->le_dport = -1;
	e->le_icmp_type = e->le_icmp_code = -1;
	hlen = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct nfgenmsg)));
	if (h->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
	    h->nlmsg_len < hlen)
		return -1;
	nl_parse((const char *)h + hlen, h->nlmsg_len - hlen, tb, NFULA_MAX);

	clock_gettime(CLOCK_REALTIME, &e->le_time);
	/* Attribute data is 4-byte aligned only: copied, not cast. */
	if (tb[NFULA_TIMESTAMP] != NULL &&
	    nl_len(tb[NFULA_TIMESTAMP]) >= sizeof(ts)) {
		memcpy(&ts, nl_data(tb[NFULA_TIMESTAMP]), sizeof(ts));
		/* A stamp in a foreign epoch is worse than arrival time. */
		if (be64toh(ts.usec) < 1000000 && be64toh(ts.sec) > 0 &&
		    be64toh(ts.sec) < (uint64_t)e->le_time.tv_sec + 86400) {
			e->le_time.tv_sec = (time_t)be64toh(ts.sec);
			e->le_time.tv_nsec = (long)be64toh(ts.usec) * 1000;
		}
	}
	if (tb[NFULA_PACKET_HDR] != NULL &&
	    nl_len(tb[NFULA_PACKET_HDR]) >= sizeof(ph)) {
		memcpy(&ph, nl_data(tb[NFULA_PACKET_HDR]), sizeof(ph));
		if (ph.hook < nitems(nflog_hooks) &&
		    nflog_hooks[ph.hook] != NULL)
			util_strlcpy(e->le_hook, nflog_hooks[ph.hook],
			    sizeof(e->le_hook));
		if (ph.hook == NF_INET_PRE_ROUTING ||
		    ph.hook == NF_INET_LOCAL_IN)
			util_strlcpy(e->le_dir, "in", sizeof(e->le_dir));
		else if (ph.hook == NF_INET_LOCAL_OUT ||
		    ph.hook == NF_INET_POST_ROUTING)
			util_strlcpy(e->le_dir, "out", sizeof(e->le_dir));
	}
	nflog_dev(tb[NFULA_IFINDEX_INDEV], e->le_indev, sizeof(e->le_indev));
	nflog_dev(tb[NFULA_IFINDEX_OUTDEV], e->le_outdev,
	    sizeof(e->le_outdev));
	if (tb[NFULA_PREFIX] != NULL && (n = nl_len(tb[NFULA_PREFIX])) > 0) {
		pre = nl_data(tb[NFULA_PREFIX]);
		if (memchr(pre, '\0', n) != NULL)
			nflog_prefix(pre, strlen(pre), e);
	}
	if (tb[NFULA_PAYLOAD] != NULL) {
		pl = nl_data(tb[NFULA_PAYLOAD]);
		n = nl_len(tb[NFULA_PAYLOAD]);
		if (n >= 20 && (pl[0] >> 4) == 4)
			nflog_ipv4(pl, n, e);
		else if (n >= 40 && (pl[0] >> 4) == 6)
			nflog_ipv6(pl, n, e);
	}
	return 0;
}

int
linux_nflog_read(int fd, linux_nflog_cb cb, void *arg)
{
	union {
		struct nlmsghdr	 nh;
		char		 buf[NFLOG_RCVBUF];
	}			 u;
	struct linux_nflog_entry e;
	struct sockaddr_nl	 sa;
	socklen_t		 salen = sizeof(sa);
	struct nlmsghdr		*h;
	ssize_t			 len;
	size_t			 left;
	int			 n = 0;

	len = recvfrom(fd, u.buf, sizeof(u.buf), MSG_DONTWAIT,
	    (struct sockaddr *)&sa, &salen);
	if (len == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? 0 : -1;
	/* The kernel's messages only: another process could forge some. */
	if (salen < sizeof(sa) || sa.nl_family != AF_NETLINK ||
	    sa.nl_pid != 0)
		return 0;
	left = (size_t)len;
	for (h = &u.nh; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		if (linux_nflog_parse(h, &e) == -1)
			continue;
		cb(&e, arg);
		n++;
	}
	return n;
}

static const char *
nflog_proto(int p, char *buf, size_t len)
{
	switch (p) {
	case -1:
		return "";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case 112:
		return "carp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	snprintf(buf, len, "%d", p);
	return buf;
}

/* A number as a string, "" for -1. */
static json_t *
nflog_num(int v)
{
	char buf[16];

	if (v < 0)
		return json_string("");
	snprintf(buf, sizeof(buf), "%d", v);
	return json_string(buf);
}

json_t *
linux_nflog_json(const struct linux_nflog_entry *e)
{
	struct tm	 tm;
	char		 t[40], day[24], pbuf[8];
	json_t		*o;
	time_t		 sec = e->le_time.tv_sec;

	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		day[0] = '\0';
	snprintf(t, sizeof(t), "%s.%03ldZ", day, e->le_time.tv_nsec / 1000000);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "time", t, "hook", e->le_hook, "dir", e->le_dir,
	    "indev", e->le_indev, "outdev", e->le_outdev,
	    "action", e->le_action, "rule", e->le_rule,
	    "proto", nflog_proto(e->le_proto, pbuf, sizeof(pbuf)),
	    "src", e->le_src, "dst", e->le_dst);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "src_port", nflog_num(e->le_sport));
	json_object_set_new(o, "dst_port", nflog_num(e->le_dport));
	json_object_set_new(o, "icmp_type", nflog_num(e->le_icmp_type));
	return o;
}
