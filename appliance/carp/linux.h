/*
 * carp/linux.h — the Linux side of the CARP engine: raw IP protocol 112
 * sockets, the virtual-MAC macvlan that carries a VHID's VIPs, gratuitous
 * ARP, and link state from rtnetlink. Hand-rolled rtnetlink, no libmnl.
 *
 * Packets are linux.c's, devices and link state linux_dev.c's.
 *
 * Every function returns 0 (or a descriptor / length) on success and -1
 * after logging why. Needs CAP_NET_RAW and CAP_NET_ADMIN.
 *
 * The macvlan ("twc<vhid>", 00:00:5e:00:01:<vhid>, mode private) is kept
 * DOWN while the VHID is not MASTER: a BACKUP must not accept frames for
 * the virtual MAC, or a flooding switch makes both nodes forward them
 * (duplicate packets, one copy from each node).
 */
#ifndef TW_CARP_LINUX_H
#define TW_CARP_LINUX_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#include "render.h"

#define CARP_VMAC_PREFIX	TW_VMAC_PREFIX	/* render/render.h: rules match it */

/* Raw sockets for adverts. af is AF_INET or AF_INET6. */
int	carp_linux_socket(int af);
int	carp_linux_join(int fd, int af, int ifindex);
/*
 * Sends the 36 CARP bytes out of ifindex (the VHID's macvlan when
 * MASTER, so the frame carries the virtual MAC) from src to dst; the
 * kernel adds the IP header with TTL/hop limit 255.
 */
int	carp_linux_send(int fd, int ifindex, const struct carp_addr *src,
	    const struct carp_addr *dst, const uint8_t carp[CARP_HDR_LEN]);
/*
 * Receiving on Linux goes through a packet socket (ETH_P_ALL, a BPF
 * filter keeps IPv4/IPv6 protocol 112 only): taps see a frame before the
 * macvlan rx handler, which hands frames whose source is our own virtual
 * MAC (the other MASTER's adverts, during a dual-master moment) to the
 * macvlan, where the IP layer and the ruleset would drop them and two
 * masters would never hear each other. carp_linux_rx_off() stops the raw
 * sockets, used for sending only, from queueing the same packets.
 */
int	carp_linux_packet_socket(void);
/*
 * A non-blocking packet socket for proto with the classic BPF program
 * code (len instructions) attached; what names it in the log. fd or -1.
 */
struct sock_filter;
int	carp_linux_bpf_socket(uint16_t proto, struct sock_filter *code,
	    size_t len, const char *what);
int	carp_linux_rx_off(int fd);
/*
 * Reads one received frame's IP packet (IPv4 or IPv6 header + CARP)
 * into buf; *ifindex is the device it arrived on, *af its family.
 * Returns the length, 0 when nothing (or only our own frames) was
 * pending, -1 on error.
 */
ssize_t	carp_linux_packet_recv(int fd, uint8_t *buf, size_t len, int *ifindex,
	    int *af);

/* The virtual-MAC device. name receives "twc<vhid>" (IFNAMSIZ). */
int	carp_linux_vmac_create(int parent_ifindex, uint8_t vhid,
	    char name[IFNAMSIZ], int *ifindex);
int	carp_linux_vmac_delete(int ifindex);
int	carp_linux_link_set_up(int ifindex, int up);
int	carp_linux_addr(int ifindex, const struct carp_addr *, int prefixlen,
	    int add);
/* arp_ignore=1, arp_announce=2 on ifname (keepalived use_vmac does too). */
int	carp_linux_arp_sysctls(const char *ifname);
/* proxy_ndp=1 and forwarding=1 on ifname: the kernel's NDP proxy needs both. */
int	carp_linux_ndp_sysctls(const char *ifname);
/*
 * Keeps the kernel from sending on its own from a virtual-MAC device:
 * no IPv6 when the VHID has no IPv6 VIP (ipv6 0), else no link-local
 * address and no router solicitations. Call before the device is up.
 */
int	carp_linux_vmac_quiet(const char *ifname, int ipv6);
/*
 * Proxy NDP for an IPv6 addr on ifindex: a neighbour proxy entry
 * (ip neigh add proxy ADDR dev IF). Not for IPv4: Linux answers those
 * only for targets routed out of another device (proxyarp.h).
 */
int	carp_linux_neigh_proxy(int ifindex, const struct carp_addr *, int add);
/* The Ethernet address of ifindex. */
int	carp_linux_hwaddr(int ifindex, uint8_t mac[6]);
/*
 * Sends a whole Ethernet frame of protocol proto (destination MAC first)
 * out of ifindex, through one kept-open packet socket.
 */
int	carp_linux_frame_send(int ifindex, uint16_t proto, const uint8_t *f,
	    size_t len);
/* Gratuitous ARP request for vip from mac (the vMAC), out of ifindex. */
int	carp_linux_garp(int ifindex, const uint8_t mac[6], struct in_addr vip);
/* An unsolicited Neighbor Advertisement for an IPv6 VIP from mac. */
int	carp_linux_una(int ifindex, const uint8_t mac[6],
	    const struct in6_addr *vip);

/* Link state: a socket subscribed to RTMGRP_LINK, and its reader. */
typedef void	(*carp_link_cb)(void *, int ifindex, int up);
int	carp_linux_link_socket(void);
int	carp_linux_link_read(int fd, carp_link_cb, void *);
/*
 * 1 if ifindex is up with carrier (IFF_LOWER_UP, read now, not when
 * linkwatch gets to it), 0 if not, -1 on error. Cheap enough to poll.
 */
int	carp_linux_link_state(int ifindex);

#endif
