/*
 * fwlog.h — the firewall log (pflog on OPNsense): the packets that rules
 * with "log" on sent to the NFLOG group.
 *
 * The root parent owns the group (one listener per group and network
 * namespace) and keeps the last FWLOG_KEEP entries; the API child and the
 * console ask it with {"type":"firewall_log","limit":N} and add what only
 * the store knows (interface names, the rule's description) with
 * fwlog_resolve().
 */
#ifndef TW_FWLOG_H
#define TW_FWLOG_H

#include <poll.h>

#include <jansson.h>

#define FWLOG_KEEP	1000	/* entries the parent keeps */

struct parent;
struct store;

/*
 * In the parent: starts reading the group when the platform logs real
 * packets (linux). A group another program holds is logged and tried
 * again on later requests; the daemon runs on without a log.
 */
void	 fwlog_init(const char *platform);
/* The descriptor to poll: fills pfd and returns 1, or 0 when none. */
int	 fwlog_pollfd(struct pollfd *pfd);
/* Reads what pfd (from fwlog_pollfd) reported. */
void	 fwlog_events(const struct pollfd *pfd);
void	 fwlog_shutdown(void);

/*
 * The parent's "firewall_log" request (parent_req.c's table): limit
 * 1..FWLOG_KEEP (default all). Answers a new {status, rows (newest
 * first, linux_nflog_json's fields), received, overruns, note?}.
 */
json_t	*fwlog_req(struct parent *, json_t *req, const char *from);

/*
 * Adds to each row of the parent's answer (rows is changed in place)
 * what the store st knows: in_if / out_if, the interface names of indev
 * and outdev (a CARP device twc<vhid> is its VIP's interface; the device
 * itself when no interface uses it); dir and interface, the evaluation
 * that logged the packet; label, the rule's description ("" when it has
 * none); rule_section, the section the rule is in ("" when it is gone).
 */
void	 fwlog_resolve(struct store *st, json_t *rows);

#endif
