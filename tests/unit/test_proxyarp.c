/*
 * test_proxyarp.c — the ARP responder's wire side: every check of a
 * request, the HA rule (only a MASTER answers, with the virtual MAC) and
 * the exact reply bytes; then, as root in a private network namespace
 * this process unshares, that the socket's BPF filter lets requests
 * through and keeps replies and non-IPv4 ARP out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "carp/proxyarp.h"

static const uint8_t	ourmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t	peermac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static struct in_addr	addrs[2];	/* 10.50.0.100, 10.50.0.101 */

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* A request from peermac (10.50.0.2 unless spa) for tpa, padded to 60. */
static size_t
request(uint8_t f[60], const char *spa, const char *tpa)
{
	static const uint8_t	bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff }, zero[6];

	memset(f, 0, 60);
	proxyarp_frame(f, 1, bcast, peermac, ip(spa), zero, ip(tpa));
	return 60;
}

static struct proxyarp_if
iface(uint8_t vhid)
{
	struct proxyarp_if pi;

	memset(&pi, 0, sizeof(pi));
	pi.pi_ifindex = 7;
	memcpy(pi.pi_mac, ourmac, 6);
	pi.pi_vhid = vhid;
	addrs[0] = ip("10.50.0.100");
	addrs[1] = ip("10.50.0.101");
	pi.pi_addrs = addrs;
	pi.pi_naddrs = 2;
	return pi;
}

static void
test_answer(void **state)
{
	static const uint8_t want[PROXYARP_FRAME_LEN] = {
		0x02, 0, 0, 0, 0, 0x02,		/* to the requester */
		0x02, 0, 0, 0, 0, 0x01,		/* from our MAC */
		0x08, 0x06,			/* ARP */
		0x00, 0x01, 0x08, 0x00, 6, 4,	/* Ethernet, IPv4 */
		0x00, 0x02,			/* reply */
		0x02, 0, 0, 0, 0, 0x01,		/* sha: ours */
		10, 50, 0, 101,			/* spa: the proxy address */
		0x02, 0, 0, 0, 0, 0x02,		/* tha: the requester */
		10, 50, 0, 2,			/* tpa: the requester */
	};
	struct proxyarp_if	pi = iface(0);
	uint8_t			f[60], reply[PROXYARP_FRAME_LEN];

	(void)state;
	assert_int_equal(proxyarp_input(f, request(f, "10.50.0.2",
	    "10.50.0.101"), &pi, 0, reply), PROXYARP_R_ANSWER);
	assert_memory_equal(reply, want, sizeof(want));
	/* The unpadded minimum is enough. */
	assert_int_equal(proxyarp_input(f, PROXYARP_FRAME_LEN, &pi, 0, reply),
	    PROXYARP_R_ANSWER);
}

/* With CARP on the device: the MASTER answers with the virtual MAC. */
static void
test_master_vmac(void **state)
{
	static const uint8_t want[PROXYARP_FRAME_LEN] = {
		0x02, 0, 0, 0, 0, 0x02,
		0x00, 0x00, 0x5e, 0x00, 0x01, 148,	/* vhid 148's vMAC */
		0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02,
		0x00, 0x00, 0x5e, 0x00, 0x01, 148,
		10, 50, 0, 100,
		0x02, 0, 0, 0, 0, 0x02,
		10, 50, 0, 2,
	};
	struct proxyarp_if	pi = iface(148);
	uint8_t			f[60], reply[PROXYARP_FRAME_LEN];

	(void)state;
	request(f, "10.50.0.2", "10.50.0.100");
	assert_int_equal(proxyarp_input(f, 60, &pi, 1, reply),
	    PROXYARP_R_ANSWER);
	assert_memory_equal(reply, want, sizeof(want));
}

static void
test_backup_silent(void **state)
{
	struct proxyarp_if	pi = iface(148);
	uint8_t			f[60], reply[PROXYARP_FRAME_LEN];
	uint8_t			before[PROXYARP_FRAME_LEN];

	(void)state;
	memset(reply, 0xaa, sizeof(reply));
	memcpy(before, reply, sizeof(reply));
	request(f, "10.50.0.2", "10.50.0.100");
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_BACKUP);
	assert_memory_equal(reply, before, sizeof(reply));
}

/* RFC 5227 probe: answered, to the prober's MAC, target IP 0.0.0.0. */
static void
test_probe(void **state)
{
	struct proxyarp_if	pi = iface(0);
	uint8_t			f[60], reply[PROXYARP_FRAME_LEN];
	const uint8_t		zero[4] = { 0 }, vip[4] = { 10, 50, 0, 100 };

	(void)state;
	request(f, "0.0.0.0", "10.50.0.100");
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_ANSWER);
	assert_memory_equal(reply, peermac, 6);
	assert_memory_equal(reply + 28, vip, 4);	/* sender: in use */
	assert_memory_equal(reply + 32, peermac, 6);
	assert_memory_equal(reply + 38, zero, 4);
}

static void
test_malformed(void **state)
{
	struct proxyarp_if	pi = iface(0);
	uint8_t			f[60], reply[PROXYARP_FRAME_LEN];
	static const struct {
		size_t	off;
		uint8_t	val;
		int	want;
	} bad[] = {
		{ 15, 6, PROXYARP_R_BAD_HTYPE },	/* IEEE 802 */
		{ 14, 1, PROXYARP_R_BAD_HTYPE },
		{ 16, 0x86, PROXYARP_R_BAD_PTYPE },
		{ 17, 0xdd, PROXYARP_R_BAD_PTYPE },
		{ 18, 8, PROXYARP_R_BAD_HLEN },
		{ 19, 16, PROXYARP_R_BAD_PLEN },
		{ 21, 2, PROXYARP_R_BAD_OP },		/* a reply */
		{ 21, 3, PROXYARP_R_BAD_OP },		/* RARP */
		{ 20, 1, PROXYARP_R_BAD_OP },
	};
	size_t			i;

	(void)state;
	request(f, "10.50.0.2", "10.50.0.100");
	assert_int_equal(proxyarp_input(f, PROXYARP_FRAME_LEN - 1, &pi, 0,
	    reply), PROXYARP_R_SHORT);
	assert_int_equal(proxyarp_input(f, 0, &pi, 0, reply),
	    PROXYARP_R_SHORT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(f, "10.50.0.2", "10.50.0.100");
		f[bad[i].off] = bad[i].val;
		assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
		    bad[i].want);
	}
}

static void
test_ignored(void **state)
{
	struct proxyarp_if	pi = iface(0), carp = iface(9), empty;
	uint8_t			f[60], reply[PROXYARP_FRAME_LEN];
	const uint8_t		vmac9[6] = { 0, 0, 0x5e, 0, 1, 9 };

	(void)state;
	/* Gratuitous: sender IP == target IP, even one of ours. */
	request(f, "10.50.0.100", "10.50.0.100");
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_GRATUITOUS);
	/* Not a proxy address of this device. */
	request(f, "10.50.0.2", "10.50.0.7");
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_NOT_OURS);
	memset(&empty, 0, sizeof(empty));
	request(f, "10.50.0.2", "10.50.0.100");
	assert_int_equal(proxyarp_input(f, 60, &empty, 0, reply),
	    PROXYARP_R_NOT_OURS);
	/* Our own MAC as Ethernet source or as sender hardware address. */
	memcpy(f + 6, ourmac, 6);
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_OWN_MAC);
	request(f, "10.50.0.2", "10.50.0.100");
	memcpy(f + 22, ourmac, 6);
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_OWN_MAC);
	/* The virtual MAC is ours where the device has that VHID only. */
	request(f, "10.50.0.2", "10.50.0.100");
	memcpy(f + 6, vmac9, 6);
	memcpy(f + 22, vmac9, 6);
	assert_int_equal(proxyarp_input(f, 60, &carp, 1, reply),
	    PROXYARP_R_OWN_MAC);
	assert_int_equal(proxyarp_input(f, 60, &pi, 0, reply),
	    PROXYARP_R_ANSWER);
}

static void
test_names(void **state)
{
	int r;

	(void)state;
	for (r = 0; r < PROXYARP_R_MAX; r++)
		assert_string_not_equal(proxyarp_reason_name(r), "?");
	assert_string_equal(proxyarp_reason_name(PROXYARP_R_ANSWER),
	    "answered");
	assert_string_equal(proxyarp_reason_name(PROXYARP_R_MAX), "?");
}

/* Sends f out of twv1 (arrives on twv0). */
static void
send_twv1(int ps, const uint8_t *f, size_t len)
{
	struct sockaddr_ll sll;

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex("twv1");
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	assert_int_equal(sendto(ps, f, len, 0, (struct sockaddr *)&sll,
	    sizeof(sll)), (ssize_t)len);
}

static void
test_socket_filter(void **state)
{
	struct pollfd	 pfd;
	uint8_t		 f[60], buf[128];
	int		 fd, ps, ifindex, bcast, got = 0;
	ssize_t		 n;

	(void)state;
	assert_true((fd = proxyarp_socket()) >= 0);
	assert_true((ps = socket(AF_PACKET, SOCK_RAW, 0)) >= 0);
	/* Drain what the kernel itself sent while the link came up. */
	while (proxyarp_recv(fd, buf, sizeof(buf), &ifindex, &bcast) > 0)
		;
	request(f, "10.77.0.2", "10.77.0.100");
	f[21] = 2;				/* a reply: filtered */
	send_twv1(ps, f, sizeof(f));
	request(f, "10.77.0.2", "10.77.0.100");
	f[16] = 0x86;				/* not IPv4: filtered */
	f[17] = 0xdd;
	send_twv1(ps, f, sizeof(f));
	request(f, "10.77.0.2", "10.77.0.100");
	f[31] = 42;				/* the request: passes */
	send_twv1(ps, f, sizeof(f));
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, 500) > 0 && (n = proxyarp_recv(fd, buf,
	    sizeof(buf), &ifindex, &bcast)) > 0) {
		assert_int_equal(n, 60);
		assert_int_equal(buf[21], 1);
		assert_int_equal(buf[31], 42);
		assert_int_equal(ifindex, (int)if_nametoindex("twv0"));
		assert_true(bcast);
		got++;
	}
	assert_int_equal(got, 1);	/* not the copy going out of twv1 */
	close(ps);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_master_vmac),
		cmocka_unit_test(test_backup_silent),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_names),
	};
	const struct CMUnitTest netns[] = {
		cmocka_unit_test(test_socket_filter),
	};
	int rc;

	rc = cmocka_run_group_tests_name("proxyarp", tests, NULL, NULL);
	if (geteuid() != 0 || unshare(CLONE_NEWNET) == -1) {
		printf("SKIP proxyarp socket filter: needs root to unshare a "
		    "network namespace\n");
		return rc;
	}
	if (system("ip link add twv0 type veth peer name twv1 && "
	    "ip link set twv0 up && ip link set twv1 up") != 0)
		return 1;
	return rc | cmocka_run_group_tests_name("proxyarp_netns", netns,
	    NULL, NULL);
}
