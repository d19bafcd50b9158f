/*
 * apply.h — the one apply path: the API, the XML-RPC backup, the CLI,
 * the console and the boot all bring the host to the store through here.
 *
 * An apply sends the root parent one snapshot and the subsystems to
 * bring in line. The snapshot is what the host is to run: the stored
 * configuration for the subsystems applied now and for those without
 * pending edits, and for a subsystem with pending edits that is not
 * applied now, its sections as its last apply left them (so applying the
 * filter never pushes a pending interface change into the ruleset). On
 * success the subsystems' dirty flags are cleared (unless a save came in
 * meanwhile) and the revision in force is recorded per subsystem
 * (store_applied_set); on failure the attempt and its reason are.
 *
 * The boot apply sends the same composition for every subsystem: the
 * host comes back to what was in force, and pending edits stay pending.
 */
#ifndef TW_APPLY_H
#define TW_APPLY_H

#include <stddef.h>

#include <jansson.h>

#include "subsys.h"

struct store;

/* How a request reaches the parent: the API child's line or control.sock. */
struct apply_via {
	/* req borrowed; returns a new answer, or NULL with the reason. */
	json_t		*(*av_call)(void *arg, json_t *req, char *err,
			    size_t errlen);
	void		*av_arg;
};

/* Through priv_call (the API child). */
extern const struct apply_via apply_via_priv;
/* Through DATA/control.sock of datadir (local tools; datadir borrowed). */
void	 apply_via_control(struct apply_via *, const char *datadir);

/* What an apply brought in force, filled by apply_run; ad_snap is the
 * caller's (json_decref). */
struct apply_done {
	json_t		*ad_snap;	/* the snapshot sent (secrets wiped) */
	long long	 ad_rev;	/* the stored revision it was taken at */
	subsys_mask	 ad_mask;	/* what was applied */
};

/*
 * Applies want (0: every pending subsystem; with none pending, every
 * subsystem: a re-apply). who names the path for the log and the
 * status ("api", "cli", "console", "xmlrpc", "cron"). done may be NULL.
 * 0, or -1 with the reason in err.
 */
int	 apply_run(struct store *, subsys_mask want, const struct apply_via *,
	    const char *who, struct apply_done *done, char *err,
	    size_t errlen);
/*
 * The boot apply: brings the host back to what was in force. 0, or -1
 * with the reason in err (the parent keeps the node demoted then).
 */
int	 apply_boot(struct store *, const struct apply_via *, char *err,
	    size_t errlen);
/*
 * A new object {subsys: {"revision", "time", "ok", "message", "who",
 * "pending": bool, "pending_since"}} for status pages, every subsystem.
 */
json_t	*apply_status(struct store *);

#endif
