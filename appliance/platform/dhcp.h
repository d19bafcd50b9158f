/*
 * dhcp.h — the DHCP clients of the root parent (linux platform): one
 * dhcpcd per enabled interface whose ipaddr is "dhcp" (or ipaddrv6
 * "dhcp6"/"slaac"), started by the apply of "interfaces", supervised like
 * conntrackd (restart with backoff, reaped through the parent's SIGCHLD
 * handler) and stopped, releasing its lease, when the interface is
 * disabled, loses its device or becomes static.
 *
 * Who owns what: the client puts the lease's address on the device and
 * keeps it (renewal, rebinding, expiry); it installs no default route
 * and runs no hook of its own (resolv.conf, hostname). Its only hook
 * tells the parent "something changed" on DIR/control.sock; the parent
 * then reads the lease file itself and installs the routes through the
 * dynamic gateway <IF>_DHCP (config.h cfg_gw_dynamic_name). For IPv6 the
 * client configures the SLAAC (and DHCPv6) addresses; the router of its
 * last router advertisement, which no lease file holds, comes with the
 * hook and is <IF>_DHCP6.
 */
#ifndef TW_DHCP_H
#define TW_DHCP_H

#include <sys/types.h>

#include <jansson.h>
#include <stddef.h>

#define DHCP_HOOK	"dhcpcd-hook.sh"	/* in DIR/rendered */
#define DHCP_WAIT_MS	4000	/* an apply waits this long for new leases */

/* After platform_rendered_open. supervise: 0 renders nothing (dry). */
int	dhcp_init(int supervise);
/*
 * The apply of "interfaces": starts, restarts (configuration changed) or
 * stops the clients the snapshot (borrowed) asks for, then waits at most
 * DHCP_WAIT_MS for the leases of the clients it started. A lease that
 * does not come is no error: its client keeps trying and the routes
 * follow when it comes. 1 when a client started or stopped (the routes
 * must follow: dhcp_routes), 0 when none did, or -1 with the reason in
 * err.
 */
int	dhcp_apply(json_t *snapshot, char *err, size_t errlen);
/*
 * Remembers the sections an apply of subsys (NULL: all) brought in force
 * (interfaces; gateways and routes), for the routes of lease events.
 */
void	dhcp_remember(json_t *snapshot, json_t *subsys);
/* The routes again, with what is remembered. 0, or -1 with err. */
int	dhcp_routes(char *err, size_t errlen);
/* Stops every client, leaving the addresses in place (persistent). */
void	dhcp_shutdown(void);
/* For the parent's SIGCHLD reaper: 1 when pid was a client. */
int	dhcp_reaped(pid_t pid, int status);
/*
 * The live router of interface ifname into buf: AF_INET the DHCP lease's,
 * AF_INET6 the last router advertisement's (link-local, while its router
 * lifetime lasts). 0, or -1 when there is none.
 */
int	dhcp_router(const char *ifname, int family, char *buf, size_t len);
/*
 * The parent's request "dhcp" (parent_req.c): {"op":"status"} -> the
 * interfaces with their live addresses, clients and leases;
 * {"op":"event","device","reason"} from the client's hook -> re-reads
 * the lease and brings the routes in line. Returns a new answer.
 */
struct parent;
json_t	*dhcp_req(struct parent *, json_t *req, const char *from);

/*
 * The DNS servers of the valid leases (DHCPv4, then DHCPv6), each once,
 * in the order of the clients, into out (at most max). The count.
 */
int	dhcp_lease_dns(char out[][64], int max);

/* A hook's word: letters, digits and . _ - only, 1..max bytes. */
int	dhcp_word_ok(const char *, size_t max);

#endif
