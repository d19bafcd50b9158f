/*
 * linux_int.h — what the linux platform's files share (linux.c, the
 * driver; linux_net.c, addresses and routes; linux_states.c, conntrack).
 * Private to appliance/platform/.
 */
#ifndef TW_LINUX_INT_H
#define TW_LINUX_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* linux_states.c */
void	 linux_states_init(void);
/* A new array of state rows, or NULL (logged). */
json_t	*linux_states(void);
int	 linux_kill_states(const char *filter, char *err, size_t errlen);

/*
 * linux_net.c: makes the host's addresses and MTUs (interfaces) and its
 * routes (routing) match the snapshot (borrowed). 0, or -1 with the
 * kernel's reason in err.
 */
#define LINUX_OWNED	"owned-addresses.json"	/* in DIR/rendered/ */
int	 linux_net_interfaces(json_t *snapshot, char *err, size_t errlen);
int	 linux_net_routes(json_t *snapshot, char *err, size_t errlen);
/*
 * The policy routing tables and rules for the filter rules of snapshot
 * (an apply of the ruleset); 0, or -1 with the reason in err.
 */
int	 linux_net_policy(json_t *snapshot, char *err, size_t errlen);
/* Routes again from the last snapshot (a gateway's status changed). */
void	 linux_net_reroute(void);
void	 linux_net_shutdown(void);

/*
 * linux_sys.c: the host name, /etc/hosts, resolv.conf and the time zone
 * (sysconf_read's checked values; empty ones are left as they are).
 * 0, or -1 with the file or call and its reason in err.
 */
struct sysconf;
int	 linux_sys_apply(const struct sysconf *, char *err, size_t errlen);
/*
 * A lease changed (dhcp.c): with system.dnsallowoverride, resolv.conf
 * again when the leases' DNS servers did.
 */
void	 linux_sys_leases(void);

/* linux.c: the libnftables dry run of a script; 0, or -1 with err. */
int	linux_nft_check(const char *script, char *err, size_t errlen);
/* linux.c: commits a script (track6.c's set refills); 0, or -1 with err. */
int	linux_nft_exec(const char *script, char *err, size_t errlen);

#endif
