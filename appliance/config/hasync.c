/*
 * hasync.c — HA settings: preempt, state sync (pfsync/conntrackd) and
 * the XML-RPC configuration sync to the backup.
 */
#include <stdio.h>
#include <string.h>

#include "sections.h"

static const char *const sync_items[] = { "rules", "nat", "aliases",
    "virtualip", "staticroutes", "users", "cron", "webgui", NULL };

static const struct cfg_field hasync_fields[] = {
	CFG_BOOLF("disablepreempt", "0", "do not take over from a worse "
	    "master (VIPs may then split between nodes)"),
	CFG_BOOLF("pfsyncenabled", "0", "replicate connection states"),
	{ "pfsyncinterface", CFG_REF, 0, 0, 16, "", NULL, "interfaces",
	    "state sync interface (a dedicated link)" },
	{ "pfsyncpeerip", CFG_ADDR4, 0, 0, 0, "", NULL, NULL,
	    "state sync peer address" },
	{ "synchronizetoip", CFG_PEER, 0, 0, 255, "", NULL, NULL,
	    "config sync peer: address or https://host:port (master only)" },
	CFG_BOOLF("verifypeer", "0", "verify the peer's TLS certificate"),
	{ "peerfingerprint", CFG_TEXT, 0, 0, 128, "", NULL, NULL,
	    "SHA-256 fingerprint of the peer's certificate (pinning)" },
	{ "username", CFG_TEXT, 0, 0, 64, "", NULL, NULL,
	    "user (or API key) on the peer" },
	{ "password", CFG_SECRET, 0, 0, 128, "", NULL, NULL,
	    "password (or API secret) on the peer" },
	{ "syncitems", CFG_ENUM, CFG_F_LIST, 0, 0,
	    "rules,nat,aliases,virtualip", sync_items, NULL,
	    "sections to synchronize" },
	CFG_BOOLF("livenessenabled", "1", "liveness hellos to the peer: a "
	    "dead or frozen master is replaced in multiplier x interval"),
	{ "livenessinterval", CFG_INT, 0, 10, 10000, "50", NULL, NULL,
	    "liveness hello interval (ms)" },
	{ "livenessmultiplier", CFG_INT, 0, 2, 50, "3", NULL, NULL,
	    "hellos missed on every path before the peer is declared lost" },
	CFG_BOOLF("demoteupstream", "0", "demote CARP when every upstream "
	    "gateway is down and the peer's is up (needs liveness hellos "
	    "and monitored defaultgw gateways)"),
	CFG_END
};

static int
hasync_check(struct store *st, json_t *row, struct cfg_errors *errs)
{
	(void)st;
	if (cfg_bool(row, "pfsyncenabled")) {
		if (*cfg_str(row, "pfsyncinterface") == '\0')
			cfg_error(errs, "pfsyncinterface", "state sync needs "
			    "an interface");
		if (*cfg_str(row, "pfsyncpeerip") == '\0')
			cfg_error(errs, "pfsyncpeerip", "state sync needs the "
			    "peer's address");
	}
	if (*cfg_str(row, "synchronizetoip") != '\0') {
		if (*cfg_str(row, "username") == '\0')
			cfg_error(errs, "username", "config sync needs the "
			    "peer's user name");
		if (*cfg_str(row, "password") == '\0')
			cfg_error(errs, "password", "config sync needs the "
			    "peer's password");
	}
	/* The peer's upstream travels in the liveness hellos (live.h). */
	if (cfg_bool(row, "demoteupstream") && !cfg_bool(row,
	    "livenessenabled"))
		cfg_error(errs, "demoteupstream", "needs livenessenabled: the "
		    "peer's upstream is learned from its liveness hellos");
	return cfg_errors_any(errs) ? -1 : 0;
}

const struct cfg_section cfg_sec_hasync = {
	.s_name = "hasync", .s_key = "hasync", .s_subsys = SUBSYS_HASYNC,
	.s_flags = CFG_S_SINGLETON, .s_fields = hasync_fields,
	.s_check = hasync_check,
};
