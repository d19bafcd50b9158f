/*
 * carp/engine_linux.c — the engine's hands on Linux: device names to
 * indexes, the virtual-MAC macvlan of each VHID (created at configure
 * time, DOWN until MASTER), its VIPs, gratuitous ARP, multicast
 * membership, and the plain IP aliases and proxy-ARP entries.
 *
 * XXX IPv6 VIPs are advertised and installed, but no unsolicited
 * neighbour advertisement is sent on becoming MASTER yet.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "carp/engine_int.h"
#include "carp/linux.h"
#include "log.h"
#include "util.h"

#define ENG_JOIN_MAX	64

/* Multicast memberships taken (ifindex, family); never dropped. */
static struct {
	int	j_ifindex;
	int	j_af;
}		eng_joined[ENG_JOIN_MAX];
static size_t	eng_njoined;

int
eng_linux_init(int *fd4, int *fd6, int *fdlink, int *fdpkt)
{
	eng_njoined = 0;
	*fd4 = *fd6 = *fdlink = *fdpkt = -1;
	/* The raw sockets send; the packet socket receives (linux.h). */
	if ((*fd4 = carp_linux_socket(AF_INET)) == -1 ||
	    carp_linux_rx_off(*fd4) == -1)
		goto err;
	/* A host without IPv6 still runs IPv4 CARP. */
	if ((*fd6 = carp_linux_socket(AF_INET6)) == -1)
		log_warnx("carp: no IPv6 socket: IPv6 VIPs will not work");
	else if (carp_linux_rx_off(*fd6) == -1)
		goto err;
	if ((*fdlink = carp_linux_link_socket()) == -1 ||
	    (*fdpkt = carp_linux_packet_socket()) == -1)
		goto err;
	return 0;
err:
	if (*fd4 != -1)
		close(*fd4);
	if (*fd6 != -1)
		close(*fd6);
	if (*fdlink != -1)
		close(*fdlink);
	*fd4 = *fd6 = *fdlink = *fdpkt = -1;
	log_warnx("carp: cannot open the CARP sockets (root, or "
	    "CAP_NET_RAW and CAP_NET_ADMIN, is needed)");
	return -1;
}

void
eng_linux_shutdown(void)
{
	eng_njoined = 0;
}

/* ifindex of a VIP's device; 0, or -1 with err. */
static int
eng_linux_ifindex(const struct eng_vip *vp, int *ifindex, char *err,
    size_t errlen)
{
	if (vp->vp_device[0] == '\0') {
		snprintf(err, errlen, "VIP %s: interface %s has no device "
		    "assigned", vp->vp_subnet, vp->vp_iface);
		return -1;
	}
	if ((*ifindex = (int)if_nametoindex(vp->vp_device)) == 0) {
		snprintf(err, errlen, "VIP %s: device %s of interface %s does "
		    "not exist", vp->vp_subnet, vp->vp_device, vp->vp_iface);
		return -1;
	}
	return 0;
}

/* The first IPv6 link-local address of device; 0 or -1. */
static int
eng_linux_ll6(const char *device, struct carp_addr *a)
{
	struct ifaddrs		*ifa, *p;
	struct sockaddr_in6	*s6;
	int			 ret = -1;

	if (getifaddrs(&ifa) == -1)
		return -1;
	for (p = ifa; p != NULL; p = p->ifa_next) {
		if (p->ifa_addr == NULL || p->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(p->ifa_name, device) != 0)
			continue;
		s6 = (struct sockaddr_in6 *)p->ifa_addr;
		if (!IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			continue;
		memset(a, 0, sizeof(*a));
		a->ca_af = AF_INET6;
		a->ca_u.v6 = s6->sin6_addr;
		ret = 0;
		break;
	}
	freeifaddrs(ifa);
	return ret;
}

int
eng_linux_resolve(struct eng_vhid *ev, char *err, size_t errlen)
{
	size_t	i;
	int	idx;

	if (eng_linux_ifindex(&ev->ev_vips[0], &idx, err, errlen) == -1)
		return -1;
	ev->ev_ifindex = idx;
	for (i = 0; i < ev->ev_nvips; i++)
		ev->ev_vips[i].vp_ifindex = idx;
	/* FreeBSD sends IPv6 adverts from the link-local address. */
	if (ev->ev_af == AF_INET6 &&
	    eng_linux_ll6(ev->ev_device, &ev->ev_src) == -1) {
		snprintf(err, errlen, "CARP VIP %s (vhid %d): %s has no IPv6 "
		    "link-local address", ev->ev_vips[0].vp_subnet, ev->ev_vhid,
		    ev->ev_device);
		return -1;
	}
	return 0;
}

int
eng_linux_resolve_plain(struct eng_vip *vp, char *err, size_t errlen)
{
	return eng_linux_ifindex(vp, &vp->vp_ifindex, err, errlen);
}

static int
eng_linux_join(int fd, int af, int ifindex)
{
	size_t i;

	if (fd == -1)
		return -1;
	for (i = 0; i < eng_njoined; i++)
		if (eng_joined[i].j_ifindex == ifindex &&
		    eng_joined[i].j_af == af)
			return 0;
	if (carp_linux_join(fd, af, ifindex) == -1)
		return -1;
	if (eng_njoined < ENG_JOIN_MAX) {
		eng_joined[eng_njoined].j_ifindex = ifindex;
		eng_joined[eng_njoined++].j_af = af;
	}
	return 0;
}

int
eng_linux_vhid_add(struct eng_vhid *ev, int fd4, int fd6)
{
	int ret = 0;

	if (carp_linux_vmac_create(ev->ev_ifindex, ev->ev_vhid,
	    ev->ev_vmacname, &ev->ev_vmac) == -1) {
		ev->ev_vmac = 0;
		ret = -1;
	}
	/*
	 * "only with arp_ignore=1 and arp_announce=2 on the firewall":
	 * otherwise the parent answers ARP for the VIP with its own MAC.
	 */
	if (carp_linux_arp_sysctls(ev->ev_device) == -1 ||
	    (ev->ev_vmac && (carp_linux_arp_sysctls(ev->ev_vmacname) == -1 ||
	    carp_linux_vmac_quiet(ev->ev_vmacname,
	    ev->ev_vconf.vc_nvip6 > 0) == -1)))
		ret = -1;
	if (eng_linux_join(ev->ev_af == AF_INET ? fd4 : fd6, ev->ev_af,
	    ev->ev_ifindex) == -1)
		ret = -1;
	return ret;
}

void
eng_linux_vhid_del(struct eng_vhid *ev)
{
	if (ev->ev_up)
		eng_linux_vip_down(ev);
	if (ev->ev_vmac)
		(void)carp_linux_vmac_delete(ev->ev_vmac);
	ev->ev_vmac = 0;
}

int
eng_linux_send(struct eng_vhid *ev, int fd, const uint8_t *carp)
{
	struct carp_addr	dst;
	const struct carp_addr	*peer;

	if (fd == -1)
		return -1;
	peer = ev->ev_af == AF_INET ? &ev->ev_vconf.vc_peer4 :
	    &ev->ev_vconf.vc_peer6;
	if (peer->ca_af != 0)
		dst = *peer;		/* unicast CARP (FreeBSD 14 "peer") */
	else {
		memset(&dst, 0, sizeof(dst));
		dst.ca_af = ev->ev_af;
		inet_pton(ev->ev_af, ev->ev_af == AF_INET ? CARP_GROUP4 :
		    CARP_GROUP6, &dst.ca_u);
	}
	/* From the virtual MAC when MASTER, as FreeBSD does in mcast mode. */
	return carp_linux_send(fd, ev->ev_up && ev->ev_vmac ? ev->ev_vmac :
	    ev->ev_ifindex, &ev->ev_src, &dst, carp);
}

void
eng_linux_vip_up(struct eng_vhid *ev)
{
	int	idx = ev->ev_vmac ? ev->ev_vmac : ev->ev_ifindex;
	size_t	i;

	if (ev->ev_vmac)
		(void)carp_linux_link_set_up(ev->ev_vmac, 1);
	for (i = 0; i < ev->ev_nvips; i++)
		(void)carp_linux_addr(idx, &ev->ev_vips[i].vp_addr,
		    ev->ev_vips[i].vp_bits, 1);
	ev->ev_up = 1;
}

void
eng_linux_vip_down(struct eng_vhid *ev)
{
	int	idx = ev->ev_vmac ? ev->ev_vmac : ev->ev_ifindex;
	size_t	i;

	/*
	 * A BACKUP must not accept frames for the virtual MAC. The device
	 * goes down first: removing an IPv6 VIP from a live device sends an
	 * MLD report from the virtual MAC, which a switch would learn on
	 * this port after the new master's announcement.
	 */
	if (ev->ev_vmac)
		(void)carp_linux_link_set_up(ev->ev_vmac, 0);
	for (i = 0; i < ev->ev_nvips; i++)
		(void)carp_linux_addr(idx, &ev->ev_vips[i].vp_addr,
		    ev->ev_vips[i].vp_bits, 0);
	ev->ev_up = 0;
}

void
eng_linux_garp(struct eng_vhid *ev)
{
	size_t i;

	for (i = 0; i < ev->ev_vconf.vc_nvip4; i++)
		(void)carp_linux_garp(ev->ev_vmac ? ev->ev_vmac :
		    ev->ev_ifindex, ev->ev_vhid, ev->ev_vconf.vc_vip4[i]);
	for (i = 0; i < ev->ev_vconf.vc_nvip6; i++)
		(void)carp_linux_una(ev->ev_vmac ? ev->ev_vmac :
		    ev->ev_ifindex, ev->ev_vhid, &ev->ev_vconf.vc_vip6[i]);
}

void
eng_linux_plain(struct eng_vip *vp, int add)
{
	int rc;

	if (strcmp(vp->vp_mode, "proxyarp") == 0)
		rc = carp_linux_neigh_proxy(vp->vp_ifindex, &vp->vp_addr, add);
	else
		rc = carp_linux_addr(vp->vp_ifindex, &vp->vp_addr, vp->vp_bits,
		    add);
	vp->vp_installed = add && rc == 0;
	if (rc == 0)
		log_info("carp: %s %s %s/%d on %s", add ? "added" : "removed",
		    vp->vp_mode, vp->vp_subnet, vp->vp_bits, vp->vp_device);
}
