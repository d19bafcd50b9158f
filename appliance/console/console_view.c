/*
 * console_view.c — the live views: option 9, the state table sorted by
 * bytes (pfTop), and option 10, the firewall log (pflog0 on OPNsense).
 *
 * States come from the daemon ({"type":"states"} on the control socket)
 * when it serves them, else from /proc/net/nf_conntrack. The log comes
 * from the daemon ({"type":"firewall_log"}): its root parent owns the
 * NFLOG group the renderer logs to (TW_NFLOG_GROUP), and the kernel lets
 * one reader have a group. Without a daemon the console binds the group
 * itself (linux_nflog.h). Nothing is shown that the kernel did not report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "config.h"
#include "console_int.h"
#include "control.h"
#include "fwlog.h"
#include "linux_nflog.h"
#include "render.h"
#include "util.h"

#define CON_REFRESH_MS	2000
#define CON_CONNTRACK	"/proc/net/nf_conntrack"
#define CON_LOG_KEEP	200	/* entries kept when read here */
#define CON_LOG_POLL_MS	1000	/* asking the daemon for new entries */
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

	req = json_pack("{s:s}", "type", ipc_type_name(IPC_STATES));
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

/*
 * Option 10. Rows are the parent's (fwlog.h): from the daemon, which owns
 * the group, else read here; the store names them (fwlog_resolve).
 */
struct con_log {
	json_t		*l_rows;	/* newest first */
	json_int_t	 l_received;	/* the daemon's count, for redraws */
	char		 l_note[256];
	int		 l_fd;		/* -1: from the daemon */
};

/* Asks the daemon for limit entries; 0, or -1 when none answers them. */
static int
console_fwlog_daemon(struct console *c, struct con_log *l, int limit)
{
	json_t	*req, *ans, *rows;
	char	 err[256];

	req = json_pack("{s:s, s:i}",
	    "type", ipc_type_name(IPC_FIREWALL_LOG), "limit", limit);
	ans = control_call(c->c_dir, req, err, sizeof(err));
	json_decref(req);
	rows = json_object_get(ans, "rows");
	if (ans == NULL || strcmp(cfg_str(ans, "status"), "ok") != 0 ||
	    !json_is_array(rows)) {
		json_decref(ans);
		return -1;
	}
	json_decref(l->l_rows);
	l->l_rows = json_incref(rows);
	l->l_received = json_integer_value(json_object_get(ans, "received"));
	snprintf(l->l_note, sizeof(l->l_note), "%s", cfg_str(ans, "note"));
	json_decref(ans);
	return 0;
}

/* Entries read here go first; the oldest beyond CON_LOG_KEEP go. */
static void
console_fwlog_keep(const struct linux_nflog_entry *e, void *arg)
{
	struct con_log	*l = arg;
	json_t		*row;

	if ((row = linux_nflog_json(e)) == NULL)
		return;
	json_array_insert_new(l->l_rows, 0, row);
	while (json_array_size(l->l_rows) > CON_LOG_KEEP)
		json_array_remove(l->l_rows, CON_LOG_KEEP);
}

/* "HH:MM:SS" local of the parent's ISO 8601 UTC time. */
static void
console_fwlog_time(const char *iso, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(buf, len, "?");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%H:%M:%S", &tm) == 0)
		snprintf(buf, len, "?");
}

static void
console_fwlog_line(json_t *row)
{
	char		 tbuf[16], se[80], de[80], pkt[200];
	const char	*rule, *label, *v;

	console_fwlog_time(cfg_str(row, "time"), tbuf, sizeof(tbuf));
	if (*cfg_str(row, "proto") == '\0')
		snprintf(pkt, sizeof(pkt), "(not an IP packet)");
	else {
		console_endpoint(se, sizeof(se), cfg_str(row, "src"),
		    cfg_str(row, "src_port"));
		console_endpoint(de, sizeof(de), cfg_str(row, "dst"),
		    cfg_str(row, "dst_port"));
		snprintf(pkt, sizeof(pkt), "%-5s %s -> %s",
		    cfg_str(row, "proto"), se, de);
	}
	rule = cfg_str(row, "rule");
	label = cfg_str(row, "label");
	if (*rule == '\0')
		label = "(not a twinwall rule)";
	else if (*cfg_str(row, "rule_section") == '\0')
		label = "(rule no longer configured)";
	else if (*label == '\0')
		label = "(no description)";
	v = cfg_str(row, "action");
	printf("%s %-6s ", tbuf, *v ? v : "?");
	v = cfg_str(row, "in_if");
	printf("%-6s ", *v ? v : "-");
	v = cfg_str(row, "out_if");
	printf("%-6s %-52s %s\n", *v ? v : "-", pkt, label);
}

static void
console_fwlog_draw(struct console *c, struct con_log *l)
{
	size_t	i, n, max;

	max = (size_t)console_rows() - 6;
	n = json_array_size(l->l_rows);
	fwlog_resolve(c->c_st, l->l_rows);
	printf("\033[H\033[2J");
	printf("Firewall log: NFLOG group %d %s, newest first, %zu entr%s; "
	    "q quits\n", TW_NFLOG_GROUP, l->l_fd == -1 ? "from the daemon" :
	    "read here", n, n == 1 ? "y" : "ies");
	printf("%s\n\n", l->l_note);
	printf("%-8s %-6s %-6s %-6s %-52s %s\n", "TIME", "ACTION", "IN", "OUT",
	    "PACKET", "RULE");
	for (i = 0; i < n && i < max; i++)
		console_fwlog_line(json_array_get(l->l_rows, i));
	if (n == 0)
		printf("(waiting for packets that match a rule with logging "
		    "on)\n");
	fflush(stdout);
}

int
console_fwlog(struct console *c)
{
	struct con_log	 l;
	json_int_t	 seen;
	char		 note[sizeof(l.l_note)];
	int		 rc = CON_OK, key, ready, limit;

	memset(&l, 0, sizeof(l));
	l.l_fd = -1;
	limit = console_rows();
	/* The daemon owns the group (one reader per namespace): ask it. */
	if (console_fwlog_daemon(c, &l, limit) == -1) {
		if ((l.l_fd = linux_nflog_open(TW_NFLOG_GROUP, 0)) == -1) {
			printf("The firewall log is not available: NFLOG group "
			    "%d cannot be read (%s%s).\n", TW_NFLOG_GROUP,
			    strerror(errno), errno == EPERM ?
			    "; it needs root" : errno == EBUSY ?
			    "; another program reads that group" : "");
			return CON_OK;
		}
		l.l_rows = json_array();
	}
	console_keys_begin();
	for (;;) {
		console_fwlog_draw(c, &l);
		/* Redrawn when something came, else waiting on. */
		for (;;) {
			rc = console_key_wait(l.l_fd, CON_LOG_POLL_MS, &key,
			    &ready);
			if (rc != CON_OK || key == 'q' || key == 'Q')
				goto done;
			if (l.l_fd != -1) {
				if (!ready)
					continue;
				if (linux_nflog_read(l.l_fd, console_fwlog_keep,
				    &l) == -1 && errno != ENOBUFS) {
					printf("Reading the log failed: %s\n",
					    strerror(errno));
					goto done;
				}
				break;
			}
			seen = l.l_received;
			util_strlcpy(note, l.l_note, sizeof(note));
			if (console_fwlog_daemon(c, &l, limit) == -1) {
				printf("\nThe daemon no longer answers.\n");
				goto done;
			}
			if (l.l_received != seen || strcmp(note, l.l_note) != 0)
				break;
		}
	}
done:
	console_keys_end();
	if (l.l_fd != -1)
		close(l.l_fd);
	json_decref(l.l_rows);
	printf("\n");
	return rc;
}
