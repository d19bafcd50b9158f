/*
 * test_carp_proto.c — CARP wire format: the verified ucarp vector, header
 * round trips, HMAC input order, and every reason a packet is dropped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "carp/proto.h"
#include "util.h"

static struct carp_addr
a4(const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	a.ca_af = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &a.ca_u.v4), 1);
	return a;
}

static struct carp_addr
a6(const char *s)
{
	struct carp_addr a;

	memset(&a, 0, sizeof(a));
	a.ca_af = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, s, &a.ca_u.v6), 1);
	return a;
}

static void
hex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	assert_int_equal(strlen(s), 2 * n);
	for (i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

/* A vector checked against ucarp's encoder (same bytes on the wire). */
static void
vconf_ucarp(struct carp_vconf *vc)
{
	struct carp_addr vip = a4("10.9.0.100");

	carp_proto_vconf_init(vc, 7);
	assert_int_equal(carp_proto_vconf_set_key(vc, "secret"), 0);
	assert_int_equal(carp_proto_vconf_add_vip(vc, &vip), 0);
}

static void
test_ucarp_vector(void **state)
{
	struct carp_vconf	vc;
	struct carp_hdr		h;
	uint8_t			md[CARP_MD_LEN], want[CARP_MD_LEN];
	uint8_t			wire[CARP_HDR_LEN], head[8];

	(void)state;
	vconf_ucarp(&vc);
	hex("d33211215c43d017c193125f8e4e93546570f954", want, sizeof(want));
	assert_int_equal(carp_proto_hmac(&vc, 0x6f93e5426b37423cULL, 0, md),
	    0);
	assert_memory_equal(md, want, CARP_MD_LEN);

	/* 21 07 14 07 00 01 63 9c: v2 type 1, vhid 7, advskew 20, authlen
	 * 7, demote 0, advbase 1, checksum 0x639c. */
	memset(&h, 0, sizeof(h));
	h.ch_version = CARP_VERSION;
	h.ch_type = CARP_TYPE_ADVERTISEMENT;
	h.ch_vhid = 7;
	h.ch_advskew = 20;
	h.ch_authlen = CARP_AUTHLEN;
	h.ch_advbase = 1;
	h.ch_counter = 0x6f93e5426b37423cULL;
	memcpy(h.ch_md, md, CARP_MD_LEN);
	carp_proto_encode(&h, wire);
	hex("21071407000163" "9c", head, sizeof(head));
	assert_memory_equal(wire, head, sizeof(head));
	assert_int_equal(h.ch_cksum, 0x639c);
	hex("6f93e5426b37423c", head, sizeof(head));
	assert_memory_equal(wire + 8, head, 8);
	assert_memory_equal(wire + 16, want, CARP_MD_LEN);
	assert_int_equal(carp_proto_cksum(wire, sizeof(wire)), 0);
	carp_proto_vconf_clear(&vc);
}

static void
test_password_length(void **state)
{
	struct carp_vconf	vc;
	static const uint8_t	zero[CARP_KEY_LEN];

	(void)state;
	carp_proto_vconf_init(&vc, 1);
	assert_int_equal(carp_proto_vconf_set_key(&vc,
	    "0123456789abcdefghi"), 0);			/* 19: fits */
	assert_int_equal(vc.vc_keylen, 19);
	assert_int_equal(vc.vc_key[19], 0);
	assert_int_equal(carp_proto_vconf_set_key(&vc,
	    "0123456789abcdefghij"), -1);		/* 20: refused */
	assert_int_equal(vc.vc_keylen, 19);		/* unchanged */
	assert_int_equal(carp_proto_vconf_set_key(&vc, ""), 0);
	carp_proto_vconf_clear(&vc);
	assert_memory_equal(vc.vc_key, zero, sizeof(zero));
}

/* A 19-char key NUL-padded to 20 bytes hashes like strlen(pass). */
static void
test_key_padding(void **state)
{
	struct carp_vconf	vc;
	uint8_t			md[CARP_MD_LEN], md2[CARP_MD_LEN];
	uint8_t			msg[3 + 8] = { 2, 1, 9 };
	unsigned int		len;

	(void)state;
	carp_proto_vconf_init(&vc, 9);
	assert_int_equal(carp_proto_vconf_set_key(&vc, "pw"), 0);
	assert_int_equal(carp_proto_hmac(&vc, 0, 0, md), 0);
	HMAC(EVP_sha1(), vc.vc_key, CARP_KEY_LEN, msg, sizeof(msg), md2, &len);
	assert_memory_equal(md, md2, CARP_MD_LEN);
	carp_proto_vconf_clear(&vc);
}

static void
test_header_roundtrip(void **state)
{
	struct carp_hdr	h, d;
	uint8_t		wire[CARP_HDR_LEN];
	unsigned int	i;

	(void)state;
	for (i = 0; i < 256; i += 17) {
		memset(&h, 0, sizeof(h));
		h.ch_version = CARP_VERSION;
		h.ch_type = CARP_TYPE_ADVERTISEMENT;
		h.ch_vhid = (uint8_t)(255 - i);
		h.ch_advskew = (uint8_t)i;
		h.ch_authlen = CARP_AUTHLEN;
		h.ch_demote = (uint8_t)(i / 2);
		h.ch_advbase = (uint8_t)(1 + i % 5);
		h.ch_counter = 0x0102030405060708ULL * (i + 1);
		memset(h.ch_md, (int)i, CARP_MD_LEN);
		carp_proto_encode(&h, wire);
		memset(&d, 0, sizeof(d));
		assert_int_equal(carp_proto_decode(wire, sizeof(wire), &d), 0);
		assert_memory_equal(&h, &d, sizeof(h));
		assert_int_equal(carp_proto_cksum(wire, sizeof(wire)), 0);
	}
	assert_int_equal(carp_proto_decode(wire, CARP_HDR_LEN - 1, &d), -1);
}

/*
 * Several VIPs of both families go into the HMAC in ascending IPv4 order
 * then memcmp IPv6 order, whatever order they were configured in, with a
 * link-local's KAME scope bytes zeroed.
 */
static void
test_vip_order(void **state)
{
	static const char *v4[] = { "192.168.1.1", "10.0.0.2", "10.0.0.10",
	    "172.16.5.4", "10.0.0.1" };
	static const char *v6[] = { "2001:db8::20", "fe80:5::1",
	    "2001:db8::3", "fd00::1" };
	struct carp_vconf	a, b;
	struct carp_addr	x;
	uint8_t			msg[3 + 5 * 4 + 4 * 16 + 8], *p = msg;
	uint8_t			md[CARP_MD_LEN], mdb[CARP_MD_LEN];
	uint8_t			want[CARP_MD_LEN];
	unsigned int		len;
	size_t			i;
	static const char *s4[] = { "10.0.0.1", "10.0.0.2", "10.0.0.10",
	    "172.16.5.4", "192.168.1.1" };
	static const char *s6[] = { "2001:db8::3", "2001:db8::20",
	    "fd00::1", "fe80::1" };

	(void)state;
	carp_proto_vconf_init(&a, 42);
	carp_proto_vconf_init(&b, 42);
	assert_int_equal(carp_proto_vconf_set_key(&a, "hunter2"), 0);
	assert_int_equal(carp_proto_vconf_set_key(&b, "hunter2"), 0);
	for (i = 0; i < nitems(v4); i++) {
		x = a4(v4[i]);
		assert_int_equal(carp_proto_vconf_add_vip(&a, &x), 0);
		x = a4(v4[nitems(v4) - 1 - i]);
		assert_int_equal(carp_proto_vconf_add_vip(&b, &x), 0);
	}
	for (i = 0; i < nitems(v6); i++) {
		x = a6(v6[i]);
		assert_int_equal(carp_proto_vconf_add_vip(&a, &x), 0);
		x = a6(v6[nitems(v6) - 1 - i]);
		assert_int_equal(carp_proto_vconf_add_vip(&b, &x), 0);
	}
	x = a4("10.0.0.2");
	assert_int_equal(carp_proto_vconf_add_vip(&a, &x), -1);	/* dup */

	*p++ = 2;
	*p++ = 1;
	*p++ = 42;
	for (i = 0; i < nitems(s4); i++, p += 4) {
		x = a4(s4[i]);
		assert_memory_equal(&a.vc_vip4[i], &x.ca_u.v4, 4);
		memcpy(p, &x.ca_u.v4, 4);
	}
	for (i = 0; i < nitems(s6); i++, p += 16) {
		x = a6(s6[i]);
		assert_memory_equal(&a.vc_vip6[i], &x.ca_u.v6, 16);
		memcpy(p, &x.ca_u.v6, 16);
	}
	memcpy(p, "\x00\x00\x00\x00\xde\xad\xbe\xef", 8);
	HMAC(EVP_sha1(), "hunter2", 7, msg, sizeof(msg), want, &len);
	assert_int_equal(carp_proto_hmac(&a, 0xdeadbeef, 0, md), 0);
	assert_int_equal(carp_proto_hmac(&b, 0xdeadbeef, 0, mdb), 0);
	assert_memory_equal(md, want, CARP_MD_LEN);
	assert_memory_equal(mdb, want, CARP_MD_LEN);
	/* OpenBSD's variant leaves the link-local out: a different digest. */
	assert_int_equal(carp_proto_hmac(&a, 0xdeadbeef, 1, md), 0);
	assert_memory_not_equal(md, want, CARP_MD_LEN);
	carp_proto_vconf_clear(&a);
	carp_proto_vconf_clear(&b);
}

/* Fixture for the receive side: two VHIDs, our own address. */
struct rxfix {
	struct carp_vconf	 vc[2];
	struct carp_addr	 local[1];
	struct carp_rxconf	 rc;
	struct carp_vconf	 peer;		/* the sender's copy of vhid 7 */
};

static void
rxfix_init(struct rxfix *f)
{
	struct carp_addr v6 = a6("2001:db8::100"), ll = a6("fe80::100");

	memset(f, 0, sizeof(*f));
	vconf_ucarp(&f->vc[0]);
	assert_int_equal(carp_proto_vconf_add_vip(&f->vc[0], &v6), 0);
	assert_int_equal(carp_proto_vconf_add_vip(&f->vc[0], &ll), 0);
	carp_proto_vconf_init(&f->vc[1], 8);
	assert_int_equal(carp_proto_vconf_set_key(&f->vc[1], "other"), 0);
	f->local[0] = a4("10.9.0.1");
	f->rc.rc_vhids = f->vc;
	f->rc.rc_nvhids = 2;
	f->rc.rc_local = f->local;
	f->rc.rc_nlocal = 1;
	f->peer = f->vc[0];
}

static size_t
pkt4(struct carp_vconf *vc, const char *src, const char *dst, uint8_t *buf)
{
	struct carp_hdr	h;
	int		n;

	assert_int_equal(carp_proto_advert(vc, 1, 100, 0, &h), 0);
	n = carp_proto_build_ip4(&h, a4(src).ca_u.v4, a4(dst).ca_u.v4, buf,
	    CARP_IP4_PKT_LEN);
	assert_int_equal(n, CARP_IP4_PKT_LEN);
	return (size_t)n;
}

/* Fix the CARP checksum after editing the header at off. */
static void
recksum(uint8_t *carp)
{
	uint16_t c;

	carp[6] = carp[7] = 0;
	c = carp_proto_cksum(carp, CARP_HDR_LEN);
	carp[6] = c >> 8;
	carp[7] = c & 0xff;
}

/* Fix the IPv4 header checksum after editing the header. */
static void
ip_recksum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = carp_proto_cksum(ip, 20);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

static void
test_valid_ip4(void **state)
{
	struct rxfix	f;
	struct carp_rx	rx;
	uint8_t		buf[CARP_IP4_PKT_LEN];
	size_t		n;

	(void)state;
	rxfix_init(&f);
	n = pkt4(&f.peer, "10.9.0.2", CARP_GROUP4, buf);
	assert_int_equal(buf[8], 255);
	assert_int_equal(buf[9], 112);
	assert_int_equal(buf[6] & 0x40, 0x40);		/* DF */
	assert_int_equal(carp_proto_cksum(buf, 20), 0);	/* IP header */
	assert_int_equal(carp_proto_validate(buf, n, &f.rc, &rx), CARP_R_OK);
	assert_ptr_equal(rx.rx_vconf, &f.vc[0]);
	assert_int_equal(rx.rx_hdr.ch_vhid, 7);
	assert_int_equal(rx.rx_hdr.ch_advskew, 100);
	assert_int_equal(rx.rx_hdr.ch_advbase, 1);
	assert_int_equal(rx.rx_ttl, 255);
	assert_int_equal(rx.rx_src.ca_u.v4.s_addr, a4("10.9.0.2").ca_u.v4.s_addr);
	/* Counter goes +1 per advert. */
	n = pkt4(&f.peer, "10.9.0.2", CARP_GROUP4, buf);
	assert_int_equal(carp_proto_validate(buf, n, &f.rc, &rx), CARP_R_OK);
	assert_int_equal(rx.rx_hdr.ch_counter, f.peer.vc_counter);
}

static void
test_valid_ip6(void **state)
{
	struct rxfix	f;
	struct carp_rx	rx;
	struct carp_hdr	h;
	uint8_t		buf[CARP_IP6_PKT_LEN + 8];
	struct carp_addr src = a6("fe80::2"), dst = a6(CARP_GROUP6);
	size_t		len;
	int		n;

	(void)state;
	rxfix_init(&f);
	assert_int_equal(carp_proto_advert(&f.peer, 2, 0, 240, &h), 0);
	n = carp_proto_build_ip6(&h, &src.ca_u.v6, &dst.ca_u.v6, buf,
	    sizeof(buf));
	assert_int_equal(n, CARP_IP6_PKT_LEN);
	assert_int_equal(buf[6], 112);
	assert_int_equal(buf[7], 255);
	assert_int_equal(carp_proto_validate(buf, (size_t)n, &f.rc, &rx),
	    CARP_R_OK);
	assert_int_equal(rx.rx_src.ca_af, AF_INET6);
	assert_int_equal(rx.rx_hdr.ch_demote, 240);
	assert_int_equal(rx.rx_hdr.ch_advbase, 2);

	/* Hop limit 254 is dropped. */
	buf[7] = 254;
	assert_int_equal(carp_proto_validate(buf, (size_t)n, &f.rc, &rx),
	    CARP_R_BAD_TTL);
	buf[7] = 255;

	/* Truncated at every length. */
	for (len = 0; len < (size_t)n; len++)
		assert_int_equal(carp_proto_validate(buf, len, &f.rc, &rx),
		    CARP_R_SHORT);

	/* An OpenBSD sender hashes without the link-local VIP: accepted. */
	assert_int_equal(carp_proto_hmac(&f.peer, h.ch_counter, 1, h.ch_md),
	    0);
	n = carp_proto_build_ip6(&h, &src.ca_u.v6, &dst.ca_u.v6, buf,
	    sizeof(buf));
	assert_int_equal(carp_proto_validate(buf, (size_t)n, &f.rc, &rx),
	    CARP_R_OK);
}

/*
 * One table of damaged packets: each is built from a good advert, edited,
 * validated, counted; the counters must show exactly one per reason.
 */
enum edit {
	E_WRONG_PASS, E_WRONG_VHID, E_BAD_CKSUM, E_TTL, E_VERSION, E_TYPE,
	E_AUTHLEN, E_PROTO, E_IHL, E_IPLEN, E_OWN_SRC, E_OWN_COUNTER,
	E_WRONG_VIP, E_UNICAST_PEER, E_FLIP_MD, E_IP_CKSUM, E_FRAG_MF,
	E_FRAG_OFF, E_UNICAST_NOT_US
};

static const struct {
	enum edit		 edit;
	enum carp_reason	 want;
	const char		*name;
} bad_cases[] = {
	{ E_WRONG_PASS, CARP_R_BAD_HMAC, "wrong password" },
	{ E_WRONG_VHID, CARP_R_UNKNOWN_VHID, "wrong vhid" },
	{ E_BAD_CKSUM, CARP_R_BAD_CHECKSUM, "bad checksum" },
	{ E_TTL, CARP_R_BAD_TTL, "TTL 64" },
	{ E_VERSION, CARP_R_BAD_VERSION, "version 3" },
	{ E_TYPE, CARP_R_BAD_TYPE, "type 2" },
	{ E_AUTHLEN, CARP_R_BAD_AUTHLEN, "authlen 1 (VRRPv2)" },
	{ E_PROTO, CARP_R_BAD_IP, "protocol 17" },
	{ E_IHL, CARP_R_BAD_IP, "IHL 4" },
	{ E_IPLEN, CARP_R_SHORT, "IP length 55" },
	{ E_OWN_SRC, CARP_R_OWN_PACKET, "our source address" },
	{ E_OWN_COUNTER, CARP_R_OWN_PACKET, "our counter looped back" },
	{ E_WRONG_VIP, CARP_R_BAD_HMAC, "different VIP set" },
	{ E_UNICAST_PEER, CARP_R_BAD_PEER, "unicast from a stranger" },
	{ E_FLIP_MD, CARP_R_BAD_HMAC, "HMAC bit flipped" },
	{ E_IP_CKSUM, CARP_R_BAD_IP, "IP header checksum" },
	{ E_FRAG_MF, CARP_R_BAD_IP, "more fragments" },
	{ E_FRAG_OFF, CARP_R_BAD_IP, "fragment offset" },
	{ E_UNICAST_NOT_US, CARP_R_BAD_IP, "unicast to another address" },
};

static void
test_bad_packets(void **state)
{
	struct carp_stats	st;
	struct rxfix		f;
	struct carp_rx		rx;
	struct carp_vconf	other;
	struct carp_addr	vip;
	uint8_t			buf[CARP_IP4_PKT_LEN], *ch = buf + 20;
	enum carp_reason	r;
	size_t			i, n, len;
	uint64_t		want[CARP_R_MAX] = { 0 };

	(void)state;
	carp_stats_init(&st, 10);
	for (i = 0; i < nitems(bad_cases); i++) {
		rxfix_init(&f);
		n = pkt4(&f.peer, "10.9.0.2", CARP_GROUP4, buf);
		switch (bad_cases[i].edit) {
		case E_WRONG_PASS:
			other = f.peer;
			assert_int_equal(carp_proto_vconf_set_key(&other,
			    "Secret"), 0);
			n = pkt4(&other, "10.9.0.2", CARP_GROUP4, buf);
			break;
		case E_WRONG_VHID:
			ch[1] = 9;
			recksum(ch);
			break;
		case E_BAD_CKSUM:
			ch[7] ^= 0x01;
			break;
		case E_TTL:
			buf[8] = 64;
			ip_recksum(buf);
			break;
		case E_VERSION:
			ch[0] = 0x31;
			recksum(ch);
			break;
		case E_TYPE:
			ch[0] = 0x22;
			recksum(ch);
			break;
		case E_AUTHLEN:
			ch[3] = 1;
			recksum(ch);
			break;
		case E_PROTO:
			buf[9] = 17;
			ip_recksum(buf);
			break;
		case E_IHL:
			buf[0] = 0x44;
			break;
		case E_IPLEN:
			buf[3] = 55;
			break;
		case E_OWN_SRC:
			n = pkt4(&f.peer, "10.9.0.1", CARP_GROUP4, buf);
			break;
		case E_OWN_COUNTER:
			/* We sent this very advert: our vconf is the peer. */
			n = pkt4(&f.vc[0], "10.9.0.2", CARP_GROUP4, buf);
			break;
		case E_WRONG_VIP:
			other = f.peer;
			vip = a4("10.9.0.101");
			assert_int_equal(carp_proto_vconf_add_vip(&other,
			    &vip), 0);
			n = pkt4(&other, "10.9.0.2", CARP_GROUP4, buf);
			break;
		case E_UNICAST_PEER:
			f.vc[0].vc_peer4 = a4("10.9.0.3");
			n = pkt4(&f.peer, "10.9.0.2", "10.9.0.1", buf);
			break;
		case E_FLIP_MD:
			ch[35] ^= 0x80;
			recksum(ch);
			break;
		case E_IP_CKSUM:
			buf[11] ^= 0x01;
			break;
		case E_FRAG_MF:
			buf[6] |= 0x20;
			ip_recksum(buf);
			break;
		case E_FRAG_OFF:
			buf[7] = 1;
			ip_recksum(buf);
			break;
		case E_UNICAST_NOT_US:
			/* To our MAC, but the kernel would forward it. */
			n = pkt4(&f.peer, "10.9.0.2", "10.9.0.99", buf);
			break;
		}
		r = carp_proto_validate(buf, n, &f.rc, &rx);
		if (r != bad_cases[i].want)
			fail_msg("%s: got %s, want %s", bad_cases[i].name,
			    carp_proto_reason_name(r),
			    carp_proto_reason_name(bad_cases[i].want));
		carp_stats_count(&st, r, &rx, (double)i);
		want[r]++;
	}

	/* Truncated at every length, IP total length kept honest. */
	rxfix_init(&f);
	n = pkt4(&f.peer, "10.9.0.2", CARP_GROUP4, buf);
	for (len = 0; len < n; len++) {
		r = carp_proto_validate(buf, len, &f.rc, &rx);
		assert_int_equal(r, CARP_R_SHORT);
		carp_stats_count(&st, r, &rx, 100.0);
		want[r]++;
	}
	/* ... and with the IP length shrunk to match the buffer. */
	for (len = 20; len < n; len++) {
		buf[2] = 0;
		buf[3] = (uint8_t)len;
		assert_int_equal(carp_proto_validate(buf, len, &f.rc, &rx),
		    CARP_R_SHORT);
	}
	for (i = 0; i < CARP_R_MAX; i++)
		assert_int_equal(st.cs_count[i], want[i]);
	assert_int_equal(st.cs_count[CARP_R_OK], 0);
}

/* Unicast mode: no TTL rule, but only the configured peer is heard. */
static void
test_unicast(void **state)
{
	struct rxfix	f;
	struct carp_rx	rx;
	uint8_t		buf[CARP_IP4_PKT_LEN];
	size_t		n;

	(void)state;
	rxfix_init(&f);
	n = pkt4(&f.peer, "10.9.0.2", "10.9.0.1", buf);
	buf[8] = 63;
	ip_recksum(buf);
	/* Multicast VHID: a unicast packet still needs TTL 255. */
	assert_int_equal(carp_proto_validate(buf, n, &f.rc, &rx),
	    CARP_R_BAD_TTL);
	f.vc[0].vc_peer4 = a4("10.9.0.2");
	assert_int_equal(carp_proto_validate(buf, n, &f.rc, &rx), CARP_R_OK);
}

static void
test_rate_limit(void **state)
{
	struct carp_stats	st;
	struct carp_rx		rx;
	int			i;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	carp_stats_init(&st, 5.0);
	for (i = 0; i < 100; i++)
		carp_stats_count(&st, CARP_R_BAD_HMAC, &rx, 1.0 + i * 0.01);
	assert_int_equal(st.cs_count[CARP_R_BAD_HMAC], 100);
	assert_int_equal(st.cs_suppressed[CARP_R_BAD_HMAC], 99);
	/* A different reason has its own budget. */
	carp_stats_count(&st, CARP_R_BAD_TTL, &rx, 2.0);
	assert_int_equal(st.cs_suppressed[CARP_R_BAD_TTL], 0);
	assert_true(st.cs_logged[CARP_R_BAD_TTL]);
	/* After the interval, one more line and the backlog is reset. */
	carp_stats_count(&st, CARP_R_BAD_HMAC, &rx, 6.5);
	assert_int_equal(st.cs_suppressed[CARP_R_BAD_HMAC], 0);
	assert_true(st.cs_lastlog[CARP_R_BAD_HMAC] == 6.5);
	assert_int_equal(st.cs_count[CARP_R_BAD_HMAC], 101);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ucarp_vector),
		cmocka_unit_test(test_password_length),
		cmocka_unit_test(test_key_padding),
		cmocka_unit_test(test_header_roundtrip),
		cmocka_unit_test(test_vip_order),
		cmocka_unit_test(test_valid_ip4),
		cmocka_unit_test(test_valid_ip6),
		cmocka_unit_test(test_bad_packets),
		cmocka_unit_test(test_unicast),
		cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
