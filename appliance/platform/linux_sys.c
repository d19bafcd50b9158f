/*
 * linux_sys.c — the system settings on a linux host: the kernel's host
 * name, /etc/hostname, the host's own line of /etc/hosts, the resolver
 * (/etc/resolv.conf) and the time zone (/etc/localtime, /etc/timezone).
 *
 * Files are replaced atomically (a temporary file in /etc, then
 * rename). A file that is itself a mount point (containers bind-mount
 * resolv.conf, hosts and hostname) cannot be renamed over (EBUSY): it
 * is rewritten in place. A resolv.conf that links into /run belongs to
 * a resolver manager and is left to it, with a line in the log.
 *
 * The NIS domain name (setdomainname) is not the DNS domain: the domain
 * reaches the host through /etc/hosts and resolv.conf's search line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dhcp.h"
#include "linux_int.h"
#include "log.h"
#include "platform_int.h"
#include "util.h"

#define ETC	"/etc"

static int
linux_sys_fail(char *err, size_t errlen, const char *what, const char *name)
{
	snprintf(err, errlen, "%s %s/%s: %s", what, ETC, name,
	    strerror(errno));
	return -1;
}

static int
linux_sys_writeall(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Rewrites dir/name in place: for a file that is a mount point. */
static int
linux_sys_inplace(int dfd, const char *name, const char *data, char *err,
    size_t errlen)
{
	int fd;

	if ((fd = openat(dfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return linux_sys_fail(err, errlen, "open", name);
	if (linux_sys_writeall(fd, data, strlen(data)) == -1 ||
	    fsync(fd) == -1) {
		close(fd);
		return linux_sys_fail(err, errlen, "write", name);
	}
	close(fd);
	return 0;
}

/* Replaces /etc/name with data (mode 0644). 0, or -1 with err. */
static int
linux_sys_write(const char *name, const char *data, char *err, size_t errlen)
{
	char	tmp[128];
	int	dfd, fd = -1, ret = -1;

	if ((dfd = open(ETC, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return linux_sys_fail(err, errlen, "open", "");
	snprintf(tmp, sizeof(tmp), ".%s.twinwall", name);
	(void)unlinkat(dfd, tmp, 0);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1) {
		/*
		 * /etc read-only but the file writable (the unit's
		 * ProtectSystem=strict with ReadWritePaths= of the file):
		 * in place is the only way.
		 */
		if (errno == EROFS || errno == EACCES || errno == EPERM) {
			ret = linux_sys_inplace(dfd, name, data, err, errlen);
			goto done;
		}
		linux_sys_fail(err, errlen, "create", tmp);
		goto done;
	}
	if (linux_sys_writeall(fd, data, strlen(data)) == -1 ||
	    fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		linux_sys_fail(err, errlen, "write", tmp);
		goto done;
	}
	close(fd);
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) == -1) {
		if (errno != EBUSY) {
			linux_sys_fail(err, errlen, "rename to", name);
			goto done;
		}
		if (linux_sys_inplace(dfd, name, data, err, errlen) == -1)
			goto done;
	}
	ret = 0;
done:
	if (fd != -1)
		close(fd);
	(void)unlinkat(dfd, tmp, 0);
	close(dfd);
	return ret;
}

static int
linux_sys_hostname(const struct sysconf *sc, char *err, size_t errlen)
{
	char	*text, *old, *hosts;
	int	 ret = -1;

	/* The files first: the kernel's name changes only once they did. */
	text = sysconf_hostname_file(sc);
	if (!sc->sc_hostown &&
	    linux_sys_write("hostname", text, err, errlen) == -1)
		goto done;
	old = util_read_file(ETC "/hosts", NULL, 1 << 20);
	hosts = sysconf_hosts(old, sc);
	free(old);
	ret = linux_sys_write("hosts", hosts, err, errlen);
	free(hosts);
	if (ret == 0 && !sc->sc_hostown &&
	    sethostname(sc->sc_host, strlen(sc->sc_host)) == -1) {
		snprintf(err, errlen, "sethostname %s: %s", sc->sc_host,
		    strerror(errno));
		ret = -1;
	}
	if (ret == 0)
		platform_action("linux: host name %s%s%s%s", sc->sc_host,
		    sc->sc_domain[0] ? "." : "", sc->sc_domain,
		    sc->sc_hostown ? " (the host's own name, in /etc/hosts)" :
		    "");
done:
	free(text);
	return ret;
}

/* 1 when /etc/resolv.conf links into a run directory (someone owns it). */
static int
linux_sys_resolv_managed(char *target, size_t len)
{
	struct stat	sb;
	ssize_t		n;

	if (lstat(ETC "/resolv.conf", &sb) == -1 || !S_ISLNK(sb.st_mode))
		return 0;
	if ((n = readlink(ETC "/resolv.conf", target, len - 1)) == -1)
		return 0;
	target[n] = '\0';
	return strncmp(target, "/run/", 5) == 0 ||
	    strncmp(target, "/var/run/", 9) == 0 ||
	    strstr(target, "../run/") != NULL;
}

static int
linux_sys_resolv(const struct sysconf *sc, char *err, size_t errlen)
{
	char	target[256], *text;
	int	ret;

	if (linux_sys_resolv_managed(target, sizeof(target))) {
		log_warnx("platform linux: /etc/resolv.conf links to %s: the "
		    "resolvers are managed elsewhere; system.dnsserver left "
		    "unapplied", target);
		platform_action("linux: resolv.conf managed elsewhere (-> "
		    "%s): left alone", target);
		return 0;
	}
	text = sysconf_resolv(sc);
	ret = linux_sys_write("resolv.conf", text, err, errlen);
	free(text);
	if (ret == 0)
		platform_action("linux: resolv.conf: %d nameserver(s)%s%s%s",
		    sc->sc_ndns, sc->sc_override && sc->sc_nlease ?
		    " and the leases'" : "", sc->sc_domain[0] ? ", search " :
		    "", sc->sc_domain);
	return ret;
}

static int
linux_sys_zone(const struct sysconf *sc, char *err, size_t errlen)
{
	char	 target[192], *text;
	int	 ret = -1;

	snprintf(target, sizeof(target), "%s/%s", CFG_ZONEINFO, sc->sc_zone);
	(void)unlink(ETC "/.localtime.twinwall");
	if (symlink(target, ETC "/.localtime.twinwall") == -1)
		return linux_sys_fail(err, errlen, "symlink", "localtime");
	if (rename(ETC "/.localtime.twinwall", ETC "/localtime") == -1) {
		linux_sys_fail(err, errlen, "rename to", "localtime");
		(void)unlink(ETC "/.localtime.twinwall");
		return -1;
	}
	text = xasprintf("%s\n", sc->sc_zone);
	if (linux_sys_write("timezone", text, err, errlen) == 0) {
		platform_action("linux: time zone %s", sc->sc_zone);
		ret = 0;
	}
	free(text);
	return ret;
}

/* The settings last applied, for the leases' DNS servers that change. */
static struct sysconf	linux_sys_last;
static int		linux_sys_have;

/* Whether resolv.conf is ours to write: servers configured or leased. */
static int
linux_sys_resolv_wanted(const struct sysconf *sc)
{
	return sc->sc_ndns > 0 || (sc->sc_override && sc->sc_nlease > 0);
}

void
linux_sys_leases(void)
{
	struct sysconf	sc;
	char		err[256];

	if (!linux_sys_have || !linux_sys_last.sc_override)
		return;
	sc = linux_sys_last;
	memset(sc.sc_lease_dns, 0, sizeof(sc.sc_lease_dns));
	sc.sc_nlease = dhcp_lease_dns(sc.sc_lease_dns, SYSCONF_MAXDNS);
	if (sc.sc_nlease == linux_sys_last.sc_nlease &&
	    memcmp(sc.sc_lease_dns, linux_sys_last.sc_lease_dns,
	    sizeof(sc.sc_lease_dns)) == 0)
		return;
	linux_sys_last = sc;
	if (linux_sys_resolv_wanted(&sc) &&
	    linux_sys_resolv(&sc, err, sizeof(err)) == -1)
		log_warnx("platform linux: the leases' DNS servers: %s", err);
}

int
linux_sys_apply(const struct sysconf *in, char *err, size_t errlen)
{
	struct sysconf	 sco = *in, *sc = &sco;

	memset(sc->sc_lease_dns, 0, sizeof(sc->sc_lease_dns));
	sc->sc_nlease = sc->sc_override ? dhcp_lease_dns(sc->sc_lease_dns,
	    SYSCONF_MAXDNS) : 0;
	linux_sys_last = *sc;
	linux_sys_have = 1;
	if (sc->sc_host[0] != '\0' &&
	    linux_sys_hostname(sc, err, errlen) == -1)
		return -1;
	if (linux_sys_resolv_wanted(sc) &&
	    linux_sys_resolv(sc, err, errlen) == -1)
		return -1;
	if (sc->sc_zone[0] != '\0' && linux_sys_zone(sc, err, errlen) == -1)
		return -1;
	return 0;
}
