/*
 * dhcp_int.h — what dhcp.c (the clients) and dhcp_lease.c (reading
 * their leases) share. Private to appliance/platform/.
 */
#ifndef TW_DHCP_INT_H
#define TW_DHCP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DHCP_DNS_MAX	4

/* An IPv4 lease as the client stored it (RFC 2131 message + options). */
struct dhcp_lease4 {
	char		 l_addr[16];	/* yiaddr, dotted quad */
	int		 l_prefix;	/* from option 1; 0 when absent */
	char		 l_router[16];	/* first of option 3; "" when none */
	char		 l_server[16];	/* option 54 */
	char		 l_dns[DHCP_DNS_MAX][16];	/* option 6 */
	int		 l_ndns;
	uint32_t	 l_time;	/* option 51, seconds */
	uint32_t	 l_renew;	/* option 58, or l_time / 2 */
	uint32_t	 l_rebind;	/* option 59, or l_time * 7 / 8 */
	time_t		 l_start;	/* when it was acknowledged (mtime) */
};

/*
 * Pure: parses a stored DHCPv4 message of len bytes (a BOOTREPLY with
 * the magic cookie and an ACK's options) into l (l_start left 0).
 * 0, or -1 when it is not a usable lease (why in err).
 */
int	dhcp_lease4_parse(const uint8_t *buf, size_t len,
	    struct dhcp_lease4 *l, char *err, size_t errlen);
/* 1 while a lease is valid at now (infinite leases never expire). */
int	dhcp_lease4_valid(const struct dhcp_lease4 *, time_t now);

/*
 * A DHCPv6 lease as the client stored it (RFC 8415 REPLY): the IA_NA
 * address and the IA_PD prefix still valid, each with its lifetimes
 * (seconds from l6_start; UINT32_MAX infinite). "" when none.
 */
struct dhcp_lease6 {
	char		 l6_addr[46];
	uint32_t	 l6_apref, l6_avalid;
	char		 l6_prefix[46];
	int		 l6_plen;
	uint32_t	 l6_ppref, l6_pvalid;
	uint32_t	 l6_t1, l6_t2;	/* of the first IA leased */
	char		 l6_dns[DHCP_DNS_MAX][46];
	int		 l6_ndns;
	time_t		 l6_start;	/* when it was stored (mtime) */
};

/* Pure, as dhcp_lease4_parse: 0, or -1 when nothing is leased. */
int	dhcp_lease6_parse(const uint8_t *buf, size_t len,
	    struct dhcp_lease6 *l, char *err, size_t errlen);
/* 1 while the address (pd 0) or the prefix (pd 1) is valid at now. */
int	dhcp_lease6_valid(const struct dhcp_lease6 *, int pd, time_t now);
/*
 * The stored DHCPv6 lease of the client of interface ifname (dhcp.c),
 * when it holds what is asked for (pd: a prefix) valid now: 0 and *l.
 */
int	dhcp_lease6_now(const char *ifname, int pd, struct dhcp_lease6 *l);

/*
 * dhcp.c: a device name safe in a path, a configuration line and a
 * command's argument (dhcpcd's, radvd's): 1 or 0.
 */
int	dhcp_dev_ok(const char *dev);

#endif
