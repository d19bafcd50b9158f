/*
 * sysconf.c — the system settings as the drivers apply them: read back
 * out of a snapshot and checked again (the parent trusts no text that
 * reaches a host file), and rendered as the lines of /etc/hostname,
 * /etc/hosts, /etc/resolv.conf, /etc/timezone and FreeBSD's rc.conf.
 *
 * An empty value is the host's own: nothing is written for it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "platform_int.h"
#include "util.h"

/* One label of the kernel's host name (RFC 1123), no dots. */
static int
sysconf_label(const char *s)
{
	return cfg_check_hostname(s) && strchr(s, '.') == NULL &&
	    strlen(s) <= 63;
}

/* An address for a nameserver line: v4, or v6 with an optional %scope. */
static int
sysconf_nameserver(const char *s)
{
	unsigned char	 buf[16];
	char		 a[64];
	const char	*pct;
	size_t		 i;

	if (strlen(s) >= sizeof(a))
		return 0;
	if (inet_pton(AF_INET, s, buf) == 1)
		return 1;
	util_strlcpy(a, s, sizeof(a));
	if ((pct = strchr(s, '%')) != NULL) {
		a[pct - s] = '\0';
		if (pct[1] == '\0')
			return 0;
		for (i = 1; pct[i]; i++)
			if (!isalnum((unsigned char)pct[i]) && pct[i] != '.' &&
			    pct[i] != '_' && pct[i] != '-')
				return 0;
	}
	return inet_pton(AF_INET6, a, buf) == 1;
}

int
sysconf_read(json_t *snap, struct sysconf *sc, char *err, size_t errlen)
{
	json_t		*sys;
	const char	*host, *dom, *zone, *dns, *p, *end;
	char		 own[256];
	size_t		 n;

	memset(sc, 0, sizeof(*sc));
	sys = json_object_get(json_object_get(snap, "sections"), "system");
	if (!json_is_object(sys)) {
		snprintf(err, errlen, "system: no system section");
		return -1;
	}
	host = cfg_str(sys, "hostname");
	dom = cfg_str(sys, "domain");
	zone = cfg_str(sys, "timezone");
	dns = cfg_str(sys, "dnsserver");
	if (*host != '\0' && !sysconf_label(host)) {
		snprintf(err, errlen, "system.hostname: not one host name "
		    "label");
		return -1;
	}
	if (*dom != '\0' && (!cfg_check_hostname(dom) || strlen(dom) > 253)) {
		snprintf(err, errlen, "system.domain: not a domain name");
		return -1;
	}
	if (*zone != '\0' && !cfg_check_timezone(zone)) {
		snprintf(err, errlen, "system.timezone: \"%.64s\" is not a "
		    "zone under %s", zone, CFG_ZONEINFO);
		return -1;
	}
	sc->sc_override = cfg_bool(sys, "dnsallowoverride");
	util_strlcpy(sc->sc_host, host, sizeof(sc->sc_host));
	util_strlcpy(sc->sc_domain, dom, sizeof(sc->sc_domain));
	util_strlcpy(sc->sc_zone, zone, sizeof(sc->sc_zone));
	for (p = dns; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		n = (size_t)(end - p);
		if (sc->sc_ndns == SYSCONF_MAXDNS) {
			snprintf(err, errlen, "system.dnsserver: more than %d "
			    "servers", SYSCONF_MAXDNS);
			return -1;
		}
		if (n == 0 || n >= sizeof(sc->sc_dns[0])) {
			snprintf(err, errlen, "system.dnsserver: bad list");
			return -1;
		}
		memcpy(sc->sc_dns[sc->sc_ndns], p, n);
		sc->sc_dns[sc->sc_ndns][n] = '\0';
		if (!sysconf_nameserver(sc->sc_dns[sc->sc_ndns])) {
			snprintf(err, errlen, "system.dnsserver: \"%.64s\" is "
			    "not an address", sc->sc_dns[sc->sc_ndns]);
			return -1;
		}
		sc->sc_ndns++;
	}
	/*
	 * A domain without a stored host name still names the host in
	 * /etc/hosts: by the name the host has (its first label).
	 */
	if (sc->sc_host[0] == '\0' && sc->sc_domain[0] != '\0' &&
	    gethostname(own, sizeof(own)) == 0) {
		own[sizeof(own) - 1] = '\0';
		own[strcspn(own, ".")] = '\0';
		if (sysconf_label(own)) {
			util_strlcpy(sc->sc_host, own, sizeof(sc->sc_host));
			sc->sc_hostown = 1;
		}
	}
	return 0;
}

char *
sysconf_hostname_file(const struct sysconf *sc)
{
	return xasprintf("%s\n", sc->sc_host);
}

/* The line twinwall owns in /etc/hosts (Debian's 127.0.1.1 for the host). */
char *
sysconf_hosts_line(const struct sysconf *sc)
{
	if (sc->sc_domain[0] != '\0')
		return xasprintf("%s\t%s.%s\t%s\n", SYSCONF_HOSTS_ADDR,
		    sc->sc_host, sc->sc_domain, sc->sc_host);
	return xasprintf("%s\t%s\n", SYSCONF_HOSTS_ADDR, sc->sc_host);
}

char *
sysconf_hosts(const char *old, const struct sysconf *sc)
{
	char		*line = sysconf_hosts_line(sc), *out, *o;
	const char	*p = old ? old : "", *nl;
	size_t		 n, addrlen = strlen(SYSCONF_HOSTS_ADDR);
	int		 done = 0;

	out = o = xmalloc(strlen(p) + strlen(line) + 2);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		/* The host's own line is replaced where it stood; the rest kept. */
		if (strncmp(p, SYSCONF_HOSTS_ADDR, addrlen) == 0 &&
		    (p[addrlen] == ' ' || p[addrlen] == '\t')) {
			if (!done) {
				strcpy(o, line);
				o += strlen(line);
				done = 1;
			}
		} else {
			memcpy(o, p, n);
			o += n;
			if (nl == NULL)
				*o++ = '\n';
		}
		p += n;
	}
	if (!done) {
		strcpy(o, line);
		o += strlen(line);
	}
	*o = '\0';
	free(line);
	return out;
}

/* Whether s is configured, or among the first n lease servers. */
static int
sysconf_has_dns(const struct sysconf *sc, const char *s, int n)
{
	int i;

	for (i = 0; i < sc->sc_ndns; i++)
		if (strcmp(sc->sc_dns[i], s) == 0)
			return 1;
	for (i = 0; i < n; i++)
		if (strcmp(sc->sc_lease_dns[i], s) == 0)
			return 1;
	return 0;
}

char *
sysconf_resolv(const struct sysconf *sc)
{
	char	*out, *t;
	int	 i;

	out = xasprintf("# written by twinwall from system.dnsserver and "
	    "system.domain%s;\n# changes here are replaced at the next "
	    "apply\n", sc->sc_override ? " (then the DNS servers of the "
	    "DHCP leases: system.dnsallowoverride)" : "");
	if (sc->sc_domain[0] != '\0') {
		t = xasprintf("%ssearch %s\n", out, sc->sc_domain);
		free(out);
		out = t;
	}
	for (i = 0; i < sc->sc_ndns; i++) {
		t = xasprintf("%snameserver %s\n", out, sc->sc_dns[i]);
		free(out);
		out = t;
	}
	/*
	 * system.dnsallowoverride: the leases' servers after the configured
	 * ones, each once (the resolver tries them in this order). Checked
	 * again here: they came from the network.
	 */
	for (i = 0; sc->sc_override && i < sc->sc_nlease; i++) {
		if (!sysconf_nameserver(sc->sc_lease_dns[i]) ||
		    sysconf_has_dns(sc, sc->sc_lease_dns[i], i))
			continue;
		t = xasprintf("%snameserver %s\n", out,
		    sc->sc_lease_dns[i]);
		free(out);
		out = t;
	}
	return out;
}

char *
sysconf_rcconf(const struct sysconf *sc)
{
	char	*out = xstrdup(""), *t;

	/* rc.conf's hostname is the full name; the zone is a link. */
	if (sc->sc_host[0] != '\0') {
		t = xasprintf("hostname=\"%s%s%s\"\n", sc->sc_host,
		    sc->sc_domain[0] ? "." : "", sc->sc_domain);
		free(out);
		out = t;
	}
	return out;
}
