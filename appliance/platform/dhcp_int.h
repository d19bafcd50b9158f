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

#endif
