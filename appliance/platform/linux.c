/*
 * linux.c — nftables through libnftables.
 *
 * The whole ruleset is rendered into the tables twinwall owns and loaded
 * as one script: first with the dry-run flag (the kernel checks it and
 * nothing is committed), then for real. nft sends a script as a single
 * netlink batch, so a commit the kernel refuses leaves the previous
 * ruleset in force. Errors are buffered and returned word for word.
 *
 * XXX addresses, routes and VIPs come with the netlink work of a later
 * issue; until then apply says "not yet" for them in actions.log.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "log.h"
#include "platform.h"
#include "platform_int.h"
#include "render/render.h"

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
	platform_action("linux: started");
	return 0;
}

/* Copies nft's error text into err, trimmed to its first lines. */
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

static int
linux_apply(json_t *snap, json_t *subsys, char *err, size_t errlen)
{
	char	*nft = NULL, *what, rerr[512];
	int	 ret = -1;

	what = platform_subsys_text(subsys);
	rerr[0] = '\0';
	if ((nft = nft_render(snap, rerr, sizeof(rerr))) == NULL) {
		snprintf(err, errlen, "nftables render: %s", rerr);
		goto err;
	}
	/* Kept for the administrator: what was (or failed to be) loaded. */
	if (platform_write("twinwall.nft", nft, strlen(nft), 0644, err,
	    errlen) == -1)
		goto err;
	if (linux_nft_run(nft, 1, err, errlen) == -1 ||
	    linux_nft_run(nft, 0, err, errlen) == -1)
		goto err;
	platform_action("linux: apply %s: loaded twinwall.nft (%zu bytes)",
	    what, strlen(nft));
	platform_action("linux: apply %s: addresses, routes and VIPs are not "
	    "applied yet (a later issue); the host keeps its own", what);
	platform_describe(snap, subsys, "linux: not yet implemented:");
	ret = 0;
err:
	if (ret == -1) {
		platform_action("linux: apply %s: failed, previous ruleset "
		    "kept: %s", what, err);
		log_warnx("platform linux: apply %s: %s", what, err);
	}
	free(nft);
	free(what);
	return ret;
}

static json_t *
linux_states(void)
{
	return NULL;	/* XXX conntrack listing: a later issue */
}

static void
linux_shutdown(void)
{
	platform_action("linux: stopped (ruleset left in force)");
	platform_rendered_close();
}

const struct platform platform_linux = {
	.p_name = "linux",
	.p_init = linux_init,
	.p_apply = linux_apply,
	.p_states = linux_states,
	.p_shutdown = linux_shutdown,
};
