/*
 * carp/engine_linux.c — the engine's hands on Linux: device names to
 * indexes, the virtual-MAC macvlan of each VHID (created at configure
 * time, DOWN until MASTER), its VIPs, gratuitous ARP / unsolicited NA,
 * multicast membership, and the plain IP aliases and proxy-ARP VIPs.
 *
 * Proxy-ARP VIPs: IPv4 ones are answered by the engine's responder
 * (proxyarp.h), IPv6 ones by a kernel NDP proxy entry. A VIP whose
 * interface carries CARP is answered only by the MASTER of its lowest
 * VHID (vp_gov), with the virtual MAC: its IPv6 entry sits on the
 * VHID's macvlan while MASTER, and it is announced on every takeover,
 * so it moves with the CARP VIPs instead of being answered by both
 * nodes. Without CARP it is always answered, with the device's MAC.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine_int.h"
#include "linux.h"
#include "proxyarp.h"
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
	if (eng_linux_ifindex(vp, &vp->vp_ifindex, err, errlen) == -1)
		return -1;
	if (strcmp(vp->vp_mode, "proxyarp") == 0 &&
	    carp_linux_hwaddr(vp->vp_ifindex, vp->vp_mac) == -1) {
		snprintf(err, errlen, "proxy ARP VIP %s: device %s has no "
		    "Ethernet address", vp->vp_subnet, vp->vp_device);
		return -1;
	}
	return 0;
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

/* The device a governed proxy VIP is answered on: the VHID's macvlan. */
static int
eng_linux_gov_dev(const struct eng_vhid *ev, const char **name)
{
	*name = ev->ev_vmac ? ev->ev_vmacname : ev->ev_device;
	return ev->ev_vmac ? ev->ev_vmac : ev->ev_ifindex;
}

/*
 * An IPv6 proxy VIP's kernel entry on ifindex (name). A VHID's macvlan
 * without IPv6 VIPs of its own has IPv6 off (carp_linux_vmac_quiet):
 * on again, still quiet. 0 or -1.
 */
static int
eng_linux_ndp_proxy(struct eng_vip *vp, int ifindex, const char *name)
{
	if ((strncmp(name, CARP_VMAC_PREFIX, strlen(CARP_VMAC_PREFIX)) == 0 &&
	    carp_linux_vmac_quiet(name, 1) == -1) ||
	    carp_linux_ndp_sysctls(name) == -1 ||
	    carp_linux_neigh_proxy(ifindex, &vp->vp_addr, 1) == -1)
		return -1;
	vp->vp_pdev = ifindex;
	return 0;
}

static void
eng_linux_ndp_unproxy(struct eng_vip *vp)
{
	if (vp->vp_pdev)
		(void)carp_linux_neigh_proxy(vp->vp_pdev, &vp->vp_addr, 0);
	vp->vp_pdev = 0;
}

/* Gratuitous ARP / unsolicited NA for a proxy VIP from mac. */
static void
eng_linux_announce(const struct eng_vip *vp, int ifindex,
    const uint8_t mac[ETH_ALEN])
{
	if (vp->vp_addr.ca_af == AF_INET)
		(void)carp_linux_garp(ifindex, mac, vp->vp_addr.ca_u.v4);
	else
		(void)carp_linux_una(ifindex, mac, &vp->vp_addr.ca_u.v6);
}

/* The installed proxy VIPs ev governs, one by one (NULL at the end). */
static struct eng_vip *
eng_linux_governed(const struct eng_vhid *ev, size_t *i)
{
	struct eng_vip *vp;

	while (eng.e_conf != NULL && *i < eng.e_conf->cf_nplain) {
		vp = &eng.e_conf->cf_plain[(*i)++];
		if (vp->vp_installed && vp->vp_gov == ev->ev_vhid &&
		    strcmp(vp->vp_mode, "proxyarp") == 0)
			return vp;
	}
	return NULL;
}

void
eng_linux_vip_up(struct eng_vhid *ev)
{
	struct eng_vip	*vp;
	const char	*name;
	size_t		 i;
	int		 idx = eng_linux_gov_dev(ev, &name);

	if (ev->ev_vmac)
		(void)carp_linux_link_set_up(ev->ev_vmac, 1);
	for (i = 0; i < ev->ev_nvips; i++)
		(void)carp_linux_addr(idx, &ev->ev_vips[i].vp_addr,
		    ev->ev_vips[i].vp_bits, 1);
	ev->ev_up = 1;
	/* Once UP: the kernel flushes a device's proxy entries on DOWN. */
	for (i = 0; (vp = eng_linux_governed(ev, &i)) != NULL; )
		if (vp->vp_addr.ca_af == AF_INET6)
			(void)eng_linux_ndp_proxy(vp, idx, name);
}

void
eng_linux_vip_down(struct eng_vhid *ev)
{
	int		 idx = ev->ev_vmac ? ev->ev_vmac : ev->ev_ifindex;
	struct eng_vip	*vp;
	size_t		 i;

	/*
	 * A BACKUP must not accept frames for the virtual MAC. The device
	 * goes down first: removing an IPv6 VIP from a live device sends an
	 * MLD report from the virtual MAC, which a switch would learn on
	 * this port after the new master's announcement.
	 */
	if (ev->ev_vmac)
		(void)carp_linux_link_set_up(ev->ev_vmac, 0);
	for (i = 0; (vp = eng_linux_governed(ev, &i)) != NULL; )
		eng_linux_ndp_unproxy(vp);
	for (i = 0; i < ev->ev_nvips; i++)
		(void)carp_linux_addr(idx, &ev->ev_vips[i].vp_addr,
		    ev->ev_vips[i].vp_bits, 0);
	ev->ev_up = 0;
}

void
eng_linux_garp(struct eng_vhid *ev)
{
	uint8_t		 mac[ETH_ALEN];
	struct eng_vip	*vp;
	const char	*name;
	size_t		 i;
	int		 idx = eng_linux_gov_dev(ev, &name);

	proxyarp_vmac(ev->ev_vhid, mac);
	for (i = 0; i < ev->ev_vconf.vc_nvip4; i++)
		(void)carp_linux_garp(idx, mac, ev->ev_vconf.vc_vip4[i]);
	for (i = 0; i < ev->ev_vconf.vc_nvip6; i++)
		(void)carp_linux_una(idx, mac, &ev->ev_vconf.vc_vip6[i]);
	/* Proxy VIPs move with the VHID: neighbours must learn it too. */
	for (i = 0; (vp = eng_linux_governed(ev, &i)) != NULL; )
		eng_linux_announce(vp, idx, mac);
}

void
eng_linux_plain(struct eng_vip *vp, const struct eng_vhid *gov, int add)
{
	uint8_t		 mac[ETH_ALEN];
	const char	*name = vp->vp_device;
	int		 rc = 0, idx = vp->vp_ifindex;

	if (strcmp(vp->vp_mode, "proxyarp") != 0)
		rc = carp_linux_addr(vp->vp_ifindex, &vp->vp_addr, vp->vp_bits,
		    add);
	else if (!add)
		eng_linux_ndp_unproxy(vp);
	else if (gov == NULL || gov->ev_up) {
		/* In force now: announced, as a takeover would. */
		memcpy(mac, vp->vp_mac, ETH_ALEN);
		if (gov != NULL) {
			idx = eng_linux_gov_dev(gov, &name);
			proxyarp_vmac(gov->ev_vhid, mac);
		}
		if (vp->vp_addr.ca_af == AF_INET6)
			rc = eng_linux_ndp_proxy(vp, idx, name);
		if (rc == 0)
			eng_linux_announce(vp, idx, mac);
	}
	/* A governed VIP of a BACKUP waits for eng_linux_vip_up(). */
	vp->vp_installed = add && rc == 0;
	if (rc == 0)
		log_info("carp: %s %s %s/%d on %s", add ? "added" : "removed",
		    vp->vp_mode, vp->vp_subnet, vp->vp_bits, vp->vp_device);
}
