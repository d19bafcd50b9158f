/*
 * freebsd.c — pf/carp/pfsync. On this (Linux) build it renders pf.conf
 * into DIR/rendered/ and says plainly that loading it needs a FreeBSD
 * host; the output is what golden-file tests check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform.h"
#include "platform_int.h"
#include "render/render.h"

static int
freebsd_init(const char *datadir)
{
	if (platform_rendered_open(datadir) == -1)
		return -1;
	platform_set_current(&platform_freebsd);
	log_warnx("platform freebsd: rules are rendered to %s; applying them "
	    "needs a FreeBSD host", platform_rendered_path());
	return 0;
}

static int
freebsd_apply(json_t *snap, json_t *subsys, char *err, size_t errlen)
{
	char	*pf, *what, rerr[512];

	what = platform_subsys_text(subsys);
	rerr[0] = '\0';
	if ((pf = pf_render(snap, rerr, sizeof(rerr))) == NULL) {
		snprintf(err, errlen, "pf render: %s", rerr);
		goto err;
	}
	if (platform_write("pf.conf", pf, strlen(pf), 0644, err, errlen) == -1)
		goto err;
	snprintf(err, errlen, "platform freebsd: pf.conf rendered to %s/pf.conf;"
	    " applying it needs a FreeBSD host", platform_rendered_path());
	platform_describe(snap, subsys, "freebsd: not applied:");
err:
	platform_action("freebsd: apply %s: failed: %s", what, err);
	free(pf);
	free(what);
	return -1;
}

static json_t *
freebsd_states(void)
{
	return NULL;
}

static void
freebsd_shutdown(void)
{
	platform_rendered_close();
}

const struct platform platform_freebsd = {
	.p_name = "freebsd",
	.p_init = freebsd_init,
	.p_apply = freebsd_apply,
	.p_states = freebsd_states,
	.p_shutdown = freebsd_shutdown,
};
