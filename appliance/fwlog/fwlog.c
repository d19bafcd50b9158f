/*
 * fwlog.c — the firewall log (fwlog.h): in the root parent, the NFLOG
 * listener and the ring of its last entries; in the API child and the
 * console, the names the store gives them.
 *
 * The parent reads at most FWLOG_BURST datagrams per wake-up, so a flood
 * of logged packets cannot keep the event loop from the CARP engine; what
 * the socket cannot hold meanwhile is lost and counted (overruns), as
 * pflog drops under load.
 *
 * Direction: a filter rule's prefix says which evaluation logged
 * (render/nft.c nft_log: in forward both run, filter_in then filter_out);
 * otherwise the hook decides: prerouting and input on the way in, output
 * and postrouting on the way out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fwlog.h"
#include "ipc.h"
#include "log.h"
#include "linux_nflog.h"
#include "render.h"
#include "util.h"

#define FWLOG_BURST	32		/* datagrams per wake-up */
#define FWLOG_RCVBUF	(1 << 20)	/* bytes: a burst between wake-ups */
#define FWLOG_RETRY	5		/* seconds between binds */

static struct {
	const char	*f_platform;	/* NULL: not the parent */
	int		 f_real;	/* the platform logs packets */
	int		 f_fd;		/* -1: not reading */
	int		 f_errno;	/* why not */
	time_t		 f_tried;
	struct linux_nflog_entry f_ring[FWLOG_KEEP];
	size_t		 f_head, f_count;
	unsigned long long f_received, f_overruns;
} fw = { .f_fd = -1 };

static void
fwlog_bind(void)
{
	int fd;

	fw.f_tried = time(NULL);
	if ((fd = linux_nflog_open(TW_NFLOG_GROUP, FWLOG_RCVBUF)) == -1) {
		/* Once per cause: retries must not fill the log. */
		if (errno != fw.f_errno)
			log_warnx("firewall log: NFLOG group %d: %s%s",
			    TW_NFLOG_GROUP, strerror(errno), errno == EBUSY ?
			    " (another program reads it; retrying)" : "");
		fw.f_errno = errno;
		return;
	}
	if (fw.f_errno != 0)
		log_info("firewall log: reading NFLOG group %d",
		    TW_NFLOG_GROUP);
	fw.f_fd = fd;
	fw.f_errno = 0;
}

void
fwlog_init(const char *platform)
{
	fw.f_platform = platform;
	fw.f_real = strcmp(platform, "linux") == 0;
	if (fw.f_real)
		fwlog_bind();
}

int
fwlog_pollfd(struct pollfd *pfd)
{
	if (fw.f_fd == -1)
		return 0;
	pfd->fd = fw.f_fd;
	pfd->events = POLLIN;
	pfd->revents = 0;
	return 1;
}

static void
fwlog_keep(const struct linux_nflog_entry *e, void *arg)
{
	(void)arg;
	fw.f_ring[fw.f_head] = *e;
	fw.f_head = (fw.f_head + 1) % FWLOG_KEEP;
	if (fw.f_count < FWLOG_KEEP)
		fw.f_count++;
	fw.f_received++;
}

void
fwlog_events(const struct pollfd *pfd)
{
	int i, n;

	if (fw.f_fd == -1 || pfd->fd != fw.f_fd ||
	    !(pfd->revents & (POLLIN | POLLERR)))
		return;
	for (i = 0; i < FWLOG_BURST; i++) {
		if ((n = linux_nflog_read(fw.f_fd, fwlog_keep, NULL)) == 0)
			break;
		if (n > 0)
			continue;
		if (errno == ENOBUFS) {
			fw.f_overruns++;
			continue;
		}
		/* Closed, so a broken socket cannot spin the loop. */
		log_warn("firewall log: reading NFLOG group %d",
		    TW_NFLOG_GROUP);
		fw.f_errno = errno;
		close(fw.f_fd);
		fw.f_fd = -1;
		break;
	}
}

void
fwlog_shutdown(void)
{
	if (fw.f_fd != -1)
		close(fw.f_fd);
	fw.f_fd = -1;
}

json_t *
fwlog_req(struct parent *pa, json_t *req, const char *from)
{
	json_t		*v, *rows, *ans;
	json_int_t	 limit = FWLOG_KEEP;
	size_t		 i;
	char		 note[256];

	(void)pa;
	(void)from;
	if ((v = json_object_get(req, "limit")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > FWLOG_KEEP)
			return ipc_failed("firewall_log: limit must be 1 "
			    "to %d", FWLOG_KEEP);
		limit = json_integer_value(v);
	}
	note[0] = '\0';
	if (fw.f_platform == NULL || !fw.f_real)
		snprintf(note, sizeof(note), "the %s platform logs no packets",
		    fw.f_platform ? fw.f_platform : "current");
	else if (fw.f_fd == -1) {
		if (time(NULL) - fw.f_tried >= FWLOG_RETRY)
			fwlog_bind();
		if (fw.f_fd == -1)
			snprintf(note, sizeof(note), "the firewall log is not "
			    "being read: NFLOG group %d: %s%s", TW_NFLOG_GROUP,
			    strerror(fw.f_errno), fw.f_errno == EBUSY ?
			    " (another program reads that group)" : "");
	}
	rows = json_array();
	for (i = 0; i < fw.f_count && (json_int_t)i < limit; i++)
		json_array_append_new(rows, linux_nflog_json(&fw.f_ring[
		    (fw.f_head + FWLOG_KEEP - 1 - i) % FWLOG_KEEP]));
	ans = json_pack("{s:s, s:o, s:I, s:I}", "status", "ok", "rows", rows,
	    "received", (json_int_t)fw.f_received,
	    "overruns", (json_int_t)fw.f_overruns);
	if (ans != NULL && note[0] != '\0')
		json_object_set_new(ans, "note", json_string(note));
	return ans;
}

/* In the API child and the console. */

/* The interface name of a device: borrowed from snap or dev itself. */
static const char *
fwlog_ifname(json_t *snap, const char *dev)
{
	json_t		*secs = json_object_get(snap, "sections"), *row;
	const char	*vmac = TW_VMAC_PREFIX, *p;
	char		*end;
	long		 vhid = -1;
	size_t		 i;

	json_array_foreach(json_object_get(secs, "interfaces"), i, row)
		if (*dev != '\0' && strcmp(cfg_str(row, "device"), dev) == 0)
			return cfg_str(row, "name");
	/* A CARP virtual-MAC device carries its VIP's traffic. */
	if (strncmp(dev, vmac, strlen(vmac)) == 0) {
		p = dev + strlen(vmac);
		if (*p >= '1' && *p <= '9')
			vhid = strtol(p, &end, 10);
		if (vhid > 0 && vhid <= 255 && *end == '\0')
			json_array_foreach(json_object_get(secs, "vips"), i,
			    row)
				if (strcmp(cfg_str(row, "mode"), "carp") == 0 &&
				    cfg_int(row, "vhid", -1) == vhid)
					return cfg_str(row, "interface");
	}
	return dev;
}

/* The rule uuid names, with its section; new object, or NULL if gone. */
static json_t *
fwlog_rule(struct store *st, const char *uuid, const char **secname)
{
	static const char *const secs[] = { "filter_rules", "snat_rules",
	    "dnat_rules" };
	const struct cfg_section	*sec;
	json_t				*row;
	size_t				 i;

	for (i = 0; *uuid != '\0' && i < nitems(secs); i++) {
		if ((sec = cfg_section(secs[i])) == NULL ||
		    (row = cfg_get(st, sec, uuid, 0)) == NULL)
			continue;
		*secname = secs[i];
		json_object_set_new(row, "_label", json_string(
		    cfg_str(row, sec->s_descfield)));
		return row;
	}
	return NULL;
}


void
fwlog_resolve(struct store *st, json_t *rows)
{
	json_t		*which, *snap, *rules, *row, *rule;
	const char	*uuid, *sec, *in_if, *out_if;
	size_t		 i;
	int		 out;

	which = json_pack("[s,s]", "interfaces", "vips");
	snap = cfg_snapshot(st, which, 0);
	json_decref(which);
	rules = json_object();		/* uuid -> row or null: one read each */
	json_array_foreach(rows, i, row) {
		uuid = cfg_str(row, "rule");
		sec = "";
		if ((rule = json_object_get(rules, uuid)) == NULL) {
			rule = fwlog_rule(st, uuid, &sec);
			if (rule != NULL)
				json_object_set_new(rule, "_section",
				    json_string(sec));
			json_object_set_new(rules, uuid, rule ? rule :
			    json_null());
		}
		if (json_is_null(rule))
			rule = NULL;
		in_if = fwlog_ifname(snap, cfg_str(row, "indev"));
		out_if = fwlog_ifname(snap, cfg_str(row, "outdev"));
		out = strcmp(cfg_str(row, "dir"), "out") == 0;
		/* Strings of row itself: copied before any key is replaced. */
		json_object_set_new(row, "interface", json_string(out ?
		    out_if : in_if));
		json_object_set_new(row, "in_if", json_string(in_if));
		json_object_set_new(row, "out_if", json_string(out_if));
		json_object_set_new(row, "dir", json_string(out ? "out" :
		    "in"));
		json_object_set_new(row, "label", json_string(
		    cfg_str(rule, "_label")));
		json_object_set_new(row, "rule_section", json_string(
		    cfg_str(rule, "_section")));
	}
	json_decref(rules);
	json_decref(snap);
}
