/*
 * track6.h — IPv6 prefix delegation on the LANs (linux platform): an
 * interface in ipaddrv6 "track6" takes the /64 numbered track6_prefix_id
 * of the prefix delegated to its track6_interface (a dhcp6 WAN, whose
 * client dhcp.c runs), puts address ::1 of it on its device and
 * announces it with router advertisements from radvd, a child of the
 * root parent supervised as the DHCP clients are (restart with backoff).
 *
 * When the delegated prefix changes, the LAN's old address goes, the new
 * one comes, and radvd announces the old /64 deprecated (preferred
 * lifetime 0, RFC 4862 5.5.3) for what its lease had left, at most
 * TRACK6_OLD_SECS, so hosts move over.
 */
#ifndef TW_TRACK6_H
#define TW_TRACK6_H

#include <sys/types.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TRACK6_OLD_SECS		7200	/* RFC 4862 5.5.3 e) two hours */
#define TRACK6_RDNSS_MAX	3

/* One LAN as radvd announces it. */
struct track6_lan {
	char		 t_dev[16];
	char		 t_prefix[46];	/* the /64, "" when none */
	uint32_t	 t_pref, t_valid;	/* seconds left */
	char		 t_old[46];	/* the previous /64, deprecated */
	uint32_t	 t_old_valid;	/* seconds left */
	char		 t_rdnss[TRACK6_RDNSS_MAX][46];
	int		 t_nrdnss;
};

/*
 * Pure: the /64 numbered id within prefix/plen (plen 1..64) as text
 * ("2001:db8:0:5::") into out. 0, or -1 when prefix is no IPv6 prefix
 * or id does not fit its 64 - plen bits.
 */
int	track6_subnet(const char *prefix, int plen, unsigned long id,
	    char *out, size_t len);
/*
 * Pure: radvd's configuration for n LANs: a new string, or NULL when a
 * device name or an address could not be written safely.
 */
char	*track6_radvd_conf(const struct track6_lan *, size_t n);

/*
 * Brings the LANs of the interface rows (borrowed) in line with the
 * delegated prefixes now: their addresses, radvd's configuration and
 * process. Called after each apply of "interfaces" and each lease event.
 */
void	track6_sync(json_t *ifrows);
/*
 * Fills the ruleset's set of each track6 interface (render.h
 * TW_NFT_IFNET6) with its /64: after each ruleset load and prefix change.
 */
void	track6_nft(void);
/* Stops radvd (its final advertisements withdraw the router). */
void	track6_shutdown(void);
/* For the parent's SIGCHLD reaper: 1 when pid was radvd. */
int	track6_reaped(pid_t pid, int status);
/* The live track6 state of interface ifname: a new object, or NULL. */
json_t	*track6_status(const char *ifname);

#endif
