/*
 * carp/proto.c — CARP advertisement encode/decode, HMAC and validation.
 *
 * Every receive check below carries the rule it enforces and where that
 * rule comes from, in our words. "FreeBSD" means sys/netinet/ip_carp.c
 * (carp_input/carp6_input/carp_input_c), "OpenBSD" its ip_carp.c, "ucarp"
 * jedisct1/UCarp src/carp.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto.h"
#include "log.h"
#include "util.h"

static const char *carp_reason_names[CARP_R_MAX] = {
	[CARP_R_OK] = "ok",
	[CARP_R_SHORT] = "short packet",
	[CARP_R_BAD_IP] = "bad IP header",
	[CARP_R_BAD_TTL] = "TTL/hop limit not 255",
	[CARP_R_BAD_CHECKSUM] = "bad CARP checksum",
	[CARP_R_BAD_VERSION] = "bad CARP version",
	[CARP_R_BAD_TYPE] = "bad CARP type",
	[CARP_R_BAD_AUTHLEN] = "bad authlen",
	[CARP_R_UNKNOWN_VHID] = "unknown vhid",
	[CARP_R_BAD_PEER] = "source is not the unicast peer",
	[CARP_R_BAD_HMAC] = "bad HMAC (wrong password or VIP set)",
	[CARP_R_OWN_PACKET] = "own packet looped back",
};

const char *
carp_proto_reason_name(enum carp_reason r)
{
	if ((int)r < 0 || r >= CARP_R_MAX)
		return "?";
	return carp_reason_names[r];
}

/* Writes into buf (the caller's) and returns it. */
const char *
carp_proto_addr_str(const struct carp_addr *a, char *buf, size_t len)
{
	if (a == NULL || a->ca_af == 0 ||
	    inet_ntop(a->ca_af, &a->ca_u, buf, (socklen_t)len) == NULL)
		util_strlcpy(buf, "?", len);
	return buf;
}

uint16_t
carp_proto_cksum(const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint32_t	 sum = 0;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
carp_proto_encode(struct carp_hdr *h, uint8_t out[CARP_HDR_LEN])
{
	out[0] = (uint8_t)(h->ch_version << 4 | (h->ch_type & 0x0f));
	out[1] = h->ch_vhid;
	out[2] = h->ch_advskew;
	out[3] = h->ch_authlen;
	out[4] = h->ch_demote;
	out[5] = h->ch_advbase;
	put16(out + 6, 0);
	put64(out + 8, h->ch_counter);
	memcpy(out + 16, h->ch_md, CARP_MD_LEN);
	/* The checksum covers the 36-byte header only, no pseudo-header. */
	h->ch_cksum = carp_proto_cksum(out, CARP_HDR_LEN);
	put16(out + 6, h->ch_cksum);
}

int
carp_proto_decode(const uint8_t *p, size_t len, struct carp_hdr *h)
{
	if (len < CARP_HDR_LEN)
		return -1;
	h->ch_version = p[0] >> 4;
	h->ch_type = p[0] & 0x0f;
	h->ch_vhid = p[1];
	h->ch_advskew = p[2];
	h->ch_authlen = p[3];
	h->ch_demote = p[4];
	h->ch_advbase = p[5];
	h->ch_cksum = (uint16_t)(p[6] << 8 | p[7]);
	h->ch_counter = get64(p + 8);
	memcpy(h->ch_md, p + 16, CARP_MD_LEN);
	return 0;
}

void
carp_proto_vconf_init(struct carp_vconf *vc, uint8_t vhid)
{
	memset(vc, 0, sizeof(*vc));
	vc->vc_vhid = vhid;
}

/*
 * The password becomes the 20-byte key the BSDs use: ifconfig strlcpy()s
 * it into carpr_key[20], so at most 19 characters survive and the rest is
 * NUL padding. HMAC pads short keys with zeros anyway, so hashing the
 * whole 20 bytes or strlen(pass) gives the same digest. We refuse longer
 * passwords instead of truncating them silently.
 */
int
carp_proto_vconf_set_key(struct carp_vconf *vc, const char *pass)
{
	size_t len = strlen(pass);

	if (len > CARP_PASS_MAX) {
		log_warnx("carp: vhid %u: password is %zu characters, CARP "
		    "keys hold at most %d (FreeBSD/OpenBSD carpr_key[20])",
		    vc->vc_vhid, len, CARP_PASS_MAX);
		return -1;
	}
	explicit_bzero(vc->vc_key, sizeof(vc->vc_key));
	memcpy(vc->vc_key, pass, len);
	vc->vc_keylen = len;
	return 0;
}

void
carp_proto_vconf_clear(struct carp_vconf *vc)
{
	explicit_bzero(vc, sizeof(*vc));
}

/*
 * KAME stacks keep the interface index of a link-local address in bytes
 * 2-3; the HMAC is computed with it zeroed so both ends agree.
 */
static void
carp_in6_clearscope(struct in6_addr *a)
{
	if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a)) {
		a->s6_addr[2] = 0;
		a->s6_addr[3] = 0;
	}
}

int
carp_proto_vconf_add_vip(struct carp_vconf *vc, const struct carp_addr *a)
{
	struct in6_addr	 v6;
	size_t		 i;
	int		 c;

	if (a->ca_af == AF_INET) {
		if (vc->vc_nvip4 == CARP_MAX_VIPS)
			goto full;
		/* Ascending numeric order == memcmp of network order. */
		for (i = 0; i < vc->vc_nvip4; i++) {
			c = memcmp(&a->ca_u.v4, &vc->vc_vip4[i], 4);
			if (c == 0)
				goto dup;
			if (c < 0)
				break;
		}
		memmove(&vc->vc_vip4[i + 1], &vc->vc_vip4[i],
		    (vc->vc_nvip4 - i) * sizeof(vc->vc_vip4[0]));
		vc->vc_vip4[i] = a->ca_u.v4;
		vc->vc_nvip4++;
		return 0;
	}
	if (a->ca_af == AF_INET6) {
		if (vc->vc_nvip6 == CARP_MAX_VIPS)
			goto full;
		v6 = a->ca_u.v6;
		carp_in6_clearscope(&v6);
		for (i = 0; i < vc->vc_nvip6; i++) {
			c = memcmp(&v6, &vc->vc_vip6[i], 16);
			if (c == 0)
				goto dup;
			if (c < 0)
				break;
		}
		memmove(&vc->vc_vip6[i + 1], &vc->vc_vip6[i],
		    (vc->vc_nvip6 - i) * sizeof(vc->vc_vip6[0]));
		vc->vc_vip6[i] = v6;
		vc->vc_nvip6++;
		return 0;
	}
	log_warnx("carp: vhid %u: VIP of unknown family %d", vc->vc_vhid,
	    a->ca_af);
	return -1;
full:
	log_warnx("carp: vhid %u: more than %d VIPs of one family",
	    vc->vc_vhid, CARP_MAX_VIPS);
	return -1;
dup:
	log_warnx("carp: vhid %u: duplicate VIP", vc->vc_vhid);
	return -1;
}

int
carp_proto_hmac(const struct carp_vconf *vc, uint64_t counter, int skip_ll6,
    uint8_t md[CARP_MD_LEN])
{
	uint8_t		 msg[3 + 4 * CARP_MAX_VIPS + 16 * CARP_MAX_VIPS + 8];
	size_t		 n = 0, i;
	unsigned int	 mdlen = 0;
	int		 ret = -1;

	/* Version 2, type 1 (advertisement), then the vhid. */
	msg[n++] = CARP_VERSION;
	msg[n++] = CARP_TYPE_ADVERTISEMENT;
	msg[n++] = vc->vc_vhid;
	for (i = 0; i < vc->vc_nvip4; i++, n += 4)
		memcpy(msg + n, &vc->vc_vip4[i], 4);
	for (i = 0; i < vc->vc_nvip6; i++) {
		if (skip_ll6 && IN6_IS_ADDR_LINKLOCAL(&vc->vc_vip6[i]))
			continue;
		memcpy(msg + n, &vc->vc_vip6[i], 16);
		n += 16;
	}
	put64(msg + n, counter);
	n += 8;
	if (HMAC(EVP_sha1(), vc->vc_key, (int)vc->vc_keylen, msg, n, md,
	    &mdlen) == NULL || mdlen != CARP_MD_LEN) {
		log_warnx("carp: vhid %u: HMAC-SHA1 failed", vc->vc_vhid);
		goto err;
	}
	ret = 0;
err:
	explicit_bzero(msg, sizeof(msg));
	return ret;
}

int
carp_proto_advert(struct carp_vconf *vc, uint8_t advbase, uint8_t advskew,
    uint8_t demote, struct carp_hdr *h)
{
	uint64_t c;

	/* FreeBSD: the counter starts random and goes +1 per advert. */
	if (!vc->vc_counter_set) {
		if (util_random(&c, sizeof(c)) == -1) {
			log_warn("carp: vhid %u: getrandom", vc->vc_vhid);
			return -1;
		}
		vc->vc_counter = c;
		vc->vc_counter_set = 1;
	} else
		vc->vc_counter++;
	memset(h, 0, sizeof(*h));
	h->ch_version = CARP_VERSION;
	h->ch_type = CARP_TYPE_ADVERTISEMENT;
	h->ch_vhid = vc->vc_vhid;
	h->ch_advskew = advskew;
	h->ch_authlen = CARP_AUTHLEN;
	h->ch_demote = demote;
	h->ch_advbase = advbase;
	h->ch_counter = vc->vc_counter;
	return carp_proto_hmac(vc, h->ch_counter, 0, h->ch_md);
}

int
carp_proto_build_ip4(const struct carp_hdr *h, struct in_addr src,
    struct in_addr dst, uint8_t *buf, size_t len)
{
	struct carp_hdr	tmp = *h;

	if (len < CARP_IP4_PKT_LEN)
		return -1;
	memset(buf, 0, CARP_IP4_PKT_LEN);
	buf[0] = 0x45;			/* version 4, IHL 5 */
	buf[1] = CARP_TOS;
	put16(buf + 2, CARP_IP4_PKT_LEN);
	put16(buf + 6, 0x4000);		/* DF */
	buf[8] = CARP_TTL;
	buf[9] = IPPROTO_CARP;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	put16(buf + 10, carp_proto_cksum(buf, CARP_IP4_HDR_LEN));
	carp_proto_encode(&tmp, buf + CARP_IP4_HDR_LEN);
	return CARP_IP4_PKT_LEN;
}

int
carp_proto_build_ip6(const struct carp_hdr *h, const struct in6_addr *src,
    const struct in6_addr *dst, uint8_t *buf, size_t len)
{
	struct carp_hdr	tmp = *h;

	if (len < CARP_IP6_PKT_LEN)
		return -1;
	memset(buf, 0, CARP_IP6_PKT_LEN);
	buf[0] = 0x60 | CARP_TOS >> 4;		/* version 6, traffic class */
	buf[1] = (CARP_TOS & 0x0f) << 4;
	put16(buf + 4, CARP_HDR_LEN);		/* payload length */
	buf[6] = IPPROTO_CARP;			/* next header */
	buf[7] = CARP_TTL;			/* hop limit */
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	carp_proto_encode(&tmp, buf + CARP_IP6_HDR_LEN);
	return CARP_IP6_PKT_LEN;
}

static int
carp_addr_eq(const struct carp_addr *a, const struct carp_addr *b)
{
	if (a->ca_af != b->ca_af)
		return 0;
	if (a->ca_af == AF_INET)
		return a->ca_u.v4.s_addr == b->ca_u.v4.s_addr;
	if (a->ca_af == AF_INET6)
		return memcmp(&a->ca_u.v6, &b->ca_u.v6, 16) == 0;
	return 0;
}

static int
carp_addr_is_group(const struct carp_addr *a)
{
	static const uint8_t g6[16] = { 0xff, 0x02, [15] = 0x12 };

	if (a->ca_af == AF_INET)
		return ntohl(a->ca_u.v4.s_addr) == 0xe0000012;
	return memcmp(&a->ca_u.v6, g6, 16) == 0;
}

/* 1 if a is one of the receiving VHID's own addresses. */
static int
carp_proto_is_local(const struct carp_rxconf *rc, const struct carp_addr *a)
{
	size_t i;

	for (i = 0; i < rc->rc_nlocal; i++)
		if (carp_addr_eq(&rc->rc_local[i], a))
			return 1;
	return 0;
}

enum carp_reason
carp_proto_validate(const uint8_t *pkt, size_t len,
    const struct carp_rxconf *rc, struct carp_rx *out)
{
	const struct carp_vconf	*vc = NULL;
	const struct carp_addr	*peer;
	const uint8_t		*ch;
	uint8_t			 md[CARP_MD_LEN];
	size_t			 hl, tot, i;
	int			 ok;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return CARP_R_SHORT;
	if (pkt[0] >> 4 == 4) {
		/* RFC 791: IHL counts 32-bit words and is at least 5. */
		if (len < CARP_IP4_HDR_LEN)
			return CARP_R_SHORT;
		hl = (size_t)(pkt[0] & 0x0f) * 4;
		if (hl < CARP_IP4_HDR_LEN)
			return CARP_R_BAD_IP;
		tot = (size_t)(pkt[2] << 8 | pkt[3]);
		/*
		 * The whole CARP header must be present, within both the
		 * buffer and the IP total length (FreeBSD carp_input: a
		 * packet shorter than ip header + carp header is counted
		 * as badlen and dropped).
		 */
		if (len < hl + CARP_HDR_LEN || tot < hl + CARP_HDR_LEN ||
		    tot > len)
			return CARP_R_SHORT;
		if (pkt[9] != IPPROTO_CARP)
			return CARP_R_BAD_IP;
		/*
		 * What ip_input() checks before CARP sees a packet; a packet
		 * socket gets the frame before it. RFC 791: the header
		 * checksum sums to zero over the header. An advert is never
		 * fragmented (56 bytes): MF set or an offset means it is not
		 * one whole advert.
		 */
		if (carp_proto_cksum(pkt, hl) != 0 ||
		    (pkt[6] & 0x20) != 0 || ((pkt[6] & 0x1f) | pkt[7]) != 0)
			return CARP_R_BAD_IP;
		out->rx_ttl = pkt[8];
		out->rx_src.ca_af = out->rx_dst.ca_af = AF_INET;
		memcpy(&out->rx_src.ca_u.v4, pkt + 12, 4);
		memcpy(&out->rx_dst.ca_u.v4, pkt + 16, 4);
	} else if (pkt[0] >> 4 == 6) {
		if (len < CARP_IP6_HDR_LEN + CARP_HDR_LEN)
			return CARP_R_SHORT;
		tot = CARP_IP6_HDR_LEN + (size_t)(pkt[4] << 8 | pkt[5]);
		if (tot < CARP_IP6_HDR_LEN + CARP_HDR_LEN || tot > len)
			return CARP_R_SHORT;
		/* Extension headers are not expected on CARP adverts. */
		if (pkt[6] != IPPROTO_CARP)
			return CARP_R_BAD_IP;
		hl = CARP_IP6_HDR_LEN;
		out->rx_ttl = pkt[7];
		out->rx_src.ca_af = out->rx_dst.ca_af = AF_INET6;
		memcpy(&out->rx_src.ca_u.v6, pkt + 8, 16);
		memcpy(&out->rx_dst.ca_u.v6, pkt + 24, 16);
	} else
		return CARP_R_BAD_IP;
	ch = pkt + hl;
	(void)carp_proto_decode(ch, CARP_HDR_LEN, &out->rx_hdr);

	/*
	 * TTL / hop limit must be 255, so an advert cannot come from off
	 * link (FreeBSD carp_input/carp6_input: ttl != CARP_DFLTTL ->
	 * badttl). Only unicast mode (FreeBSD >= 14, peer configured)
	 * skips it; that is decided below once the VHID is known.
	 */
	if (carp_addr_is_group(&out->rx_dst) && out->rx_ttl != CARP_TTL)
		return CARP_R_BAD_TTL;

	/*
	 * The checksum covers the CARP header only, no pseudo-header
	 * (FreeBSD carp_input: in_cksum over the carp header != 0 ->
	 * badsum).
	 */
	if (carp_proto_cksum(ch, CARP_HDR_LEN) != 0)
		return CARP_R_BAD_CHECKSUM;

	/* Version must be 2 (FreeBSD carp_input_c: != CARP_VERSION -> badver). */
	if (out->rx_hdr.ch_version != CARP_VERSION)
		return CARP_R_BAD_VERSION;

	/*
	 * Type 1 (advertisement) is the only CARP message type; VRRPv2
	 * shares the first byte, so this alone does not tell them apart.
	 */
	if (out->rx_hdr.ch_type != CARP_TYPE_ADVERTISEMENT)
		return CARP_R_BAD_TYPE;

	/*
	 * authlen is 7 (counter + HMAC in 32-bit words) from every CARP
	 * sender; a VRRPv2 packet has its address count here instead, so
	 * this catches a VRRP router sharing our VRID/VHID.
	 */
	if (out->rx_hdr.ch_authlen != CARP_AUTHLEN)
		return CARP_R_BAD_AUTHLEN;

	/*
	 * The VHID must be configured here (FreeBSD carp_input_c: no
	 * softc for ch->carp_vhid on the receiving interface -> badvhid).
	 */
	for (i = 0; i < rc->rc_nvhids; i++)
		if (rc->rc_vhids[i].vc_vhid == out->rx_hdr.ch_vhid) {
			vc = &rc->rc_vhids[i];
			break;
		}
	if (vc == NULL)
		return CARP_R_UNKNOWN_VHID;
	out->rx_vconf = vc;

	peer = out->rx_src.ca_af == AF_INET ? &vc->vc_peer4 : &vc->vc_peer6;
	/*
	 * IPv4 unicast must be addressed to us: the address this VHID
	 * advertises from, which is where a unicast peer sends (FreeBSD's
	 * carp peer is the other node's address). The kernel would have
	 * forwarded anything else. (IPv6 adverts leave from the
	 * link-local address, while a peer may send to a global one.)
	 */
	if (out->rx_dst.ca_af == AF_INET && !carp_addr_is_group(&out->rx_dst) &&
	    !carp_proto_is_local(rc, &out->rx_dst))
		return CARP_R_BAD_IP;
	if (!carp_addr_is_group(&out->rx_dst)) {
		/*
		 * A unicast advert is only taken from the configured peer
		 * (FreeBSD 14 unicast mode, OpenBSD carppeer); without a
		 * peer the VHID is multicast and the TTL rule applies.
		 */
		if (peer->ca_af == 0 && out->rx_ttl != CARP_TTL)
			return CARP_R_BAD_TTL;
		if (peer->ca_af != 0 && !carp_addr_eq(peer, &out->rx_src))
			return CARP_R_BAD_PEER;
	}

	/*
	 * The HMAC must match (FreeBSD carp_input_c: carp_hmac_verify
	 * fails -> badauth). OpenBSD hashes without IPv6 link-locals and
	 * accepts both forms; we do the same.
	 */
	ok = carp_proto_hmac(vc, out->rx_hdr.ch_counter, 0, md) == 0 &&
	    CRYPTO_memcmp(md, out->rx_hdr.ch_md, CARP_MD_LEN) == 0;
	if (!ok && vc->vc_nvip6 > 0)
		ok = carp_proto_hmac(vc, out->rx_hdr.ch_counter, 1, md) == 0 &&
		    CRYPTO_memcmp(md, out->rx_hdr.ch_md, CARP_MD_LEN) == 0;
	explicit_bzero(md, sizeof(md));
	if (!ok)
		return CARP_R_BAD_HMAC;

	/*
	 * Our own advert must never count as a peer's: a source address
	 * of ours (multicast loopback, a bridged loop) or the counter we
	 * last sent (OpenBSD treats its own replay cookie as a loop).
	 */
	if (carp_proto_is_local(rc, &out->rx_src))
		return CARP_R_OWN_PACKET;
	if (vc->vc_counter_set && vc->vc_counter == out->rx_hdr.ch_counter)
		return CARP_R_OWN_PACKET;
	return CARP_R_OK;
}

void
carp_stats_init(struct carp_stats *st, double interval)
{
	memset(st, 0, sizeof(*st));
	st->cs_interval = interval;
}

/*
 * Counts every packet by reason; drops are logged at most once per
 * reason per cs_interval, with how many were not logged in between.
 * Only the source, vhid and reason are logged, never key material.
 */
void
carp_stats_count(struct carp_stats *st, enum carp_reason r,
    const struct carp_rx *rx, double now)
{
	char src[INET6_ADDRSTRLEN];

	if ((int)r < 0 || r >= CARP_R_MAX)
		return;
	st->cs_count[r]++;
	if (r == CARP_R_OK)
		return;
	if (st->cs_logged[r] && now - st->cs_lastlog[r] < st->cs_interval) {
		st->cs_suppressed[r]++;
		return;
	}
	log_warnx("carp: dropped advert from %s vhid %u: %s (%llu so far, "
	    "%llu not logged)",
	    carp_proto_addr_str(rx ? &rx->rx_src : NULL, src, sizeof(src)),
	    rx ? rx->rx_hdr.ch_vhid : 0, carp_proto_reason_name(r),
	    (unsigned long long)st->cs_count[r],
	    (unsigned long long)st->cs_suppressed[r]);
	st->cs_logged[r] = 1;
	st->cs_lastlog[r] = now;
	st->cs_suppressed[r] = 0;
}
