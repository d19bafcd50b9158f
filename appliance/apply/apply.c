/*
 * apply.c — the one apply path (apply.h): composes the snapshot the host
 * is to run, sends it to the root parent, records what is in force.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "config.h"
#include "control.h"
#include "ipc.h"
#include "log.h"
#include "store.h"
#include "util.h"

static json_t *
apply_call_priv(void *arg, json_t *req, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	return priv_call(req);		/* answers "failed" rather than NULL */
}

const struct apply_via apply_via_priv = { apply_call_priv, NULL };

static json_t *
apply_call_control(void *arg, json_t *req, char *err, size_t errlen)
{
	return control_call(arg, req, err, errlen);
}

void
apply_via_control(struct apply_via *via, const char *datadir)
{
	via->av_call = apply_call_control;
	via->av_arg = (void *)(uintptr_t)datadir;
}

/*
 * The revision whose content s has in force: the recorded one, or for a
 * store that never recorded it (older than schema 002), the last
 * revision saved before s became dirty.
 */
static long long
apply_rev_in_force(struct store *st, json_t *applied, enum subsys s)
{
	json_t		*a = json_object_get(applied, subsys_name(s));
	json_int_t	 r = -1;

	if (a != NULL)
		r = json_integer_value(json_object_get(a, "revision"));
	if (r >= 0)
		return r;	/* 0: the store as created */
	return store_revision_before(st, store_dirty_since(st, s));
}

/*
 * The snapshot the host is to run: the stored configuration, with the
 * sections of every subsystem in old (pending and not applied now) as
 * their revision in force left them. Returns a new snapshot, or NULL
 * with the reason in err. *composed says whether old sections went in.
 */
static json_t *
apply_compose(struct store *st, subsys_mask old, int *composed, char *err,
    size_t errlen)
{
	const struct cfg_section *const *secs = cfg_sections();
	json_t		*snap, *applied, *past = NULL, *sec;
	long long	 rev, pastrev = -1;
	size_t		 i;
	int		 s;

	*composed = 0;
	if ((snap = cfg_snapshot(st, NULL, 1)) == NULL) {
		snprintf(err, errlen, "cannot read the configuration");
		return NULL;
	}
	if (old == 0)
		return snap;
	applied = store_applied_list(st);
	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++) {
		if (!(old & SUBSYS_BIT(s)))
			continue;
		rev = apply_rev_in_force(st, applied, (enum subsys)s);
		if (rev == -1) {
			snprintf(err, errlen, "store: %s", store_errmsg(st));
			json_decref(applied);
			json_decref(snap);
			return NULL;
		}
		if (past == NULL || pastrev != rev) {
			json_decref(past);
			pastrev = rev;
			if ((past = store_revision_at(st, rev)) == NULL) {
				/* Pruned before schema 002 kept it: say so. */
				log_warnx("apply: revision %lld, which %s has in "
				    "force, can no longer be rebuilt: its "
				    "pending edits go in with this apply", rev,
				    subsys_name((enum subsys)s));
				continue;
			}
		}
		for (i = 0; secs[i] != NULL; i++) {
			if (secs[i]->s_subsys != (enum subsys)s)
				continue;
			sec = json_object_get(json_object_get(past, "sections"),
			    secs[i]->s_name);
			if (sec != NULL)
				json_object_set(json_object_get(snap,
				    "sections"), secs[i]->s_name, sec);
		}
		*composed = 1;
	}
	json_decref(past);
	json_decref(applied);
	return snap;
}

/*
 * What a subsystem's rows name in others: applying it brings those
 * along when they are pending, so the host never runs a row that names
 * something it does not have (a rule on an interface not yet applied).
 */
static const struct {
	enum subsys	 d_what;
	subsys_mask	 d_needs;
} apply_deps[] = {
	{ SUBSYS_FILTER, SUBSYS_BIT(SUBSYS_ALIASES) |
	    SUBSYS_BIT(SUBSYS_INTERFACES) | SUBSYS_BIT(SUBSYS_ROUTING) |
	    SUBSYS_BIT(SUBSYS_VIP) },
	{ SUBSYS_NAT, SUBSYS_BIT(SUBSYS_ALIASES) |
	    SUBSYS_BIT(SUBSYS_INTERFACES) | SUBSYS_BIT(SUBSYS_VIP) },
	{ SUBSYS_ROUTING, SUBSYS_BIT(SUBSYS_INTERFACES) },
	{ SUBSYS_VIP, SUBSYS_BIT(SUBSYS_INTERFACES) },
	{ SUBSYS_HASYNC, SUBSYS_BIT(SUBSYS_INTERFACES) |
	    SUBSYS_BIT(SUBSYS_VIP) },
};

static subsys_mask
apply_closure(subsys_mask want, subsys_mask dirty)
{
	subsys_mask	 before;
	size_t		 i;

	do {
		before = want;
		for (i = 0; i < nitems(apply_deps); i++)
			if (want & SUBSYS_BIT(apply_deps[i].d_what))
				want |= apply_deps[i].d_needs & dirty;
	} while (want != before);
	return want;
}

/* Sends one apply; 0 or -1 with the parent's reason in err. */
static int
apply_send(const struct apply_via *via, json_t *snap, subsys_mask mask,
    long long rev, const char *who, int boot, char *err, size_t errlen)
{
	json_t		*req, *ans;
	const char	*status, *why;
	char		 cerr[512];
	int		 ret = -1;

	req = json_pack("{s:s,s:o,s:O,s:I,s:s,s:b}",
	    "type", ipc_type_name(IPC_APPLY),
	    "subsys", boot || mask == SUBSYS_PARENT ? json_null() :
	    subsys_mask_to_json(mask),
	    "snapshot", snap, "revision", (json_int_t)rev, "who", who,
	    "boot", boot);
	cerr[0] = '\0';
	ans = via->av_call(via->av_arg, req, cerr, sizeof(cerr));
	json_decref(req);
	if (ans == NULL) {
		snprintf(err, errlen, "%s", cerr[0] ? cerr :
		    "no answer from the daemon");
		return -1;
	}
	status = json_string_value(json_object_get(ans, "status"));
	why = json_string_value(json_object_get(ans, "message"));
	if (status == NULL || strcmp(status, "ok") != 0)
		snprintf(err, errlen, "%s", why && *why ? why :
		    "no reason given");
	else
		ret = 0;
	json_decref(ans);
	return ret;
}

/* Records the outcome for every subsystem of mask, in one transaction. */
static int
apply_record(struct store *st, subsys_mask mask, long long rev, int ok,
    int clear, const char *who, const char *msg)
{
	int	s, ret = -1;

	if (store_begin(st) == -1)
		return -1;
	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++) {
		if (!(mask & SUBSYS_BIT(s)))
			continue;
		if (store_applied_set(st, (enum subsys)s, rev, ok, who, msg) ==
		    -1)
			goto err;
		if (clear && store_dirty_clear(st, (enum subsys)s) == -1)
			goto err;
	}
	if (store_commit(st) == -1)
		goto err;
	ret = 0;
err:
	if (ret == -1)
		(void)store_rollback(st);
	return ret;
}

int
apply_run(struct store *st, subsys_mask want, const struct apply_via *via,
    const char *who, struct apply_done *done, char *err, size_t errlen)
{
	json_t		*snap = NULL;
	subsys_mask	 dirty;
	long long	 rev;
	double		 t0 = util_now();
	int		 composed, ret = -1;

	if (done != NULL)
		memset(done, 0, sizeof(*done));
	dirty = store_dirty_mask(st);
	if (want == 0)
		want = dirty != 0 ? dirty : SUBSYS_ALL;
	want = apply_closure(want, dirty);
	if ((rev = store_revision_last(st)) == -1) {
		snprintf(err, errlen, "store: %s", store_errmsg(st));
		return -1;
	}
	if ((snap = apply_compose(st, dirty & ~want & SUBSYS_PARENT,
	    &composed, err, errlen)) == NULL)
		goto err;
	/* Users and cron are in force when saved: nothing to send. */
	if ((want & SUBSYS_PARENT) && apply_send(via, snap, want &
	    SUBSYS_PARENT, rev, who, 0, err, errlen) == -1) {
		(void)apply_record(st, want, rev, 0, 0, who, err);
		goto err;
	}
	/*
	 * A save while the parent worked stored a revision: then the flags
	 * stay, what was applied is not the stored configuration.
	 */
	if (apply_record(st, want, rev, 1, store_revision_last(st) == rev,
	    who, "") == -1) {
		snprintf(err, errlen, "applied, but the store could not "
		    "record it: %s", store_errmsg(st));
		goto err;
	}
	log_info("apply (%s) revision %lld: ok in %.0f ms", who, rev,
	    (util_now() - t0) * 1e3);
	if (done != NULL) {
		done->ad_rev = rev;
		done->ad_mask = want;
		done->ad_snap = composed ? NULL : json_incref(snap);
	}
	ret = 0;
err:
	json_decref(snap);
	return ret;
}

int
apply_boot(struct store *st, const struct apply_via *via, char *err,
    size_t errlen)
{
	json_t		*snap;
	subsys_mask	 dirty = store_dirty_mask(st);
	long long	 rev = store_revision_last(st);
	int		 composed, ret;

	if ((snap = apply_compose(st, dirty & SUBSYS_PARENT, &composed, err,
	    errlen)) == NULL)
		return -1;
	ret = apply_send(via, snap, SUBSYS_PARENT, rev, "boot", 1, err,
	    errlen);
	json_decref(snap);
	if (ret == -1) {
		(void)apply_record(st, SUBSYS_PARENT, rev, 0, 0, "boot", err);
		return -1;
	}
	/* What was clean is now in force at rev; the pending keep theirs. */
	(void)apply_record(st, SUBSYS_PARENT & ~dirty, rev, 1, 0, "boot", "");
	return 0;
}

json_t *
apply_status(struct store *st)
{
	json_t		*applied = store_applied_list(st), *o = json_object();
	json_t		*a;
	subsys_mask	 dirty = store_dirty_mask(st);
	int		 s;

	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++) {
		a = json_object_get(applied, subsys_name((enum subsys)s));
		a = a != NULL ? json_deep_copy(a) : json_pack("{s:I,s:f,s:b,"
		    "s:s,s:s}", "revision", (json_int_t)0, "time", 0.0,
		    "ok", 1, "message", "", "who", "");
		json_object_set_new(a, "pending", json_boolean(dirty &
		    SUBSYS_BIT(s)));
		json_object_set_new(a, "pending_since", json_real(
		    store_dirty_since(st, (enum subsys)s)));
		json_object_set_new(o, subsys_name((enum subsys)s), a);
	}
	json_decref(applied);
	return o;
}
