/*
 * fuzz_arp.c — frames received by the proxy-ARP responder:
 * proxyarp_input() for a device with two proxy addresses, once as the
 * MASTER of its VHID and once without CARP, each in a buffer of exactly
 * the input's length. An answer must be a whole ARP reply.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carp/proxyarp.h"

static struct in_addr	fz_addrs[2];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyarp_if	pi;
	uint8_t			reply[PROXYARP_FRAME_LEN], *buf;
	enum proxyarp_reason	r;
	int			carp;

	if (size > 4096 || (buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	inet_pton(AF_INET, "198.51.100.10", &fz_addrs[0]);
	inet_pton(AF_INET, "198.51.100.11", &fz_addrs[1]);
	for (carp = 0; carp < 2; carp++) {
		memset(&pi, 0, sizeof(pi));
		pi.pi_ifindex = 2;
		memcpy(pi.pi_mac, "\x02\x00\x00\x00\x00\x01", 6);
		pi.pi_vhid = carp ? 7 : 0;
		pi.pi_addrs = fz_addrs;
		pi.pi_naddrs = 2;
		r = proxyarp_input(buf, size, &pi, 1, reply);
		if (r >= PROXYARP_R_MAX)
			abort();
		/* An answer is an Ethernet ARP reply (op 2) for IPv4. */
		if (r == PROXYARP_R_ANSWER && (reply[12] != 0x08 ||
		    reply[13] != 0x06 || reply[20] != 0 || reply[21] != 2))
			abort();
	}
	free(buf);
	return 0;
}
