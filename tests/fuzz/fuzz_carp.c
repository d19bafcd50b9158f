/*
 * fuzz_carp.c — received CARP packets: carp_proto_validate() against a
 * fixed local configuration, then carp_stats_count() as the engine does
 * with every verdict.
 *
 * The input is tried three ways, each in a buffer of exactly its length
 * so that a read past the end is caught: as it is, with the version
 * nibble forced to 4 (IPv4, keeping the IHL) and forced to 6 (IPv6), so
 * that every input exercises both parsers.
 *
 * Configuration: VHID 7 (key "secret", VIPs 10.9.0.100, 2001:db8::100,
 * fe80::100: the link-local one tests OpenBSD's HMAC without it), VHID 8
 * (key "other", no VIPs), VHID 9 (unicast: peers 10.9.0.2 and
 * 2001:db8::2, VIP 10.9.1.100), and our own address 10.9.0.1 /
 * 2001:db8::1.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carp/proto.h"
#include "log.h"

static struct carp_vconf	fz_vc[3];
static struct carp_addr		fz_local[2];
static struct carp_rxconf	fz_rc;
static struct carp_stats	fz_stats;
static double			fz_now;

static struct carp_addr
addr(const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.ca_u.v4) == 1)
		a.ca_af = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.ca_u.v6) == 1)
		a.ca_af = AF_INET6;
	else
		abort();
	return a;
}

static void
vip(struct carp_vconf *vc, const char *s)
{
	struct carp_addr a = addr(s);

	if (carp_proto_vconf_add_vip(vc, &a) == -1)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz", 0);
	carp_proto_vconf_init(&fz_vc[0], 7);
	if (carp_proto_vconf_set_key(&fz_vc[0], "secret") == -1)
		abort();
	vip(&fz_vc[0], "10.9.0.100");
	vip(&fz_vc[0], "2001:db8::100");
	vip(&fz_vc[0], "fe80::100");
	carp_proto_vconf_init(&fz_vc[1], 8);
	if (carp_proto_vconf_set_key(&fz_vc[1], "other") == -1)
		abort();
	carp_proto_vconf_init(&fz_vc[2], 9);
	if (carp_proto_vconf_set_key(&fz_vc[2], "unicast-pw") == -1)
		abort();
	vip(&fz_vc[2], "10.9.1.100");
	fz_vc[2].vc_peer4 = addr("10.9.0.2");
	fz_vc[2].vc_peer6 = addr("2001:db8::2");
	/* As if we had sent adverts: the own-counter check is live. */
	fz_vc[0].vc_counter = 0x0102030405060708ULL;
	fz_vc[0].vc_counter_set = 1;
	fz_local[0] = addr("10.9.0.1");
	fz_local[1] = addr("2001:db8::1");
	fz_rc.rc_vhids = fz_vc;
	fz_rc.rc_nvhids = 3;
	fz_rc.rc_local = fz_local;
	fz_rc.rc_nlocal = 2;
	carp_stats_init(&fz_stats, 10.0);
	return 0;
}

static void
one(const uint8_t *data, size_t len, int version)
{
	struct carp_rx		 rx;
	enum carp_reason	 r;
	uint8_t			*buf = malloc(len ? len : 1);

	if (buf == NULL)
		abort();
	memcpy(buf, data, len);
	if (version != 0 && len > 0)
		buf[0] = (uint8_t)(version << 4 | (buf[0] & 0x0f));
	r = carp_proto_validate(buf, len, &fz_rc, &rx);
	if ((int)r < 0 || r >= CARP_R_MAX)
		abort();
	/* An accepted packet names one of our VHIDs. */
	if (r == CARP_R_OK && (rx.rx_vconf == NULL ||
	    rx.rx_vconf->vc_vhid != rx.rx_hdr.ch_vhid))
		abort();
	(void)carp_proto_reason_name(r);
	/* Time moves on so the rate-limited log line is taken sometimes. */
	fz_now += 0.5;
	carp_stats_count(&fz_stats, r, &rx, fz_now);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	one(data, len, 0);
	one(data, len, 4);
	one(data, len, 6);
	return 0;
}
