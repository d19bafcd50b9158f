/*
 * carp/linux_dev.c — the devices of the CARP engine on Linux, over
 * rtnetlink: the virtual-MAC macvlan and its state, VIP addresses,
 * neighbour proxy entries, the per-device sysctls, and link state (a
 * subscription and the carrier poll). Messages are built by hand from
 * <linux/rtnetlink.h>; each change is sent on a fresh NETLINK_ROUTE
 * socket and its ACK awaited, so calls are independent.
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
#include "util.h"

struct nlreq {
	struct nlmsghdr	 nh;
	union {
		struct ifinfomsg	 ifi;
		struct ifaddrmsg	 ifa;
		struct ndmsg		 nd;
	} u;
	uint8_t		 attrs[512];
};

/* Appends an attribute to req; the buffer is sized for our requests. */
static struct rtattr *
nl_attr(struct nlreq *req, int type, const void *data, size_t len)
{
	uint8_t		*base = (uint8_t *)req;
	size_t		 off = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct rtattr	*rta;

	if (off + RTA_SPACE(len) > sizeof(*req))
		fatalx("carp: netlink request too large");
	rta = (struct rtattr *)(base + off);
	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(base + off + RTA_LENGTH(0), data, len);
	req->nh.nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return rta;
}

static void
nl_nest_end(struct nlreq *req, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((uint8_t *)req +
	    NLMSG_ALIGN(req->nh.nlmsg_len) - (uint8_t *)nest);
}

/* Sends one request and waits for its ACK; errno is the kernel's. */
static int
nl_talk(struct nlmsghdr *nh)
{
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	uint8_t			 buf[4096];
	struct nlmsghdr		*r;
	ssize_t			 n;
	int			 fd, ret = -1, err = EIO;

	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = 1;
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	if (sendto(fd, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		err = errno;
		goto err;
	}
	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto err;
		}
		for (r = (struct nlmsghdr *)buf; NLMSG_OK(r, (size_t)n);
		    r = NLMSG_NEXT(r, n)) {
			if (r->nlmsg_type != NLMSG_ERROR)
				continue;
			err = -((struct nlmsgerr *)NLMSG_DATA(r))->error;
			if (err == 0)
				ret = 0;
			goto err;
		}
	}
err:
	close(fd);
	errno = err;
	return ret;
}

int
carp_linux_link_set_up(int ifindex, int up)
{
	struct nlreq req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.u.ifi.ifi_family = AF_UNSPEC;
	req.u.ifi.ifi_index = ifindex;
	req.u.ifi.ifi_flags = up ? IFF_UP : 0;
	req.u.ifi.ifi_change = IFF_UP;
	if (nl_talk(&req.nh) == -1) {
		log_warn("carp: set ifindex %d %s", ifindex,
		    up ? "up" : "down");
		return -1;
	}
	return 0;
}

int
carp_linux_vmac_delete(int ifindex)
{
	struct nlreq req;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifi));
	req.nh.nlmsg_type = RTM_DELLINK;
	req.u.ifi.ifi_family = AF_UNSPEC;
	req.u.ifi.ifi_index = ifindex;
	if (nl_talk(&req.nh) == -1 && errno != ENODEV) {
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
	struct nlreq	 req;
	struct rtattr	*li, *data;
	uint8_t		 mac[ETH_ALEN] = { 0x00, 0x00, 0x5e, 0x00, 0x01, vhid };
	uint32_t	 link = (uint32_t)parent_ifindex;
	uint32_t	 mode = MACVLAN_MODE_PRIVATE;
	unsigned int	 old;
	int		 try;

	snprintf(name, IFNAMSIZ, CARP_VMAC_PREFIX "%u", vhid);
	for (try = 0; try < 2; try++) {
		memset(&req, 0, sizeof(req));
		req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifi));
		req.nh.nlmsg_type = RTM_NEWLINK;
		req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
		req.u.ifi.ifi_family = AF_UNSPEC;
		nl_attr(&req, IFLA_IFNAME, name,
		    strlen(name) + 1);
		nl_attr(&req, IFLA_LINK, &link, sizeof(link));
		nl_attr(&req, IFLA_ADDRESS, mac, sizeof(mac));
		li = nl_attr(&req, IFLA_LINKINFO, NULL, 0);
		nl_attr(&req, IFLA_INFO_KIND, "macvlan", 8);
		data = nl_attr(&req, IFLA_INFO_DATA, NULL, 0);
		nl_attr(&req, IFLA_MACVLAN_MODE, &mode,
		    sizeof(mode));
		nl_nest_end(&req, data);
		nl_nest_end(&req, li);
		if (nl_talk(&req.nh) == 0)
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
	struct nlreq	req;
	size_t		alen = a->ca_af == AF_INET ? 4 : 16;
	uint32_t	flags = IFA_F_NOPREFIXROUTE;
	char		s[INET6_ADDRSTRLEN];

	if (a->ca_af == AF_INET6)
		flags |= IFA_F_NODAD;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifa));
	req.nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	req.nh.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	req.u.ifa.ifa_family = (uint8_t)a->ca_af;
	req.u.ifa.ifa_prefixlen = (uint8_t)prefixlen;
	req.u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.u.ifa.ifa_index = (uint32_t)ifindex;
	nl_attr(&req, IFA_LOCAL, &a->ca_u, alen);
	nl_attr(&req, IFA_ADDRESS, &a->ca_u, alen);
	if (add)
		nl_attr(&req, IFA_FLAGS, &flags,
		    sizeof(flags));
	if (nl_talk(&req.nh) == -1 &&
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
	struct nlreq	req;
	char		s[INET6_ADDRSTRLEN];

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.nd));
	req.nh.nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	req.nh.nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	req.u.nd.ndm_family = (uint8_t)a->ca_af;
	req.u.nd.ndm_ifindex = ifindex;
	req.u.nd.ndm_state = NUD_PERMANENT;
	req.u.nd.ndm_flags = NTF_PROXY;
	nl_attr(&req, NDA_DST, &a->ca_u, a->ca_af == AF_INET ? 4 : 16);
	if (nl_talk(&req.nh) == -1 &&
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
 * MAC and neighbours cache the wrong address (reference §1, verified);
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
	struct sockaddr_nl	sa = { .nl_family = AF_NETLINK,
				    .nl_groups = RTMGRP_LINK };
	int			fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		log_warn("carp: rtnetlink link socket");
		if (fd != -1)
			close(fd);
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
int
carp_linux_link_state(int ifindex)
{
	static int		 fd = -1;
	static uint32_t		 seq;
	struct sockaddr_nl	 sa = { .nl_family = AF_NETLINK };
	struct timeval		 tv = { 0, 200000 };
	struct nlreq		 req;
	struct nlmsghdr		*r;
	struct ifinfomsg	*ifi;
	uint8_t			 buf[1024];	/* the header is enough */
	ssize_t			 n;

	if (fd == -1) {
		if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		    NETLINK_ROUTE)) == -1)
			return -1;
		/* A kernel that never answers must not stall the parent. */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.u.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = ++seq;
	req.u.ifi.ifi_family = AF_UNSPEC;
	req.u.ifi.ifi_index = ifindex;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1)
		goto err;
	for (;;) {
		/* Truncated to the buffer: the flags come first. */
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			goto err;
		}
		r = (struct nlmsghdr *)buf;
		if ((size_t)n < NLMSG_HDRLEN || r->nlmsg_seq != seq)
			continue;	/* an answer to an earlier poll */
		if (r->nlmsg_type != RTM_NEWLINK ||
		    (size_t)n < NLMSG_LENGTH(sizeof(*ifi)))
			return -1;	/* NLMSG_ERROR: no such link */
		ifi = NLMSG_DATA(r);
		return (ifi->ifi_flags & IFF_UP) &&
		    (ifi->ifi_flags & IFF_LOWER_UP);
	}
err:
	/* A timed-out answer may still come: start afresh next time. */
	close(fd);
	fd = -1;
	return -1;
}
