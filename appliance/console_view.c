/*
 * console_view.c — the live views: option 9, the state table sorted by
 * bytes (pfTop), and option 10, the firewall log (pflog0 on OPNsense).
 *
 * States come from the daemon ({"type":"states"} on the control socket)
 * when it serves them, else from /proc/net/nf_conntrack. The log comes
 * from the NFLOG group the renderer logs to (TW_NFLOG_GROUP) through a
 * NETLINK_NETFILTER socket; each entry's prefix "tw:<uuid>:<action>"
 * names the rule. Nothing is shown that the kernel did not report.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "console_int.h"
#include "control.h"
#include "render/render.h"
#include "util.h"

#define CON_REFRESH_MS	2000
#define CON_CONNTRACK	"/proc/net/nf_conntrack"
#define CON_LOG_KEEP	200
#define CON_STATES_MAX	200000

struct con_state {
	char			s_proto[12];
	char			s_src[64];
	char			s_dst[64];
	char			s_state[16];
	unsigned long long	s_bytes;
	unsigned long long	s_packets;
};

static int
console_state_cmp(const void *a, const void *b)
{
	const struct con_state *x = a, *y = b;

	if (x->s_bytes != y->s_bytes)
		return x->s_bytes < y->s_bytes ? 1 : -1;
	if (x->s_packets != y->s_packets)
		return x->s_packets < y->s_packets ? 1 : -1;
	return 0;
}

/* "addr" or "addr:port" ("[addr]:port" for IPv6). */
static void
console_endpoint(char *buf, size_t len, const char *addr, const char *port)
{
	if (port == NULL || *port == '\0')
		snprintf(buf, len, "%s", addr);
	else if (strchr(addr, ':') != NULL)
		snprintf(buf, len, "[%s]:%s", addr, port);
	else
		snprintf(buf, len, "%s:%s", addr, port);
}

/* The first of names present in an object, as text; "" if none. */
static void
console_jtext(json_t *o, const char *const *names, char *buf, size_t len)
{
	json_t *v;

	buf[0] = '\0';
	for (; *names != NULL; names++) {
		if ((v = json_object_get(o, *names)) == NULL)
			continue;
		if (json_is_string(v))
			snprintf(buf, len, "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(buf, len, "%lld", (long long)
			    json_integer_value(v));
		return;
	}
}

/* Rows from the daemon; -1 when it does not serve states. */
static int
console_states_daemon(struct console *c, struct con_state **sp, size_t *np)
{
	static const char *const proto[] = { "proto", "protocol", NULL };
	static const char *const src[] = { "src", "src_addr", "source",
	    NULL };
	static const char *const dst[] = { "dst", "dst_addr", "destination",
	    NULL };
	static const char *const sport[] = { "sport", "src_port", NULL };
	static const char *const dport[] = { "dport", "dst_port", NULL };
	static const char *const state[] = { "state", NULL };
	static const char *const bytes[] = { "bytes", NULL };
	static const char *const pkts[] = { "pkts", "packets", NULL };
	struct con_state	*s;
	json_t			*req, *ans, *rows, *row;
	char			 err[256], a[64], p[16], num[32];
	size_t			 i;

	req = json_pack("{s:s}", "type", "states");
	ans = control_call(c->c_dir, req, err, sizeof(err));
	json_decref(req);
	rows = json_object_get(ans, "rows");	/* the parent's "states" */
	if (ans == NULL || !json_is_array(rows)) {
		json_decref(ans);
		return -1;
	}
	s = xcalloc(json_array_size(rows) + 1, sizeof(*s));
	json_array_foreach(rows, i, row) {
		console_jtext(row, proto, s[i].s_proto, sizeof(s[i].s_proto));
		console_jtext(row, src, a, sizeof(a));
		console_jtext(row, sport, p, sizeof(p));
		console_endpoint(s[i].s_src, sizeof(s[i].s_src), a, p);
		console_jtext(row, dst, a, sizeof(a));
		console_jtext(row, dport, p, sizeof(p));
		console_endpoint(s[i].s_dst, sizeof(s[i].s_dst), a, p);
		console_jtext(row, state, s[i].s_state, sizeof(s[i].s_state));
		console_jtext(row, bytes, num, sizeof(num));
		s[i].s_bytes = strtoull(num, NULL, 10);
		console_jtext(row, pkts, num, sizeof(num));
		s[i].s_packets = strtoull(num, NULL, 10);
	}
	*sp = s;
	*np = json_array_size(rows);
	json_decref(ans);
	return 0;
}

/*
 * One line of nf_conntrack: "ipv4 2 tcp 6 431999 ESTABLISHED src=..
 * dst=.. sport=.. dport=.. packets=.. bytes=.. src=.. (reply) ...".
 * The first tuple is the original direction; counters of both add up.
 */
static void
console_conntrack_line(char *line, struct con_state *s)
{
	char	*tok, *save = NULL, src[64] = "", dst[64] = "", sp[16] = "",
		 dp[16] = "";
	int	 field = 0;

	memset(s, 0, sizeof(*s));
	for (tok = strtok_r(line, " \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n", &save), field++) {
		if (field == 2)
			util_strlcpy(s->s_proto, tok, sizeof(s->s_proto));
		else if (field == 5 && strchr(tok, '=') == NULL)
			util_strlcpy(s->s_state, tok, sizeof(s->s_state));
		else if (strncmp(tok, "src=", 4) == 0 && src[0] == '\0')
			util_strlcpy(src, tok + 4, sizeof(src));
		else if (strncmp(tok, "dst=", 4) == 0 && dst[0] == '\0')
			util_strlcpy(dst, tok + 4, sizeof(dst));
		else if (strncmp(tok, "sport=", 6) == 0 && sp[0] == '\0')
			util_strlcpy(sp, tok + 6, sizeof(sp));
		else if (strncmp(tok, "dport=", 6) == 0 && dp[0] == '\0')
			util_strlcpy(dp, tok + 6, sizeof(dp));
		else if (strncmp(tok, "bytes=", 6) == 0)
			s->s_bytes += strtoull(tok + 6, NULL, 10);
		else if (strncmp(tok, "packets=", 8) == 0)
			s->s_packets += strtoull(tok + 8, NULL, 10);
	}
	console_endpoint(s->s_src, sizeof(s->s_src), src, sp);
	console_endpoint(s->s_dst, sizeof(s->s_dst), dst, dp);
}

/* Rows from /proc/net/nf_conntrack; -1 when there is no such file. */
static int
console_states_proc(struct con_state **sp, size_t *np)
{
	FILE		*fp;
	char		*line = NULL;
	size_t		 cap = 0, n = 0, alloc = 0;
	struct con_state *s = NULL;

	if ((fp = fopen(CON_CONNTRACK, "r")) == NULL)
		return -1;
	while (getline(&line, &cap, fp) != -1 && n < CON_STATES_MAX) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			s = xrealloc(s, alloc * sizeof(*s));
		}
		console_conntrack_line(line, &s[n++]);
	}
	free(line);
	fclose(fp);
	*sp = s;
	*np = n;
	return 0;
}

int
console_states(struct console *c)
{
	struct con_state	*s = NULL;
	const char		*from;
	size_t			 n = 0, i, max;
	int			 rc = CON_OK, key = 0, daemon = 0;

	if (console_states_daemon(c, &s, &n) == 0) {
		from = "the daemon";
		daemon = 1;
	} else if (console_states_proc(&s, &n) == 0)
		from = CON_CONNTRACK;
	else {
		printf("The state table is not available on this platform "
		    "(no daemon serves it and there is no %s).\n",
		    CON_CONNTRACK);
		return CON_OK;
	}
	console_keys_begin();
	for (;;) {
		if (n > 0)
			qsort(s, n, sizeof(*s), console_state_cmp);
		max = (size_t)console_rows() - 5;
		printf("\033[H\033[2J");
		printf("State table: %zu states from %s, sorted by bytes; "
		    "refresh every 2 s, q quits\n\n", n, from);
		printf("%-6s %-30s %-30s %-12s %9s %12s\n", "PROTO", "SOURCE",
		    "DESTINATION", "STATE", "PACKETS", "BYTES");
		for (i = 0; i < n && i < max; i++)
			printf("%-6s %-30s %-30s %-12s %9llu %12llu\n",
			    s[i].s_proto, s[i].s_src, s[i].s_dst,
			    s[i].s_state, s[i].s_packets, s[i].s_bytes);
		if (n == 0)
			printf("(no states)\n");
		fflush(stdout);
		rc = console_key_wait(-1, CON_REFRESH_MS, &key, NULL);
		if (rc != CON_OK || key == 'q' || key == 'Q')
			break;
		free(s);
		s = NULL;
		n = 0;
		if ((daemon ? console_states_daemon(c, &s, &n) :
		    console_states_proc(&s, &n)) == -1) {
			printf("\nThe state table is no longer available.\n");
			break;
		}
	}
	console_keys_end();
	free(s);
	printf("\n");
	return rc;
}

/* Sends one NFULNL_MSG_CONFIG with one attribute and reads its ack. */
static int
console_nflog_cfg(int fd, uint16_t attr, const void *data, size_t dlen)
{
	static uint32_t		 seq;
	union {
		struct nlmsghdr	 nh;
		char		 buf[8192];
	}			 u;
	struct nlmsghdr		*nh = &u.nh, *r;
	struct nfgenmsg		*g;
	struct nlattr		*a;
	struct nlmsgerr		*e;
	ssize_t			 len;

	memset(&u, 0, 256);
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*g));
	nh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = ++seq;
	g = NLMSG_DATA(nh);
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(TW_NFLOG_GROUP);
	a = (struct nlattr *)(u.buf + NLMSG_ALIGN(nh->nlmsg_len));
	a->nla_type = attr;
	a->nla_len = (uint16_t)(NLA_HDRLEN + dlen);
	memcpy((char *)a + NLA_HDRLEN, data, dlen);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	if (send(fd, u.buf, nh->nlmsg_len, 0) == -1)
		return -1;
	for (;;) {
		if ((len = recv(fd, u.buf, sizeof(u.buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (r = &u.nh; NLMSG_OK(r, (size_t)len); r = NLMSG_NEXT(r,
		    len)) {
			if (r->nlmsg_type != NLMSG_ERROR ||
			    r->nlmsg_seq != seq)
				continue;
			e = NLMSG_DATA(r);
			if (e->error == 0)
				return 0;
			errno = -e->error;
			return -1;
		}
	}
}

/* Binds TW_NFLOG_GROUP; the socket, or -1 with errno. */
static int
console_nflog_open(void)
{
	struct sockaddr_nl		 sa;
	struct nfulnl_msg_config_cmd	 cmd;
	struct nfulnl_msg_config_mode	 mode;
	uint32_t			 one = htonl(1);
	int				 fd, saved;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	memset(&cmd, 0, sizeof(cmd));
	cmd.command = NFULNL_CFG_CMD_BIND;
	memset(&mode, 0, sizeof(mode));
	mode.copy_range = htonl(128);	/* enough for the IP/L4 headers */
	mode.copy_mode = NFULNL_COPY_PACKET;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    console_nflog_cfg(fd, NFULA_CFG_CMD, &cmd, sizeof(cmd)) == -1 ||
	    console_nflog_cfg(fd, NFULA_CFG_MODE, &mode, sizeof(mode)) == -1 ||
	    console_nflog_cfg(fd, NFULA_CFG_QTHRESH, &one, sizeof(one)) ==
	    -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* "what rule": the description of the rule the prefix names. */
static void
console_rule_text(struct console *c, const char *prefix, char *act,
    size_t alen, char *rule, size_t rlen)
{
	static const char *const secs[] = { "filter_rules", "snat_rules",
	    "dnat_rules" };
	char		 uuid[UUID_LEN + 1];
	const char	*p;
	json_t		*row = NULL;
	size_t		 i;

	snprintf(act, alen, "?");
	snprintf(rule, rlen, "%s", prefix);
	if (strncmp(prefix, "tw:", 3) != 0 || strlen(prefix) < 3 + UUID_LEN ||
	    prefix[3 + UUID_LEN] != ':')
		return;
	memcpy(uuid, prefix + 3, UUID_LEN);
	uuid[UUID_LEN] = '\0';
	snprintf(act, alen, "%s", prefix + 4 + UUID_LEN);
	for (i = 0; i < nitems(secs) && row == NULL; i++)
		if (cfg_section(secs[i]) != NULL)
			row = cfg_get(c->c_st, cfg_section(secs[i]), uuid, 0);
	p = row ? cfg_str(row, "description") : "";
	if (row != NULL && *p == '\0')
		p = cfg_str(row, "descr");
	snprintf(rule, rlen, "%s", row ? (*p ? p : "(no description)") :
	    "(rule no longer configured)");
	json_decref(row);
}

/* The interface (lan, wan) of an ifindex, else the device name. */
static void
console_ifname(struct console *c, uint32_t idx, char *buf, size_t len)
{
	char	 dev[IF_NAMESIZE];
	json_t	*rows, *row, *which, *snap;
	size_t	 i;

	snprintf(buf, len, "-");
	if (idx == 0 || if_indextoname(idx, dev) == NULL)
		return;
	snprintf(buf, len, "%s", dev);
	which = json_pack("[s]", "interfaces");
	snap = cfg_snapshot(c->c_st, which, 0);
	json_decref(which);
	rows = json_object_get(json_object_get(snap, "sections"),
	    "interfaces");
	json_array_foreach(rows, i, row)
		if (strcmp(cfg_str(row, "device"), dev) == 0)
			snprintf(buf, len, "%s", cfg_str(row, "name"));
	json_decref(snap);
}

/* Addresses and protocol of an IP packet's first bytes. */
static void
console_packet_text(const unsigned char *p, size_t len, char *out,
    size_t olen)
{
	char		 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], sp[8] = "",
			 dp[8] = "", se[80], de[80];
	const char	*proto;
	size_t		 hl;
	int		 pr;

	if (len >= 20 && (p[0] >> 4) == 4) {
		hl = (size_t)(p[0] & 0x0f) * 4;
		pr = p[9];
		inet_ntop(AF_INET, p + 12, s, sizeof(s));
		inet_ntop(AF_INET, p + 16, d, sizeof(d));
	} else if (len >= 40 && (p[0] >> 4) == 6) {
		hl = 40;
		pr = p[6];
		inet_ntop(AF_INET6, p + 8, s, sizeof(s));
		inet_ntop(AF_INET6, p + 24, d, sizeof(d));
	} else {
		snprintf(out, olen, "(not an IP packet)");
		return;
	}
	proto = pr == 6 ? "tcp" : pr == 17 ? "udp" : pr == 1 ? "icmp" :
	    pr == 58 ? "icmp6" : pr == 112 ? "carp" : NULL;
	if ((pr == 6 || pr == 17) && len >= hl + 4) {
		snprintf(sp, sizeof(sp), "%u", (p[hl] << 8) | p[hl + 1]);
		snprintf(dp, sizeof(dp), "%u", (p[hl + 2] << 8) | p[hl + 3]);
	}
	console_endpoint(se, sizeof(se), s, sp);
	console_endpoint(de, sizeof(de), d, dp);
	if (proto != NULL)
		snprintf(out, olen, "%-5s %s -> %s", proto, se, de);
	else
		snprintf(out, olen, "p%-4d %s -> %s", pr, se, de);
}

/* Turns one NFULNL_MSG_PACKET into a line of the log. */
static char *
console_nflog_entry(struct console *c, struct nlmsghdr *nh)
{
	struct nlattr	*a;
	const char	*prefix = "";
	const unsigned char *payload = NULL;
	char		 act[16], rule[128], in[32] = "-", out[32] = "-",
			 pkt[200], tbuf[16];
	uint32_t	 idx;
	size_t		 plen = 0;
	int		 rem;
	time_t		 now = time(NULL);

	a = (struct nlattr *)((char *)NLMSG_DATA(nh) +
	    NLMSG_ALIGN(sizeof(struct nfgenmsg)));
	rem = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(
	    NLMSG_ALIGN(sizeof(struct nfgenmsg)));
	for (; rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	    (int)a->nla_len <= rem; rem -= NLA_ALIGN(a->nla_len),
	    a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		const void *v = (char *)a + NLA_HDRLEN;
		size_t vlen = a->nla_len - NLA_HDRLEN;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case NFULA_PREFIX:
			if (vlen > 0 && memchr(v, '\0', vlen) != NULL)
				prefix = v;
			break;
		case NFULA_IFINDEX_INDEV:
		case NFULA_IFINDEX_OUTDEV:
			if (vlen < 4)
				break;
			memcpy(&idx, v, 4);
			console_ifname(c, ntohl(idx), (a->nla_type &
			    NLA_TYPE_MASK) == NFULA_IFINDEX_INDEV ? in : out,
			    sizeof(in));
			break;
		case NFULA_PAYLOAD:
			payload = v;
			plen = vlen;
			break;
		}
	}
	console_rule_text(c, prefix, act, sizeof(act), rule, sizeof(rule));
	if (payload != NULL)
		console_packet_text(payload, plen, pkt, sizeof(pkt));
	else
		snprintf(pkt, sizeof(pkt), "(no packet)");
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	return xasprintf("%s %-6s %-6s %-6s %-52s %s", tbuf, act, in, out, pkt,
	    rule);
}

/* Reads what the socket holds into the ring of kept lines. */
static int
console_nflog_read(struct console *c, int fd, char **ring, size_t *head,
    size_t *count)
{
	union {
		struct nlmsghdr	 nh;
		char		 buf[65536];
	}		 u;
	struct nlmsghdr	*nh;
	ssize_t		 len;

	if ((len = recv(fd, u.buf, sizeof(u.buf), MSG_DONTWAIT)) == -1)
		return errno == EAGAIN || errno == EINTR ||
		    errno == ENOBUFS ? 0 : -1;
	for (nh = &u.nh; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) |
		    NFULNL_MSG_PACKET))
			continue;
		free(ring[*head]);
		ring[*head] = console_nflog_entry(c, nh);
		*head = (*head + 1) % CON_LOG_KEEP;
		if (*count < CON_LOG_KEEP)
			(*count)++;
	}
	return 0;
}

int
console_fwlog(struct console *c)
{
	char	*ring[CON_LOG_KEEP];
	size_t	 head = 0, count = 0, i, max;
	int	 fd, rc = CON_OK, key, ready, redraw = 1;

	if ((fd = console_nflog_open()) == -1) {
		printf("The firewall log is not available: NFLOG group %d "
		    "cannot be read (%s%s).\n", TW_NFLOG_GROUP, strerror(errno),
		    errno == EPERM ? "; it needs root" : errno == EBUSY ?
		    "; another program reads that group" : "");
		return CON_OK;
	}
	memset(ring, 0, sizeof(ring));
	console_keys_begin();
	for (;;) {
		if (redraw) {
			max = (size_t)console_rows() - 5;
			printf("\033[H\033[2J");
			printf("Firewall log: NFLOG group %d, newest first, "
			    "%zu entr%s; q quits\n\n", TW_NFLOG_GROUP,
			    count, count == 1 ? "y" : "ies");
			printf("%-8s %-6s %-6s %-6s %-52s %s\n", "TIME",
			    "ACTION", "IN", "OUT", "PACKET", "RULE");
			for (i = 0; i < count && i < max; i++)
				printf("%s\n", ring[(head + CON_LOG_KEEP - 1 -
				    i) % CON_LOG_KEEP]);
			if (count == 0)
				printf("(waiting for packets that match a rule "
				    "with logging on)\n");
			fflush(stdout);
		}
		rc = console_key_wait(fd, CON_REFRESH_MS, &key, &ready);
		if (rc != CON_OK || key == 'q' || key == 'Q')
			break;
		redraw = ready;
		if (ready && console_nflog_read(c, fd, ring, &head, &count) ==
		    -1) {
			printf("Reading the log failed: %s\n", strerror(errno));
			break;
		}
	}
	console_keys_end();
	close(fd);
	for (i = 0; i < CON_LOG_KEEP; i++)
		free(ring[i]);
	printf("\n");
	return rc;
}
