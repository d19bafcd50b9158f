/*
 * carp/proxyarp.h — the ARP responder for IPv4 proxy-ARP VIPs. Linux
 * answers a neighbour proxy entry only for a target routed out of another
 * interface (arp_process: rt->dst.dev != dev), never for extra addresses
 * in the interface's own subnet: the common use, targets of port forwards
 * and 1:1 NAT on the WAN. The CARP engine answers those itself.
 *
 * The wire side only: the filtered packet socket, the checks a request
 * must pass (RFC 826) and the frames. The engine keeps one proxyarp_if
 * per device and says whether its VHID is MASTER. IPv6 proxy VIPs use
 * the kernel's NDP proxy, which has no such limit (engine_linux.c).
 */
#ifndef TW_CARP_PROXYARP_H
#define TW_CARP_PROXYARP_H

#include <net/ethernet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROXYARP_FRAME_LEN	42	/* Ethernet header + ARP for IPv4 */

/* What became of a received frame; counted per reason. */
enum proxyarp_reason {
	PROXYARP_R_ANSWER = 0,
	PROXYARP_R_SHORT,
	PROXYARP_R_BAD_HTYPE,
	PROXYARP_R_BAD_PTYPE,
	PROXYARP_R_BAD_HLEN,
	PROXYARP_R_BAD_PLEN,
	PROXYARP_R_BAD_OP,
	PROXYARP_R_GRATUITOUS,	/* sender IP == target IP: an announcement */
	PROXYARP_R_OWN_MAC,
	PROXYARP_R_NOT_OURS,	/* no proxy VIP with that address here */
	PROXYARP_R_BACKUP,	/* ours, but the device's VHID is not MASTER */
	PROXYARP_R_MAX
};

/* One device with proxy-ARP VIPs, as the engine configured it. */
struct proxyarp_if {
	int		 pi_ifindex;
	uint8_t		 pi_mac[ETH_ALEN];	/* the device's own MAC */
	uint8_t		 pi_vhid;		/* its lowest VHID, 0 none */
	struct in_addr	*pi_addrs;		/* owned by the engine */
	size_t		 pi_naddrs;
};

/*
 * A packet socket for ARP requests on every device; a BPF filter keeps
 * Ethernet/IPv4 requests only. The descriptor, or -1 (logged).
 */
int	proxyarp_socket(void);
/*
 * Reads one received frame into buf: its length, 0 when nothing (or only
 * our own frames) was pending, -1 on error. *bcast: sent to broadcast.
 */
ssize_t	proxyarp_recv(int fd, uint8_t *buf, size_t len, int *ifindex,
	    int *bcast);
/*
 * Decides on frame f received on pi's device. With pi_vhid the device
 * answers only while master, with the virtual MAC; without, always, with
 * pi_mac. On PROXYARP_R_ANSWER reply holds the frame to send.
 */
enum proxyarp_reason proxyarp_input(const uint8_t *f, size_t len,
	    const struct proxyarp_if *pi, int master,
	    uint8_t reply[PROXYARP_FRAME_LEN]);
/* An ARP frame: Ethernet to dst, from sha; op 1 request, 2 reply. */
void	proxyarp_frame(uint8_t f[PROXYARP_FRAME_LEN], uint16_t op,
	    const uint8_t dst[ETH_ALEN], const uint8_t sha[ETH_ALEN],
	    struct in_addr spa, const uint8_t tha[ETH_ALEN],
	    struct in_addr tpa);
/* 00:00:5e:00:01:<vhid>, the VRRP/CARP virtual MAC. */
void	proxyarp_vmac(uint8_t vhid, uint8_t mac[ETH_ALEN]);
/* A short name for the status counters ("answered", "not_ours", ...). */
const char *proxyarp_reason_name(enum proxyarp_reason);

#endif
