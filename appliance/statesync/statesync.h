/*
 * statesync.h — connection-state replication: the
 * conntrackd configuration twinwall renders, the conntrackd process the
 * root parent supervises, and the CARP-transition hooks.
 *
 * conntrackd runs in FTFW mode over UDP on hasync.pfsyncinterface's
 * device towards hasync.pfsyncpeerip, port TW_STATESYNC_PORT. On the
 * linux platform the parent starts it when hasync.pfsyncenabled=1 and
 * stops it when it is 0; on dry the file is only rendered.
 *
 * Nothing here blocks the parent's event loop: conntrackd and the
 * control sequences (the requests of conntrackd -c/-f/-R/-B/-n/-t, sent
 * on its UNIX socket) run as child processes; the parent learns their
 * end through statesync_reaped().
 */
#ifndef TW_STATESYNC_H
#define TW_STATESYNC_H

#include <sys/types.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define STATESYNC_CONF		"conntrackd.conf"
#define STATESYNC_LOCK		"conntrackd.lock"
#define STATESYNC_SOCK		"conntrackd.ctl"
#define STATESYNC_DEMOTE	240	/* pfsync's carp_demotion_factor */
#define STATESYNC_HOLD_MAX	8	/* seconds a resync may hold it */

/*
 * Parent side. init remembers the data directory and the platform
 * ("linux" supervises conntrackd, "dry" only renders, anything else
 * does nothing). 0 or -1.
 */
int	statesync_init(const char *datadir, const char *platform);
/*
 * After a successful platform apply: when subsys (NULL = all) names
 * hasync, interfaces or vips, renders DIR/rendered/conntrackd.conf and
 * starts, restarts (configuration changed) or stops conntrackd.
 * 0, or -1 with the reason in err.
 */
int	statesync_apply(json_t *snapshot, json_t *subsys, char *err,
	    size_t errlen);
/* Stops conntrackd and any control sequence (SIGTERM, then SIGKILL). */
void	statesync_shutdown(void);
/*
 * For the parent's SIGCHLD reaper: 1 when pid was one of ours (handled:
 * conntrackd is restarted with backoff, a finished sequence releases
 * its CARP demotion), 0 when it was not.
 */
int	statesync_reaped(pid_t pid, int status);

/*
 * CARP engine -> statesync, after every VHID transition. from and to are
 * enum carp_state values (carp/fsm.h); nmaster is how many VHIDs of this
 * node are MASTER after the change. The node's role is MASTER when
 * nmaster > 0; a role change runs the standard sequence (to MASTER:
 * commit the external cache, delete the states of the peer's nopfsync
 * rules it brought, flush, resync from the kernel, bulk send;
 * to BACKUP: shorten kernel timers, request a resync from the peer).
 * A VHID leaving INIT for BACKUP (link returned, engine started) holds
 * a CARP demotion of STATESYNC_DEMOTE through
 * carp_engine_demote_external() until a fresh resync from the peer has
 * settled (at most STATESYNC_HOLD_MAX s), so the node does not preempt
 * with a cold state table.
 */
void	statesync_carp_transition(int from, int to, unsigned int nmaster);

/* A new status object for the parent's request table. */
json_t	*statesync_status(void);

#endif
