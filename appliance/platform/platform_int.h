/*
 * platform_int.h — helpers shared by the platform drivers (not for
 * other modules).
 *
 * Every driver writes what it renders to DIR/rendered/ (so an
 * administrator can read what was loaded) and appends what it did or
 * would do to DIR/rendered/actions.log. The directory is opened once by
 * p_init and then only used through that descriptor: the data directory
 * is shared with the unprivileged child, which must not be able to
 * redirect root's writes by swapping in a symlink.
 */
#ifndef TW_PLATFORM_INT_H
#define TW_PLATFORM_INT_H

#include <jansson.h>
#include <stddef.h>

#include "platform.h"
#include "subsys.h"

#define PLATFORM_RENDERED	"rendered"

/* Creates (0755) and opens DIR/rendered for the drivers. 0 or -1. */
int	platform_rendered_open(const char *datadir);
void	platform_rendered_close(void);
/*
 * Reads DIR/rendered/name (at most max bytes): a new NUL-terminated
 * string the caller frees, or NULL when it cannot be read.
 */
char	*platform_read(const char *name, size_t max);

/* 1 when subsys (array of names; NULL or empty = everything) has name. */

/*
 * Records the addresses, routes and VIPs the snapshot asks for, one
 * action line each, each prefixed by verb ("would set", "not yet:").
 */
void	platform_describe(json_t *snapshot, json_t *subsys, const char *verb);

/* "filter,nat" for log lines: a new string the caller frees. */
char	*platform_subsys_text(json_t *subsys);

/*
 * sysconf.c: the system section as the drivers apply it. sysconf_read
 * checks every value again (a value that reaches a host file can never
 * add a line or a word to it): 0, or -1 with the field and reason in
 * err. An empty member is the host's own setting: leave it.
 */
#define SYSCONF_MAXDNS		8
#define SYSCONF_HOSTS_ADDR	"127.0.1.1"	/* the host's own name */
struct sysconf {
	char	sc_host[64];
	char	sc_domain[254];
	char	sc_zone[65];
	char	sc_dns[SYSCONF_MAXDNS][64];
	int	sc_ndns;
	int	sc_hostown;	/* sc_host is the host's own (domain only) */
	int	sc_override;	/* system.dnsallowoverride */
	/* The DNS servers of the leases now (filled by the platform). */
	char	sc_lease_dns[SYSCONF_MAXDNS][64];
	int	sc_nlease;
};
int	 sysconf_read(json_t *snapshot, struct sysconf *, char *err,
	    size_t errlen);
/* Each returns a new string the caller frees. */
char	*sysconf_hostname_file(const struct sysconf *);
char	*sysconf_hosts_line(const struct sysconf *);
/* old /etc/hosts with the 127.0.1.1 line replaced (or added). */
char	*sysconf_hosts(const char *old, const struct sysconf *);
char	*sysconf_resolv(const struct sysconf *);
char	*sysconf_rcconf(const struct sysconf *);

#endif
