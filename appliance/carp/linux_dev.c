/*
 * carp/linux_dev.c — the devices of the CARP engine on Linux, over
 * rtnetlink: the virtual-MAC macvlan and its state, VIP addresses,
 * neighbour proxy entries, the per-device sysctls, and link state (a
 * subscription and the carrier poll). Messages are built with the
 * netlink layer (netlink/nl.h) from <linux/rtnetlink.h>; each change is
 * sent on a fresh NETLINK_ROUTE socket and its ACK awaited.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/if.h>		/* IFF_LOWER_UP; after <net/if.h> */
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "linux.h"
#include "log.h"
#include "nl.h"
#include "util.h"

/*
 * Sends one request on a NETLINK_ROUTE socket of its own and waits for
 * its ACK, so calls are independent. -1 with errno the kernel's reason.
 */
static int
carp_dev_talk(struct nl_msg *m)
{
	int r;

	if ((r = nl_talk_once(NETLINK_ROUTE, m, NULL, NULL)) < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

int
carp_linux_link_set_up(int ifindex, int up)
{
	struct nl_msg		m;
	struct ifinfomsg	ifi;

	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	ifi.ifi_flags = up ? IFF_UP : 0;
	ifi.ifi_change = IFF_UP;
	nl_msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (carp_dev_talk(&m) == -1) {
		log_warn("carp: set ifindex %d %s", ifindex,
		    up ? "up" : "down");
		return -1;
	}
	return 0;
}

int
carp_linux_vmac_delete(int ifindex)
{
	struct nl_msg		m;
	struct ifinfomsg	ifi;

	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	nl_msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	if (carp_dev_talk(&m) == -1 && errno != ENODEV) {
		log_warn("carp: delete ifindex %d", ifindex);
		return -1;
	}
	return 0;
}

/*
 * Creates twc<vhid> on the parent with the VRRP/CARP virtual MAC
 * 00:00:5e:00:01:<vhid>, mode private, left DOWN. A leftover device of
 * the same name (a previous run) is replaced.
 */
int
carp_linux_vmac_create(int parent_ifindex, uint8_t vhid,
    char name[IFNAMSIZ], int *ifindex)
{
	struct nl_msg		 m;
	struct ifinfomsg	 ifi;
	uint8_t			 mac[ETH_ALEN] = { 0x00, 0x00, 0x5e, 0x00, 0x01,
				    vhid };
	unsigned int		 old;
	int			 try, li, data;

	snprintf(name, IFNAMSIZ, CARP_VMAC_PREFIX "%u", vhid);
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	for (try = 0; try < 2; try++) {
		nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi,
		    sizeof(ifi));
		/* A few dozen bytes in an NL_MSGMAX buffer: cannot fail. */
		if (nl_put(&m, IFLA_IFNAME, name, strlen(name) + 1) < 0 ||
		    nl_put_u32(&m, IFLA_LINK, (uint32_t)parent_ifindex) < 0 ||
		    nl_put(&m, IFLA_ADDRESS, mac, sizeof(mac)) < 0 ||
		    (li = nl_nest_begin(&m, IFLA_LINKINFO)) < 0 ||
		    nl_put(&m, IFLA_INFO_KIND, "macvlan", 8) < 0 ||
		    (data = nl_nest_begin(&m, IFLA_INFO_DATA)) < 0 ||
		    nl_put_u32(&m, IFLA_MACVLAN_MODE,
		    MACVLAN_MODE_PRIVATE) < 0)
			fatalx("carp: netlink request too large");
		nl_nest_end(&m, data);
		nl_nest_end(&m, li);
		if (carp_dev_talk(&m) == 0)
			break;
		if (errno != EEXIST || try > 0 ||
		    (old = if_nametoindex(name)) == 0 ||
		    carp_linux_vmac_delete((int)old) == -1) {
			log_warn("carp: create macvlan %s", name);
			return -1;
		}
	}
	if ((*ifindex = (int)if_nametoindex(name)) == 0) {
		log_warn("carp: %s vanished", name);
		return -1;
	}
	return 0;
}

/*
 * Adds or removes a VIP. IPv4 VIPs get no prefix route (the parent's
 * connected route already covers the subnet); IPv6 ones skip DAD so the
 * address works the moment we are MASTER.
 */
int
carp_linux_addr(int ifindex, const struct carp_addr *a, int prefixlen,
    int add)
{
	struct nl_msg		m;
	struct ifaddrmsg	ifa;
	size_t			alen = a->ca_af == AF_INET ? 4 : 16;
	uint32_t		flags = IFA_F_NOPREFIXROUTE;
	char			s[INET6_ADDRSTRLEN];

	if (a->ca_af == AF_INET6)
		flags |= IFA_F_NODAD;
	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = (uint8_t)a->ca_af;
	ifa.ifa_prefixlen = (uint8_t)prefixlen;
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	ifa.ifa_index = (uint32_t)ifindex;
	nl_msg_init(&m, add ? RTM_NEWADDR : RTM_DELADDR,
	    add ? NLM_F_CREATE | NLM_F_REPLACE : 0, &ifa, sizeof(ifa));
	if (nl_put(&m, IFA_LOCAL, &a->ca_u, alen) < 0 ||
	    nl_put(&m, IFA_ADDRESS, &a->ca_u, alen) < 0 ||
	    (add && nl_put_u32(&m, IFA_FLAGS, flags) < 0))
		fatalx("carp: netlink request too large");
	if (carp_dev_talk(&m) == -1 &&
	    (add || (errno != EADDRNOTAVAIL && errno != ENODEV))) {
		log_warn("carp: %s VIP %s/%d on ifindex %d",
		    add ? "add" : "delete",
		    carp_proto_addr_str(a, s, sizeof(s)), prefixlen, ifindex);
		return -1;
	}
	return 0;
}

int
carp_linux_neigh_proxy(int ifindex, const struct carp_addr *a, int add)
{
	struct nl_msg	m;
	struct ndmsg	nd;
	char		s[INET6_ADDRSTRLEN];

	memset(&nd, 0, sizeof(nd));
	nd.ndm_family = (uint8_t)a->ca_af;
	nd.ndm_ifindex = ifindex;
	nd.ndm_state = NUD_PERMANENT;
	nd.ndm_flags = NTF_PROXY;
	nl_msg_init(&m, add ? RTM_NEWNEIGH : RTM_DELNEIGH,
	    add ? NLM_F_CREATE | NLM_F_REPLACE : 0, &nd, sizeof(nd));
	if (nl_put(&m, NDA_DST, &a->ca_u, a->ca_af == AF_INET ? 4 : 16) < 0)
		fatalx("carp: netlink request too large");
	if (carp_dev_talk(&m) == -1 &&
	    (add || (errno != ENOENT && errno != ENODEV))) {
		log_warn("carp: %s proxy entry %s on ifindex %d",
		    add ? "add" : "delete",
		    carp_proto_addr_str(a, s, sizeof(s)), ifindex);
		return -1;
	}
	return 0;
}

/* Writes /proc/sys/net/<fam>/conf/<ifname>/<key>. */
static int
carp_linux_sysctl(const char *fam, const char *ifname, const char *key,
    const char *val)
{
	char	path[128];
	int	fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", fam,
	    ifname, key);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		log_warn("carp: write %s", path);
		ret = -1;
	}
	if (fd != -1)
		close(fd);
	return ret;
}

/*
 * Without arp_ignore=1 the parent answers ARP for the VIP with its own
 * MAC and neighbours cache the wrong address (seen in a namespace);
 * arp_announce=2 keeps the VIP out of ARP requests sent by the parent.
 */
int
carp_linux_arp_sysctls(const char *ifname)
{
	if (carp_linux_sysctl("ipv4", ifname, "arp_ignore", "1\n") == -1 ||
	    carp_linux_sysctl("ipv4", ifname, "arp_announce", "2\n") == -1)
		return -1;
	return 0;
}

/*
 * A virtual-MAC device must send only what the engine sends. Left to
 * itself, IPv6 on it sends DAD, router solicitations and MLD reports
 * from the virtual MAC for seconds after it comes up; one of them from
 * the old master after the new master's gratuitous ARP moves the
 * switch's entry for the virtual MAC back to the old port, where the
 * MAC is about to go away (seen: 0.6 s of lost replies). A VHID without
 * IPv6 VIPs gets no IPv6 at all; one with gets no link-local address (its
 * adverts leave from the parent's) and sends no solicitations.
 */
int
carp_linux_vmac_quiet(const char *ifname, int ipv6)
{
	if (!ipv6)
		return carp_linux_sysctl("ipv6", ifname, "disable_ipv6", "1\n");
	/* In this order: IPv6 comes (back) on without a link-local. */
	if (carp_linux_sysctl("ipv6", ifname, "addr_gen_mode", "1\n") == -1 ||
	    carp_linux_sysctl("ipv6", ifname, "accept_ra", "0\n") == -1 ||
	    carp_linux_sysctl("ipv6", ifname, "router_solicitations",
	    "0\n") == -1 ||
	    carp_linux_sysctl("ipv6", ifname, "disable_ipv6", "0\n") == -1)
		return -1;
	return 0;
}

/*
 * ndisc_recv_ns answers a proxy entry only where the receiving device
 * forwards and has proxy_ndp ("cnf.forwarding && proxy_ndp &&
 * pndisc_is_router(target, dev) >= 0"); it looks at no route, so targets
 * in the device's own prefix are answered (tried in a namespace).
 */
int
carp_linux_ndp_sysctls(const char *ifname)
{
	if (carp_linux_sysctl("ipv6", ifname, "proxy_ndp", "1\n") == -1 ||
	    carp_linux_sysctl("ipv6", ifname, "forwarding", "1\n") == -1)
		return -1;
	return 0;
}

int
carp_linux_link_socket(void)
{
	int fd;

	if ((fd = nl_subscribe(NETLINK_ROUTE, RTMGRP_LINK)) < 0) {
		errno = -fd;
		log_warn("carp: rtnetlink link socket");
		return -1;
	}
	return fd;
}

/*
 * Drains the link socket; cb gets (ifindex, up) for every link message.
 * "Up" is IFF_UP and IFF_LOWER_UP (carrier), as carp_linux_link_state()
 * reads it.
 * Returns 0, or -1 on a socket error (ENOBUFS: events were lost, the
 * caller should re-read every link with carp_linux_link_state()).
 */
int
carp_linux_link_read(int fd, carp_link_cb cb, void *arg)
{
	uint8_t			 buf[8192];
	struct nlmsghdr		*nh;
	struct ifinfomsg	*ifi;
	ssize_t			 n;
	int			 up;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR)
				continue;
			log_warn("carp: rtnetlink read");
			return -1;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		    nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type != RTM_NEWLINK &&
			    nh->nlmsg_type != RTM_DELLINK)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			ifi = NLMSG_DATA(nh);
			up = nh->nlmsg_type == RTM_NEWLINK &&
			    (ifi->ifi_flags & IFF_UP) &&
			    (ifi->ifi_flags & IFF_LOWER_UP);
			cb(arg, ifi->ifi_index, up);
		}
	}
}

/*
 * IFF_LOWER_UP is the carrier at the moment of the request. The kernel's
 * link notifications (and IFF_RUNNING) wait for linkwatch, which runs a
 * non-urgent carrier change (a physical NIC, or a veth whose peer has the
 * same index) at most once a second: any other link event on the host in
 * the second before delays a cable pull by up to 1 s. So the engine polls
 * this, and one kept-open socket serves every poll.
 */
static int
carp_dev_link_cb(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg	*ifi = NLMSG_DATA(h);
	int			*up = arg;

	if (h->nlmsg_type == RTM_NEWLINK &&
	    h->nlmsg_len >= NLMSG_LENGTH(sizeof(*ifi)))
		*up = (ifi->ifi_flags & IFF_UP) &&
		    (ifi->ifi_flags & IFF_LOWER_UP);
	return 0;
}

int
carp_linux_link_state(int ifindex)
{
	static int		 fd = -1;
	struct timeval		 tv = { 0, 200000 };
	struct nl_msg		 m;
	struct ifinfomsg	 ifi;
	int			 r, up = -1;

	if (fd == -1) {
		if ((fd = nl_open(NETLINK_ROUTE)) < 0) {
			fd = -1;
			return -1;
		}
		/* A kernel that never answers must not stall the parent. */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = ifindex;
	nl_msg_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	if ((r = nl_talk(fd, &m, carp_dev_link_cb, &up)) == 0)
		return up;
	/*
	 * The kernel's answer (no such link) leaves the socket usable; a
	 * timed-out one may still come: start afresh next time.
	 */
	if (r != -ENODEV) {
		nl_close(fd);
		fd = -1;
	}
	return -1;
}
