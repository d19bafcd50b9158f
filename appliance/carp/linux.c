/*
 * carp/linux.c — the packets of the CARP engine on Linux: the raw
 * sockets adverts leave from, the filtered packet sockets they (and ARP
 * requests) arrive on, and whole frames sent by hand: gratuitous ARP and
 * unsolicited Neighbor Advertisements. The devices are linux_dev.c's,
 * the filtered socket constructor linux_sock.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_arp.h>
#include <linux/if_packet.h>

#include "linux.h"
#include "proxyarp.h"
#include "log.h"
#include "util.h"

int
carp_linux_socket(int af)
{
	int	fd, on = 1, off = 0, ttl = CARP_TTL, tos = CARP_TOS;

	if ((fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_CARP)) == -1) {
		log_warn("carp: raw socket (IP protocol 112)");
		return -1;
	}
	if (af == AF_INET) {
		int pmtu = IP_PMTUDISC_DO;	/* DF, as the BSDs send */

		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
		    sizeof(ttl)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off,
		    sizeof(off)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on,
		    sizeof(on)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos,
		    sizeof(tos)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu)) == -1)
			goto err;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
		    sizeof(ttl)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off,
		    sizeof(off)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		    sizeof(on)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
		    sizeof(on)) == -1 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
		    sizeof(tos)) == -1)
			goto err;
	}
	return fd;
err:
	log_warn("carp: raw socket options");
	close(fd);
	return -1;
}

int
carp_linux_join(int fd, int af, int ifindex)
{
	int rc;

	if (af == AF_INET) {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET, CARP_GROUP4, &mr.imr_multiaddr);
		mr.imr_ifindex = ifindex;
		rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr));
	} else {
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		inet_pton(AF_INET6, CARP_GROUP6, &mr.ipv6mr_multiaddr);
		mr.ipv6mr_interface = (unsigned int)ifindex;
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
		    sizeof(mr));
	}
	if (rc == -1 && errno != EADDRINUSE) {
		log_warn("carp: join the CARP group on ifindex %d", ifindex);
		return -1;
	}
	return 0;
}

int
carp_linux_send(int fd, int ifindex, const struct carp_addr *src,
    const struct carp_addr *dst, const uint8_t carp[CARP_HDR_LEN])
{
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cm;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct iovec		 iov = { (void *)carp, CARP_HDR_LEN };
	struct msghdr		 msg;
	struct cmsghdr		*c;

	memset(&msg, 0, sizeof(msg));
	memset(&cm, 0, sizeof(cm));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	c = &cm.hdr;
	if (dst->ca_af == AF_INET) {
		struct in_pktinfo pi;

		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = dst->ca_u.v4;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_ifindex = ifindex;
		pi.ipi_spec_dst = src->ca_u.v4;	/* our address, not a VIP */
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		msg.msg_name = &sin;
		msg.msg_namelen = sizeof(sin);
	} else {
		struct in6_pktinfo pi;

		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = dst->ca_u.v6;
		sin6.sin6_scope_id = (uint32_t)ifindex;
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_ifindex = (unsigned int)ifindex;
		pi.ipi6_addr = src->ca_u.v6;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
		msg.msg_name = &sin6;
		msg.msg_namelen = sizeof(sin6);
	}
	if (sendmsg(fd, &msg, 0) != CARP_HDR_LEN)
		return -1;	/* counted by the FSM as a send error */
	return 0;
}

/*
 * Classic BPF over the Ethernet frame: IPv4 with protocol 112, or IPv6
 * with next header 112; everything else is left in the kernel.
 */
static struct sock_filter carp_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),			/* type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 3),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 9),		/* v4 proto */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_CARP, 4, 5),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 3),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 6),		/* v6 next */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_CARP, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

int
carp_linux_packet_socket(void)
{
	return carp_linux_bpf_socket(ETH_P_ALL, carp_bpf, nitems(carp_bpf),
	    "packet");
}

int
carp_linux_rx_off(int fd)
{
	struct sock_filter	drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog	prog = { 1, drop };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1) {
		log_warn("carp: raw socket filter");
		return -1;
	}
	return 0;
}

ssize_t
carp_linux_packet_recv(int fd, uint8_t *buf, size_t len, int *ifindex,
    int *af)
{
	uint8_t			 f[2048];
	struct sockaddr_ll	 sll;
	socklen_t		 sl;
	ssize_t			 n;
	size_t			 iplen;
	uint16_t		 type;

	for (;;) {
		sl = sizeof(sll);
		if ((n = recvfrom(fd, f, sizeof(f), 0, (struct sockaddr *)&sll,
		    &sl)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			log_warn("carp: packet socket recv");
			return -1;
		}
		/*
		 * Our own adverts on their way out are not news. A frame to
		 * another host's MAC (a flooding switch, a promiscuous port)
		 * is not for us: the IP layer would drop it before CARP saw
		 * it, and a packet socket sees it first.
		 */
		if (sll.sll_pkttype == PACKET_OUTGOING ||
		    sll.sll_pkttype == PACKET_OTHERHOST || n < ETH_HLEN)
			continue;
		type = (uint16_t)(f[12] << 8 | f[13]);
		n -= ETH_HLEN;
		if (type == ETH_P_IP && n >= 4)
			iplen = (size_t)(f[ETH_HLEN + 2] << 8 | f[ETH_HLEN + 3]);
		else if (type == ETH_P_IPV6 && n >= CARP_IP6_HDR_LEN)
			iplen = CARP_IP6_HDR_LEN + (size_t)(f[ETH_HLEN + 4] << 8 |
			    f[ETH_HLEN + 5]);
		else
			continue;
		/* Trim the Ethernet padding; a short packet stays short. */
		if (iplen < (size_t)n)
			n = (ssize_t)iplen;
		if ((size_t)n > len)
			n = (ssize_t)len;
		memcpy(buf, f + ETH_HLEN, (size_t)n);
		*ifindex = sll.sll_ifindex;
		*af = type == ETH_P_IP ? AF_INET : AF_INET6;
		return n;
	}
}

int
carp_linux_hwaddr(int ifindex, uint8_t mac[ETH_ALEN])
{
	struct ifreq	ifr;
	int		fd, ret = -1;

	memset(&ifr, 0, sizeof(ifr));
	if (if_indextoname((unsigned int)ifindex, ifr.ifr_name) == NULL ||
	    (fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("carp: MAC address of ifindex %d", ifindex);
		return -1;
	}
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == -1)
		log_warn("carp: MAC address of %s", ifr.ifr_name);
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		log_warnx("carp: %s is not Ethernet", ifr.ifr_name);
	else {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
		ret = 0;
	}
	close(fd);
	return ret;
}

/*
 * Sends a whole Ethernet frame (destination MAC first) on ifindex. One
 * send-only packet socket serves every announcement, kept open: the
 * kernel's close() of a packet socket waits for an RCU grace period
 * (13 ms measured), which, paid per VIP, delayed each takeover's advert
 * and the promotion of the next VHID. Protocol 0: it receives nothing.
 */
int
carp_linux_frame_send(int ifindex, uint16_t proto, const uint8_t *f,
    size_t len)
{
	static int		 fd = -1;
	struct sockaddr_ll	 sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, f, ETH_ALEN);
	if (fd == -1 && (fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) !=
	    (ssize_t)len)
		return -1;
	return 0;
}

int
carp_linux_garp(int ifindex, const uint8_t mac[ETH_ALEN], struct in_addr vip)
{
	static const uint8_t	 bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff }, none[ETH_ALEN];
	uint8_t			 f[PROXYARP_FRAME_LEN];

	/* ARP request, sender = target = VIP (RFC 5227 announcement). */
	proxyarp_frame(f, ARPOP_REQUEST, bcast, mac, vip, none, vip);
	if (carp_linux_frame_send(ifindex, ETH_P_ARP, f, sizeof(f)) == -1) {
		log_warn("carp: gratuitous ARP on ifindex %d", ifindex);
		return -1;
	}
	return 0;
}

/* The Internet checksum of an ICMPv6 message with its pseudo-header. */
static uint16_t
carp_linux_icmp6_sum(const struct in6_addr *src, const struct in6_addr *dst,
    const uint8_t *msg, size_t len)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 0; i < 16; i += 2) {
		sum += (uint32_t)(src->s6_addr[i] << 8 | src->s6_addr[i + 1]);
		sum += (uint32_t)(dst->s6_addr[i] << 8 | dst->s6_addr[i + 1]);
	}
	sum += (uint32_t)len;
	sum += IPPROTO_ICMPV6;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	if (len & 1)
		sum += (uint32_t)(msg[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
carp_linux_una(int ifindex, const uint8_t mac[ETH_ALEN],
    const struct in6_addr *vip)
{
	uint8_t			 f[14 + 40 + 32];
	uint8_t			*ip = f + 14, *na = f + 54;
	struct in6_addr		 all;
	uint16_t		 sum;

	/*
	 * RFC 4861 7.2.6: a node whose link-layer address changed MAY send
	 * unsolicited Neighbor Advertisements to all-nodes (ff02::1) with the
	 * Override flag set and Solicited clear, carrying the target's
	 * link-layer address; 7.1.2: hop limit 255.
	 */
	inet_pton(AF_INET6, "ff02::1", &all);
	memset(f, 0, sizeof(f));
	f[0] = 0x33; f[1] = 0x33; f[5] = 0x01;		/* 33:33:00:00:00:01 */
	memcpy(f + 6, mac, ETH_ALEN);
	f[12] = ETH_P_IPV6 >> 8;
	f[13] = ETH_P_IPV6 & 0xff;
	ip[0] = 0x60;					/* version 6 */
	ip[4] = 0; ip[5] = 32;				/* payload length */
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 255;					/* hop limit */
	memcpy(ip + 8, vip, 16);			/* from the VIP */
	memcpy(ip + 24, &all, 16);
	na[0] = 136;					/* Neighbor Advertisement */
	na[4] = 0x20;					/* O: override */
	memcpy(na + 8, vip, 16);			/* target */
	na[24] = 2;					/* target link-layer address */
	na[25] = 1;					/* 8 octets */
	memcpy(na + 26, mac, ETH_ALEN);
	sum = carp_linux_icmp6_sum(vip, &all, na, 32);
	na[2] = sum >> 8;
	na[3] = sum & 0xff;

	if (carp_linux_frame_send(ifindex, ETH_P_IPV6, f, sizeof(f)) == -1) {
		log_warn("carp: unsolicited NA on ifindex %d", ifindex);
		return -1;
	}
	return 0;
}
