/*
 * freebsd.c — pf/carp/pfsync. On this (Linux) build it renders pf.conf
 * (and the system settings' rc.conf and resolv.conf lines)
 * into DIR/rendered/ and says plainly that loading it needs a FreeBSD
 * host; the output is what golden-file tests check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform.h"
#include "platform_int.h"
#include "render.h"

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

/*
 * What a FreeBSD host would take for the system settings: rc.conf's
 * hostname line (DIR/rendered/rc.conf.system), resolv.conf, and the
 * zone that tzsetup would copy to /etc/localtime.
 */
static int
freebsd_system(json_t *snap, char *err, size_t errlen)
{
	struct sysconf	 sc;
	char		*text;
	int		 ret;

	if (sysconf_read(snap, &sc, err, errlen) == -1)
		return -1;
	text = sysconf_rcconf(&sc);
	ret = platform_write("rc.conf.system", text, strlen(text), 0644, err,
	    errlen);
	free(text);
	if (ret == -1)
		return -1;
	if (sc.sc_ndns > 0) {
		text = sysconf_resolv(&sc);
		ret = platform_write("resolv.conf", text, strlen(text), 0644,
		    err, errlen);
		free(text);
		if (ret == -1)
			return -1;
	}
	if (sc.sc_zone[0] != '\0')
		platform_action("freebsd: not applied: time zone %s (tzsetup "
		    "%s)", sc.sc_zone, sc.sc_zone);
	return 0;
}

static int
freebsd_apply(json_t *snap, json_t *subsys, char *err, size_t errlen)
{
	char	*pf = NULL, *what, rerr[512];

	what = platform_subsys_text(subsys);
	if (subsys_has(subsys, SUBSYS_SYSTEM) &&
	    freebsd_system(snap, err, errlen) == -1)
		goto err;
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
