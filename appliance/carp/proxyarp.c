/*
 * carp/proxyarp.c — ARP requests in, replies out, for proxy-ARP VIPs.
 * Every check carries the rule it enforces.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <net/if_arp.h>
#include <linux/if_packet.h>

#include "linux.h"
#include "proxyarp.h"
#include "log.h"
#include "util.h"

#define ARP_OFF		ETH_HLEN	/* the ARP header in the frame */

static const char *const proxyarp_names[PROXYARP_R_MAX] = {
	[PROXYARP_R_ANSWER] = "answered", [PROXYARP_R_SHORT] = "short",
	[PROXYARP_R_BAD_HTYPE] = "bad_htype",
	[PROXYARP_R_BAD_PTYPE] = "bad_ptype",
	[PROXYARP_R_BAD_HLEN] = "bad_hlen", [PROXYARP_R_BAD_PLEN] = "bad_plen",
	[PROXYARP_R_BAD_OP] = "bad_op", [PROXYARP_R_GRATUITOUS] = "gratuitous",
	[PROXYARP_R_OWN_MAC] = "own_mac", [PROXYARP_R_NOT_OURS] = "not_ours",
	[PROXYARP_R_BACKUP] = "backup",
};

/*
 * Classic BPF over the Ethernet frame: htype 1, ptype 0x0800, hlen 6 and
 * plen 4, op 1. The parent wakes for requests only; proxyarp_input()
 * checks again (frames queued before the filter was attached, the tests).
 */
static struct sock_filter proxyarp_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ARP_OFF),		/* htype */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARPHRD_ETHER, 0, 7),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ARP_OFF + 2),	/* ptype */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ARP_OFF + 4),	/* hlen plen */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_ALEN << 8 | 4, 0, 3),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ARP_OFF + 6),	/* op */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARPOP_REQUEST, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

const char *
proxyarp_reason_name(enum proxyarp_reason r)
{
	if ((int)r < 0 || r >= PROXYARP_R_MAX)
		return "?";
	return proxyarp_names[r];
}

void
proxyarp_vmac(uint8_t vhid, uint8_t mac[ETH_ALEN])
{
	static const uint8_t prefix[5] = { 0x00, 0x00, 0x5e, 0x00, 0x01 };

	memcpy(mac, prefix, sizeof(prefix));
	mac[5] = vhid;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

int
proxyarp_socket(void)
{
	return carp_linux_bpf_socket(ETH_P_ARP, proxyarp_bpf,
	    nitems(proxyarp_bpf), "ARP packet");
}

ssize_t
proxyarp_recv(int fd, uint8_t *buf, size_t len, int *ifindex, int *bcast)
{
	struct sockaddr_ll	sll;
	socklen_t		sl;
	ssize_t			n;

	for (;;) {
		sl = sizeof(sll);
		if ((n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&sll,
		    &sl)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			log_warn("carp: ARP socket recv");
			return -1;
		}
		/* Our own frames going out, and frames for other hosts. */
		if (sll.sll_pkttype != PACKET_HOST &&
		    sll.sll_pkttype != PACKET_BROADCAST)
			continue;
		*ifindex = sll.sll_ifindex;
		*bcast = sll.sll_pkttype == PACKET_BROADCAST;
		return n;
	}
}

void
proxyarp_frame(uint8_t f[PROXYARP_FRAME_LEN], uint16_t op,
    const uint8_t dst[ETH_ALEN], const uint8_t sha[ETH_ALEN],
    struct in_addr spa, const uint8_t tha[ETH_ALEN], struct in_addr tpa)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + 6, sha, ETH_ALEN);
	put16(f + 12, ETH_P_ARP);
	put16(f + ARP_OFF, ARPHRD_ETHER);
	put16(f + ARP_OFF + 2, ETH_P_IP);
	f[ARP_OFF + 4] = ETH_ALEN;
	f[ARP_OFF + 5] = 4;
	put16(f + ARP_OFF + 6, op);
	memcpy(f + ARP_OFF + 8, sha, ETH_ALEN);
	memcpy(f + ARP_OFF + 14, &spa, 4);
	memcpy(f + ARP_OFF + 18, tha, ETH_ALEN);
	memcpy(f + ARP_OFF + 24, &tpa, 4);
}

enum proxyarp_reason
proxyarp_input(const uint8_t *f, size_t len, const struct proxyarp_if *pi,
    int master, uint8_t reply[PROXYARP_FRAME_LEN])
{
	const uint8_t	*arp = f + ARP_OFF, *sha = arp + 8;
	uint8_t		 vmac[ETH_ALEN];
	struct in_addr	 spa, tpa;
	size_t		 i;

	/* RFC 826 for Ethernet and IP: 8 header bytes, 2 x (6 + 4). */
	if (len < PROXYARP_FRAME_LEN)
		return PROXYARP_R_SHORT;
	/* "ar$hrd ... Ethernet 1", "ar$pro ... the EtherType of IP". */
	if (get16(arp) != ARPHRD_ETHER)
		return PROXYARP_R_BAD_HTYPE;
	if (get16(arp + 2) != ETH_P_IP)
		return PROXYARP_R_BAD_PTYPE;
	/* "ar$hln: byte length of each hardware address", "ar$pln". */
	if (arp[4] != ETH_ALEN)
		return PROXYARP_R_BAD_HLEN;
	if (arp[5] != 4)
		return PROXYARP_R_BAD_PLEN;
	/* "ar$op: opcode (ares_op$REQUEST | ares_op$REPLY)": requests. */
	if (get16(arp + 6) != ARPOP_REQUEST)
		return PROXYARP_R_BAD_OP;
	memcpy(&spa, arp + 14, 4);
	memcpy(&tpa, arp + 24, 4);
	proxyarp_vmac(pi->pi_vhid, vmac);
	/* Our own frames (a master's, looped through a switch). */
	if (memcmp(f + 6, pi->pi_mac, ETH_ALEN) == 0 ||
	    memcmp(sha, pi->pi_mac, ETH_ALEN) == 0 || (pi->pi_vhid &&
	    (memcmp(f + 6, vmac, ETH_ALEN) == 0 ||
	    memcmp(sha, vmac, ETH_ALEN) == 0)))
		return PROXYARP_R_OWN_MAC;
	/*
	 * RFC 5227 2.3: "an ARP Request ... with both the 'sender IP
	 * address' and 'target IP address' set to the host's newly selected
	 * IPv4 address" announces the sender's own address: no question.
	 */
	if (spa.s_addr == tpa.s_addr)
		return PROXYARP_R_GRATUITOUS;
	for (i = 0; i < pi->pi_naddrs; i++)
		if (pi->pi_addrs[i].s_addr == tpa.s_addr)
			break;
	if (i == pi->pi_naddrs)
		return PROXYARP_R_NOT_OURS;
	/* The MASTER of the device's VHID answers; its peer stays silent. */
	if (pi->pi_vhid && !master)
		return PROXYARP_R_BACKUP;
	/*
	 * RFC 826: "Swap hardware and protocol fields, putting the local
	 * hardware and protocol addresses in the sender fields. Set the
	 * ar$op field to ares_op$REPLY. Send the packet to the (new) target
	 * hardware address". A probe (sender IP 0.0.0.0) is answered too:
	 * RFC 5227 2.1.1 has the prober treat "any ARP packet ... where the
	 * packet's 'sender IP address' is the address being probed for" as
	 * the address in use, and we claim it (Linux answers probes for its
	 * own addresses the same way).
	 */
	proxyarp_frame(reply, ARPOP_REPLY, sha, pi->pi_vhid ? vmac : pi->pi_mac,
	    tpa, sha, spa);
	return PROXYARP_R_ANSWER;
}
