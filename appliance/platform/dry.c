/*
 * dry.c — the platform that touches nothing: it renders what the other
 * platforms would load into DIR/rendered/ (twinwall.nft, pf.conf,
 * snapshot.json, and the system files of /etc: hostname, hosts,
 * resolv.conf, timezone) and records in actions.log what it would have done.
 * Used by unprivileged tests and by `twinwall daemon --platform dry`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gwmon.h"
#include "config.h"
#include "log.h"
#include "platform.h"
#include "platform_int.h"
#include "render.h"
#include "util.h"

static int
dry_init(const char *datadir)
{
	if (platform_rendered_open(datadir) == -1)
		return -1;
	platform_set_current(&platform_dry);
	platform_action("dry: started, rendering to %s",
	    platform_rendered_path());
	return 0;
}

/*
 * The system settings as the linux driver would write them to /etc:
 * DIR/rendered/hostname, hosts (the host's own line), resolv.conf and
 * timezone; an empty setting (the host's own) renders nothing.
 */
static int
dry_system(const struct sysconf *sc, char *err, size_t errlen)
{
	char	*text;
	int	 ret;

	if (sc->sc_host[0] != '\0') {
		if (!sc->sc_hostown) {
			text = sysconf_hostname_file(sc);
			ret = platform_write("hostname", text, strlen(text),
			    0644, err, errlen);
			free(text);
			if (ret == -1)
				return -1;
		}
		text = sysconf_hosts_line(sc);
		ret = platform_write("hosts", text, strlen(text), 0644, err,
		    errlen);
		free(text);
		if (ret == -1)
			return -1;
		platform_action("dry: would set %s /etc/hosts line (%s)",
		    sc->sc_hostown ? "the host's own name in its" :
		    "the host name and its", sc->sc_host);
	}
	if (sc->sc_ndns > 0) {
		text = sysconf_resolv(sc);
		ret = platform_write("resolv.conf", text, strlen(text), 0644,
		    err, errlen);
		free(text);
		if (ret == -1)
			return -1;
		platform_action("dry: would write /etc/resolv.conf");
	}
	if (sc->sc_zone[0] != '\0') {
		text = xasprintf("%s\n", sc->sc_zone);
		ret = platform_write("timezone", text, strlen(text), 0644, err,
		    errlen);
		free(text);
		if (ret == -1)
			return -1;
		platform_action("dry: would link /etc/localtime to %s/%s",
		    CFG_ZONEINFO, sc->sc_zone);
	}
	return 0;
}

/*
 * Renders both rulesets first and writes nothing unless both render:
 * like the real drivers, a failed apply leaves the previous state.
 */
static int
dry_apply(json_t *snap, json_t *subsys, char *err, size_t errlen)
{
	struct sysconf	 sc;
	char		*nft = NULL, *pf = NULL, *js = NULL, *what;
	char		 rerr[512];
	int		 ret = -1, sys;

	what = platform_subsys_text(subsys);
	if ((sys = subsys_has(subsys, SUBSYS_SYSTEM)) &&
	    sysconf_read(snap, &sc, err, errlen) == -1)
		goto err;
	rerr[0] = '\0';
	if ((nft = nft_render(snap, rerr, sizeof(rerr))) == NULL) {
		snprintf(err, errlen, "nftables render: %s", rerr);
		goto err;
	}
	rerr[0] = '\0';
	if ((pf = pf_render(snap, rerr, sizeof(rerr))) == NULL) {
		snprintf(err, errlen, "pf render: %s", rerr);
		goto err;
	}
	/* The snapshot holds CARP keys and sync passwords: 0600. */
	js = json_dumps(snap, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (js == NULL) {
		snprintf(err, errlen, "snapshot: out of memory");
		goto err;
	}
	if (platform_write("twinwall.nft", nft, strlen(nft), 0644, err,
	    errlen) == -1 ||
	    platform_write("pf.conf", pf, strlen(pf), 0644, err,
	    errlen) == -1 ||
	    platform_write("snapshot.json", js, strlen(js), 0600, err,
	    errlen) == -1)
		goto err;
	if (sys && dry_system(&sc, err, errlen) == -1)
		goto err;
	platform_action("dry: apply %s: would load twinwall.nft (%zu bytes) "
	    "with nft -f, pf.conf (%zu bytes) with pfctl -f", what,
	    strlen(nft), strlen(pf));
	platform_describe(snap, subsys, "dry: would set");
	/* Gateways are listed with their flags; no probe leaves. */
	if (subsys_has(subsys, SUBSYS_ROUTING))
		(void)gwmon_configure(snap, 0);
	platform_action("dry: apply %s: done", what);
	ret = 0;
err:
	if (ret == -1)
		platform_action("dry: apply %s: failed: %s", what, err);
	free(nft);
	free(pf);
	if (js != NULL) {
		explicit_bzero(js, strlen(js));
		free(js);
	}
	free(what);
	return ret;
}

static json_t *
dry_states(void)
{
	return json_array();		/* nothing is ever tracked */
}

static void
dry_shutdown(void)
{
	platform_action("dry: stopped");
	platform_rendered_close();
}

const struct platform platform_dry = {
	.p_name = "dry",
	.p_init = dry_init,
	.p_apply = dry_apply,
	.p_states = dry_states,
	.p_shutdown = dry_shutdown,
};
