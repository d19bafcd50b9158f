/*
 * linux.c — the linux platform driver: nftables through libnftables,
 * addresses and routes through netlink (linux_net.c), the state table
 * through ctnetlink (linux_states.c).
 *
 * The whole ruleset is rendered into the table twinwall owns and loaded
 * as one script. nft sends a script as a single netlink batch, so a
 * commit the kernel refuses leaves the previous ruleset in force: a
 * libnftables dry run before it would send the same batch through the
 * kernel twice for no extra safety (it cost 0.6x of nft -f at 10,000
 * rules), so apply commits once and linux_nft_check() (the dry run)
 * serves validation without applying. Errors are returned word for word.
 *
 * Aliases: when only alias contents changed since the last load (the
 * ruleset without set elements is byte for byte the one loaded, and the
 * apply is for aliases alone), only the changed sets are refilled (flush
 * set + add element, one transaction): rules keep their handles and
 * counters, and established flows are not disturbed.
 *
 * Order of an apply: ruleset, then interfaces (static addresses, then
 * the DHCP clients, dhcp.c, with a bounded wait for new leases), then
 * routes (a gateway must be on-link before the route through it), then
 * the system settings (linux_sys.c). A failed ruleset stops
 * the apply before anything else changes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "dhcp.h"
#include "gwmon.h"
#include "linux_int.h"
#include "log.h"
#include "platform.h"
#include "platform_int.h"
#include "render.h"
#include "track6.h"
#include "util.h"

/* What was loaded last: the ruleset minus set elements, the aliases. */
static char	*linux_skel;
static json_t	*linux_aliases;
/* The boot guard is in the kernel: the next ruleset load removes it. */
static int	 linux_guarded;

/*
 * Fail closed at start: when the kernel holds no ruleset of ours (a
 * reboot), a table of its own drops every forwarded packet until the
 * first ruleset is committed, in the same batch that removes it. It is
 * kernel state, so it holds even if the daemon dies during start. The
 * node itself stays reachable (input and output are not touched): the
 * administrator must be able to reach the GUI of a node whose boot
 * apply failed.
 */
#define LINUX_GUARD_TABLE	TW_NFT_TABLE "_guard"
#define LINUX_GUARD	"table inet " LINUX_GUARD_TABLE "\n"		\
	"delete table inet " LINUX_GUARD_TABLE "\n"				\
	"table inet " LINUX_GUARD_TABLE " {\n"				\
	"\tchain forward {\n"						\
	"\t\ttype filter hook forward priority -300; policy drop;\n"	\
	"\t}\n"								\
	"}\n"
#define LINUX_UNGUARD	"table inet " LINUX_GUARD_TABLE "\n"		\
	"delete table inet " LINUX_GUARD_TABLE "\n"

static int	linux_nft_run(const char *, int, char *, size_t);

static void
linux_guard(void)
{
	char	err[512];

	/* A check that lists nothing fails when the table is absent. */
	if (linux_nft_run("list table inet " TW_NFT_TABLE "\n", 0, err,
	    sizeof(err)) == 0) {
		platform_action("linux: the ruleset of the last run is in "
		    "force; no boot guard needed");
		return;
	}
	if (linux_nft_run(LINUX_GUARD, 0, err, sizeof(err)) == -1) {
		log_warnx("platform linux: boot guard: %s", err);
		return;
	}
	linux_guarded = 1;
	platform_action("linux: no ruleset in force: forwarding dropped "
	    "(table inet %s) until the first ruleset loads",
	    LINUX_GUARD_TABLE);
}

static int
linux_init(const char *datadir)
{
	struct nft_ctx *nft;

	if (platform_rendered_open(datadir) == -1)
		return -1;
	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		log_warnx("platform linux: libnftables context");
		return -1;
	}
	nft_ctx_free(nft);
	linux_guard();
	platform_set_current(&platform_linux);
	linux_states_init();
	if (dhcp_init(1) == -1)
		log_warnx("platform linux: no DHCP clients (see above)");
	platform_action("linux: started");
	return 0;
}

/* Copies nft's error text into err, trimmed of trailing blanks. */
static void
linux_nft_error(struct nft_ctx *nft, const char *stage, char *err,
    size_t errlen)
{
	const char	*e = nft_ctx_get_error_buffer(nft);
	size_t		 n;

	if (e == NULL || e[0] == '\0')
		e = "no message from nft";
	snprintf(err, errlen, "nft %s: %s", stage, e);
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

/* Runs script once; dry: check only. 0, or -1 with the reason in err. */
static int
linux_nft_run(const char *script, int dry, char *err, size_t errlen)
{
	struct nft_ctx	*nft;
	int		 ret = -1;

	if ((nft = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		snprintf(err, errlen, "nft: no libnftables context");
		return -1;
	}
	if (nft_ctx_buffer_output(nft) != 0 ||
	    nft_ctx_buffer_error(nft) != 0) {
		snprintf(err, errlen, "nft: cannot buffer output");
		goto err;
	}
	nft_ctx_set_dry_run(nft, dry ? true : false);
	if (nft_ctx_get_dry_run(nft) != (dry ? true : false)) {
		snprintf(err, errlen, "nft: dry-run flag not taken");
		goto err;
	}
	if (nft_run_cmd_from_buffer(nft, script) != 0) {
		linux_nft_error(nft, dry ? "check" : "commit", err, errlen);
		goto err;
	}
	ret = 0;
err:
	nft_ctx_free(nft);
	return ret;
}

/* Commits script (a few set commands). 0, or -1 with err. */
int
linux_nft_exec(const char *script, char *err, size_t errlen)
{
	return linux_nft_run(script, 0, err, errlen);
}

/* The kernel's verdict on script, nothing committed. 0 or -1 (err). */
int
linux_nft_check(const char *script, char *err, size_t errlen)
{
	return linux_nft_run(script, 1, err, errlen);
}

/*
 * One atomic commit. ms (may be NULL) receives the milliseconds of each
 * stage: [0] a separate check (none, see above), [1] the commit.
 */
static int
linux_nft_load(const char *script, double *ms, char *err, size_t errlen)
{
	double t0 = util_now();

	if (linux_nft_run(script, 0, err, errlen) == -1)
		return -1;
	if (ms != NULL) {
		ms[0] = 0;
		ms[1] = (util_now() - t0) * 1e3;
	}
	return 0;
}

/*
 * The ruleset without its set elements: a new string. Two rulesets with
 * the same skeleton differ in alias contents only.
 */
static char *
linux_skeleton(const char *nft)
{
	const char	*p = nft, *nl;
	char		*out, *o;
	size_t		 n;

	out = o = xmalloc(strlen(nft) + 1);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		if (strncmp(p, "\t\telements = ", 13) != 0) {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	*o = '\0';
	return out;
}

static json_t *
linux_alias_rows(json_t *snap)
{
	json_t *rows;

	rows = json_object_get(json_object_get(snap, "sections"), "aliases");
	return json_is_array(rows) ? rows : NULL;
}

/* Whether subsys names aliases and nothing else. */
static int
linux_aliases_only(json_t *subsys)
{
	json_t	*v;
	size_t	 i;

	if (subsys == NULL || json_array_size(subsys) == 0)
		return 0;
	json_array_foreach(subsys, i, v)
		if (subsys_from_name(json_string_value(v)) != SUBSYS_ALIASES)
			return 0;
	return 1;
}

/*
 * The commands that refill the aliases changed since the last load: a
 * new string ("" when none changed), or NULL with the reason in err.
 */
static char *
linux_alias_script(json_t *snap, int *nchanged, char *err, size_t errlen)
{
	json_t		*row, *old = NULL;
	const char	*name;
	char		*part, *all = xstrdup(""), *t;
	size_t		 i, j;

	*nchanged = 0;
	json_array_foreach(linux_alias_rows(snap), i, row) {
		name = json_string_value(json_object_get(row, "name"));
		json_array_foreach(linux_aliases, j, old)
			if (json_equal(json_object_get(old, "name"),
			    json_object_get(row, "name")))
				break;
		if (j < json_array_size(linux_aliases) && json_equal(old, row))
			continue;
		if ((part = nft_render_alias_update(snap, name, err,
		    errlen)) == NULL) {
			free(all);
			return NULL;
		}
		t = xasprintf("%s%s", all, part);
		free(all);
		free(part);
		all = t;
		(*nchanged)++;
	}
	return all;
}

static void
linux_loaded(char *skel, json_t *snap)
{
	free(linux_skel);
	linux_skel = skel;
	json_decref(linux_aliases);
	linux_aliases = json_deep_copy(linux_alias_rows(snap));
}

static int
linux_ruleset(json_t *snap, json_t *subsys, const char *what, char *err,
    size_t errlen)
{
	char	*nft = NULL, *skel = NULL, *upd = NULL, *t, rerr[512];
	double	 t0 = util_now(), trender, ms[2];
	int	 ret = -1, n;

	rerr[0] = '\0';
	if ((nft = nft_render(snap, rerr, sizeof(rerr))) == NULL) {
		snprintf(err, errlen, "nftables render: %s", rerr);
		goto err;
	}
	trender = (util_now() - t0) * 1e3;
	/* Kept for the administrator: what was (or failed to be) loaded. */
	if (platform_write("twinwall.nft", nft, strlen(nft), 0644, err,
	    errlen) == -1)
		goto err;
	skel = linux_skeleton(nft);
	if (linux_aliases_only(subsys) && linux_skel != NULL &&
	    strcmp(skel, linux_skel) == 0) {
		if ((upd = linux_alias_script(snap, &n, err, errlen)) == NULL)
			goto err;
		if (n == 0 || linux_nft_load(upd, NULL, rerr, sizeof(rerr)) == 0) {
			platform_action("linux: apply %s: refilled %d alias "
			    "set(s), rules not reloaded", what, n);
			linux_loaded(skel, snap);
			skel = NULL;
			ret = 0;
			goto err;
		}
		/* The table changed behind our back: load it whole. */
		log_warnx("platform linux: alias update failed (%s); "
		    "reloading the ruleset", rerr);
	}
	if (linux_guarded) {
		/* The guard goes in the ruleset's own batch: no gap. */
		t = xasprintf("%s%s", nft, LINUX_UNGUARD);
		free(nft);
		nft = t;
	}
	if (linux_nft_load(nft, ms, err, errlen) == -1)
		goto err;
	if (linux_guarded)
		platform_action("linux: first ruleset in force: the boot "
		    "guard is gone");
	linux_guarded = 0;
	linux_loaded(skel, snap);
	skel = NULL;
	linux_states_init();
	platform_action("linux: apply %s: loaded twinwall.nft (%zu bytes): "
	    "render %.0f ms, commit %.0f ms", what, strlen(nft), trender,
	    ms[1]);
	ret = 0;
err:
	free(nft);
	free(skel);
	free(upd);
	return ret;
}

/* Subsystems whose rows reach the ruleset. */
static int
linux_wants_ruleset(json_t *subsys)
{
	static const enum subsys reach[] = { SUBSYS_FILTER, SUBSYS_ALIASES,
	    SUBSYS_NAT, SUBSYS_INTERFACES, SUBSYS_VIP, SUBSYS_HASYNC,
	    SUBSYS_SYSTEM };
	size_t i;

	for (i = 0; i < nitems(reach); i++)
		if (subsys_has(subsys, reach[i]))
			return 1;
	return 0;
}

static int
linux_apply(json_t *snap, json_t *subsys, char *err, size_t errlen)
{
	struct sysconf	 sc;
	char		*what;
	int		 ret = -1, sys, dyn = 0;

	what = platform_subsys_text(subsys);
	/* Checked before anything changes: a bad value stops it all. */
	if ((sys = subsys_has(subsys, SUBSYS_SYSTEM)) &&
	    sysconf_read(snap, &sc, err, errlen) == -1)
		goto err;
	/* The marks the ruleset sets need their tables (render.h). */
	if (linux_wants_ruleset(subsys) &&
	    (linux_ruleset(snap, subsys, what, err, errlen) == -1 ||
	    linux_net_policy(snap, err, errlen) == -1))
		goto err;
	/* A new ruleset holds empty track6 sets: the /64s again. */
	if (linux_wants_ruleset(subsys))
		track6_nft();
	if (subsys_has(subsys, SUBSYS_INTERFACES) &&
	    (linux_net_interfaces(snap, err, errlen) == -1 ||
	    (dyn = dhcp_apply(snap, err, errlen)) == -1))
		goto err;
	/* Lease events re-route with what was applied. */
	dhcp_remember(snap, subsys);
	/* The monitor first: the default route follows what it sees. */
	if (subsys_has(subsys, SUBSYS_ROUTING) &&
	    (gwmon_configure(snap, 1) == -1 ||
	    linux_net_routes(snap, err, errlen) == -1))
		goto err;
	/* A client came or went: its dynamic gateway with it. */
	if (dyn == 1 && !subsys_has(subsys, SUBSYS_ROUTING) &&
	    dhcp_routes(err, errlen) == -1)
		goto err;
	if (sys && linux_sys_apply(&sc, err, errlen) == -1)
		goto err;
	ret = 0;
err:
	if (ret == -1) {
		platform_action("linux: apply %s: failed: %s", what, err);
		log_warnx("platform linux: apply %s: %s", what, err);
	}
	free(what);
	return ret;
}

static void
linux_shutdown(void)
{
	/* The clients stop too; their addresses stay, as everything else. */
	dhcp_shutdown();
	platform_action("linux: stopped (ruleset, addresses and routes left "
	    "in force)");
	free(linux_skel);
	linux_skel = NULL;
	json_decref(linux_aliases);
	linux_aliases = NULL;
	linux_net_shutdown();
	platform_rendered_close();
}

const struct platform platform_linux = {
	.p_name = "linux",
	.p_init = linux_init,
	.p_apply = linux_apply,
	.p_states = linux_states,
	.p_shutdown = linux_shutdown,
	.p_kill_states = linux_kill_states,
	.p_gw_changed = linux_net_reroute,
};
