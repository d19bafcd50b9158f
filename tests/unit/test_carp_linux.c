/*
 * test_carp_linux.c — the CARP socket layer against a real kernel, inside
 * a private network namespace this process unshares (it vanishes with
 * the process, nothing to clean up on the host). Skipped unless root.
 *
 * twv0 <-veth-> twv1, 10.77.0.1/24 and 10.77.0.2/24; vhid 77's macvlan
 * twc77 sits on twv0. Adverts and gratuitous ARP sent on the twv0 side
 * are read back on twv1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "carp/linux.h"
#include "carp/proto.h"

static int	have_netns;	/* we are in our own namespace */

static int
sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		print_error("command failed (%d): %s\n", rc, cmd);
	return rc;
}

static int
setup(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1)
		return 0;
	if (sh("ip link set lo up && "
	    "ip link add twv0 type veth peer name twv1 && "
	    "ip addr add 10.77.0.1/24 dev twv0 && "
	    "ip addr add 10.77.0.2/24 dev twv1 && "
	    "ip -6 addr add fd77::1/64 dev twv0 nodad && "
	    "ip -6 addr add fd77::2/64 dev twv1 nodad && "
	    "ip link set twv0 up && ip link set twv1 up && "
	    "sysctl -qw net.ipv4.conf.all.accept_local=1 "
	    "net.ipv4.conf.twv1.accept_local=1 "
	    "net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.twv1.rp_filter=0")
	    != 0)
		return -1;
	have_netns = 1;
	return 0;
}

static int
wait_readable(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, 2000);
}

/*
 * The engine's receive path: the next CARP packet from the packet
 * socket, our own outgoing copies skipped. Length, or 0 after a while.
 */
static ssize_t
packet_next(int ps, uint8_t *buf, size_t len, int *in, int *af)
{
	ssize_t	n;
	int	try;

	for (try = 0; try < 10; try++) {
		if ((n = carp_linux_packet_recv(ps, buf, len, in, af)) != 0)
			return n;
		if (wait_readable(ps) <= 0)
			break;
	}
	return 0;
}

static struct carp_addr
addr(int af, const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	a.ca_af = af;
	assert_int_equal(inet_pton(af, s, &a.ca_u), 1);
	return a;
}

static void
test_vmac_and_vip(void **state)
{
	struct carp_addr	 vip = addr(AF_INET, "10.77.0.100");
	struct ifreq		 ifr;
	char			 name[IFNAMSIZ], buf[8];
	const uint8_t		 mac[6] = { 0, 0, 0x5e, 0, 1, 77 };
	int			 idx, idx2, fd;

	(void)state;
	assert_int_equal(carp_linux_vmac_create((int)if_nametoindex("twv0"),
	    77, name, &idx), 0);
	assert_string_equal(name, "twc77");
	/* A leftover of the same name is replaced. */
	assert_int_equal(carp_linux_vmac_create((int)if_nametoindex("twv0"),
	    77, name, &idx2), 0);
	assert_int_not_equal(idx2, 0);
	idx = idx2;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	close(fd);
	assert_memory_equal(ifr.ifr_hwaddr.sa_data, mac, 6);
	/* Created DOWN: a BACKUP does not take frames for the vMAC. */
	assert_int_equal(carp_linux_link_state(idx), 0);

	assert_int_equal(carp_linux_arp_sysctls("twv0"), 0);
	assert_int_equal(carp_linux_arp_sysctls(name), 0);
	fd = open("/proc/sys/net/ipv4/conf/twv0/arp_ignore", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 2);
	close(fd);
	assert_int_equal(buf[0], '1');

	assert_int_equal(carp_linux_link_set_up(idx, 1), 0);
	assert_int_equal(carp_linux_addr(idx, &vip, 24, 1), 0);
	assert_int_equal(carp_linux_addr(idx, &vip, 24, 1), 0); /* again */
	assert_int_equal(sh("ip -4 addr show dev twc77 | "
	    "grep -q 'inet 10.77.0.100/24'"), 0);
	assert_int_equal(carp_linux_addr(idx, &vip, 24, 0), 0);
	assert_int_equal(carp_linux_addr(idx, &vip, 24, 0), 0); /* gone */
	assert_int_not_equal(system("ip -4 addr show dev twc77 | "
	    "grep -q 10.77.0.100"), 0);
	assert_int_equal(carp_linux_vmac_delete(idx), 0);
	assert_int_equal(if_nametoindex("twc77"), 0);
}

static void
test_advert_roundtrip(void **state)
{
	struct carp_vconf	 vc;
	struct carp_rxconf	 rc;
	struct carp_rx		 rx;
	struct carp_hdr		 h;
	struct carp_addr	 vip = addr(AF_INET, "10.77.0.100");
	struct carp_addr	 src4 = addr(AF_INET, "10.77.0.1");
	struct carp_addr	 grp4 = addr(AF_INET, CARP_GROUP4);
	struct carp_addr	 src6 = addr(AF_INET6, "fd77::1");
	struct carp_addr	 grp6 = addr(AF_INET6, CARP_GROUP6);
	uint8_t			 wire[CARP_HDR_LEN], buf[256];
	char			 name[IFNAMSIZ];
	int			 s4, s6, ps, vidx, in, af;
	int			 v0 = (int)if_nametoindex("twv0");
	int			 v1 = (int)if_nametoindex("twv1");
	ssize_t			 n;

	(void)state;
	carp_proto_vconf_init(&vc, 77);
	assert_int_equal(carp_proto_vconf_set_key(&vc, "secret"), 0);
	assert_int_equal(carp_proto_vconf_add_vip(&vc, &vip), 0);
	memset(&rc, 0, sizeof(rc));
	rc.rc_vhids = &vc;
	rc.rc_nvhids = 1;

	assert_true((s4 = carp_linux_socket(AF_INET)) >= 0);
	assert_true((s6 = carp_linux_socket(AF_INET6)) >= 0);
	assert_int_equal(carp_linux_join(s4, AF_INET, v1), 0);
	assert_int_equal(carp_linux_join(s6, AF_INET6, v1), 0);
	assert_int_equal(carp_linux_vmac_create(v0, 77, name, &vidx), 0);
	assert_int_equal(carp_linux_link_set_up(vidx, 1), 0);
	/* Received as the engine does: packet socket, raw sockets rx off. */
	assert_true((ps = carp_linux_packet_socket()) >= 0);
	assert_int_equal(carp_linux_rx_off(s4), 0);
	assert_int_equal(carp_linux_rx_off(s6), 0);

	/* IPv4, out of the macvlan as a MASTER sends. */
	assert_int_equal(carp_proto_advert(&vc, 1, 20, 0, &h), 0);
	carp_proto_encode(&h, wire);
	assert_int_equal(carp_linux_send(s4, vidx, &src4, &grp4, wire), 0);
	n = packet_next(ps, buf, sizeof(buf), &in, &af);
	assert_int_equal(n, CARP_IP4_PKT_LEN);
	assert_int_equal(in, v1);
	assert_int_equal(af, AF_INET);
	vc.vc_counter_set = 0;		/* as the receiving node sees it */
	assert_int_equal(carp_proto_validate(buf, (size_t)n, &rc, &rx),
	    CARP_R_OK);
	assert_int_equal(rx.rx_ttl, 255);
	assert_int_equal(buf[1], CARP_TOS);
	assert_int_equal(buf[6] & 0x40, 0x40);		/* DF */
	assert_int_equal(rx.rx_src.ca_u.v4.s_addr, src4.ca_u.v4.s_addr);
	assert_int_equal(rx.rx_hdr.ch_advskew, 20);

	/* IPv6: the whole packet, hop limit as sent. */
	vc.vc_counter_set = 1;
	assert_int_equal(carp_proto_advert(&vc, 1, 30, 0, &h), 0);
	carp_proto_encode(&h, wire);
	assert_int_equal(carp_linux_send(s6, v0, &src6, &grp6, wire), 0);
	n = packet_next(ps, buf, sizeof(buf), &in, &af);
	assert_int_equal(n, CARP_IP6_PKT_LEN);
	assert_int_equal(in, v1);
	assert_int_equal(af, AF_INET6);
	vc.vc_counter_set = 0;
	assert_int_equal(carp_proto_validate(buf, (size_t)n, &rc, &rx),
	    CARP_R_OK);
	assert_int_equal(rx.rx_ttl, 255);
	assert_int_equal(rx.rx_hdr.ch_advskew, 30);
	assert_memory_equal(&rx.rx_dst.ca_u.v6, &grp6.ca_u.v6, 16);
	/* Nothing else pending; the raw sockets queued nothing. */
	assert_int_equal(carp_linux_packet_recv(ps, buf, sizeof(buf), &in,
	    &af), 0);
	assert_int_equal(recv(s4, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_int_equal(recv(s6, buf, sizeof(buf), MSG_DONTWAIT), -1);

	assert_int_equal(carp_linux_vmac_delete(vidx), 0);
	carp_proto_vconf_clear(&vc);
	close(ps);
	close(s4);
	close(s6);
}

static void
test_garp(void **state)
{
	struct sockaddr_ll	 sll;
	struct in_addr		 vip;
	uint8_t			 f[128];
	const uint8_t		 mac[6] = { 0, 0, 0x5e, 0, 1, 77 };
	char			 name[IFNAMSIZ];
	int			 ps, vidx;
	ssize_t			 n;

	(void)state;
	inet_pton(AF_INET, "10.77.0.100", &vip);
	ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
	assert_true(ps >= 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = (int)if_nametoindex("twv1");
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	assert_int_equal(carp_linux_vmac_create((int)if_nametoindex("twv0"),
	    77, name, &vidx), 0);
	assert_int_equal(carp_linux_link_set_up(vidx, 1), 0);
	assert_int_equal(carp_linux_garp(vidx, mac, vip), 0);
	assert_true(wait_readable(ps) > 0);
	n = recv(ps, f, sizeof(f), 0);
	assert_true(n >= 42);
	assert_memory_equal(f + 6, mac, 6);		/* from the vMAC */
	assert_memory_equal(f + 22, mac, 6);		/* sender hw */
	assert_memory_equal(f + 28, &vip, 4);		/* sender = VIP */
	assert_memory_equal(f + 38, &vip, 4);		/* target = VIP */
	close(ps);
	assert_int_equal(carp_linux_vmac_delete(vidx), 0);
}

/* Sum of a pseudo-header and message, as a receiver checks it: 0xffff. */
static uint16_t
icmp6_verify(const uint8_t *ip, const uint8_t *msg, size_t len)
{
	uint32_t	sum = 0;
	size_t		i;

	for (i = 8; i < 40; i += 2)		/* source and destination */
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum += (uint32_t)len + 58;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* RFC 4861 7.2.6: the unsolicited NA a new master sends for an IPv6 VIP. */
static void
test_una(void **state)
{
	struct sockaddr_ll	 sll;
	struct in6_addr		 vip;
	uint8_t			 f[256];
	const uint8_t		 mac[6] = { 0, 0, 0x5e, 0, 1, 78 };
	const uint8_t		 allnodes[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	char			 name[IFNAMSIZ];
	int			 ps, vidx, tries, found = 0;
	ssize_t			 n;

	(void)state;
	inet_pton(AF_INET6, "fd00:77::100", &vip);
	ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IPV6));
	assert_true(ps >= 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IPV6);
	sll.sll_ifindex = (int)if_nametoindex("twv1");
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	assert_int_equal(carp_linux_vmac_create((int)if_nametoindex("twv0"),
	    78, name, &vidx), 0);
	assert_int_equal(carp_linux_link_set_up(vidx, 1), 0);
	assert_int_equal(carp_linux_una(vidx, mac, &vip), 0);
	/* The link may carry other IPv6 (MLD, RS): find the NA. */
	for (tries = 0; tries < 20 && !found; tries++) {
		if (wait_readable(ps) <= 0)
			break;
		n = recv(ps, f, sizeof(f), 0);
		if (n < 14 + 40 + 32 || f[14 + 6] != 58 || f[54] != 136)
			continue;
		found = 1;
		assert_memory_equal(f, allnodes, 6);	/* to all-nodes */
		assert_memory_equal(f + 6, mac, 6);	/* from the vMAC */
		assert_int_equal(f[14 + 7], 255);	/* hop limit 255 */
		assert_memory_equal(f + 14 + 8, &vip, 16);
		assert_int_equal(f[54 + 4] & 0xe0, 0x20); /* O, not S, not R */
		assert_memory_equal(f + 54 + 8, &vip, 16);	/* target */
		assert_int_equal(f[54 + 24], 2);	/* target lladdr */
		assert_memory_equal(f + 54 + 26, mac, 6);
		assert_int_equal(icmp6_verify(f + 14, f + 54, 32), 0xffff);
	}
	assert_true(found);
	close(ps);
	assert_int_equal(carp_linux_vmac_delete(vidx), 0);
}

struct linkev {
	int	ifindex;
	int	up;
	int	seen;
};

static void
link_cb(void *arg, int ifindex, int up)
{
	struct linkev *ev = arg;

	if (ifindex == ev->ifindex) {
		ev->up = up;
		ev->seen++;
	}
}

static void
test_link_events(void **state)
{
	struct linkev	ev;
	int		fd, tries;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.ifindex = (int)if_nametoindex("twv0");
	assert_int_equal(carp_linux_link_state(ev.ifindex), 1);
	assert_true((fd = carp_linux_link_socket()) >= 0);
	/* Peer down: twv0 stays UP but loses carrier. */
	assert_int_equal(sh("ip link set twv1 down"), 0);
	for (tries = 0; tries < 20 && !(ev.seen && !ev.up); tries++) {
		wait_readable(fd);
		assert_int_equal(carp_linux_link_read(fd, link_cb, &ev), 0);
	}
	assert_true(ev.seen > 0);
	assert_int_equal(ev.up, 0);
	assert_int_equal(carp_linux_link_state(ev.ifindex), 0);
	assert_int_equal(sh("ip link set twv1 up"), 0);
	for (tries = 0; tries < 20 && !ev.up; tries++) {
		wait_readable(fd);
		assert_int_equal(carp_linux_link_read(fd, link_cb, &ev), 0);
	}
	assert_int_equal(ev.up, 1);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmac_and_vip),
		cmocka_unit_test(test_advert_roundtrip),
		cmocka_unit_test(test_garp),
		cmocka_unit_test(test_una),
		cmocka_unit_test(test_link_events),
	};

	/*
	 * Without root there is nothing to test against: say so in the
	 * form tests/run.sh counts as a skip (cmocka's TAP skip line reads
	 * "not ok ... # SKIP", which it would count as a failure).
	 */
	if (setup() == -1)
		return 1;
	if (!have_netns) {
		printf("SKIP carp_linux: needs root to unshare a network "
		    "namespace\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
