/*
 * dhcp_lease.c — reads the DHCPv4 lease a client stored: the server's
 * ACK as it came off the wire (RFC 2131 section 2 layout, RFC 2132
 * options). The parent reads the lease itself rather than trusting a
 * hook's environment: every field is bounds-checked here and leaves as
 * text that inet_ntop made.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dhcp_int.h"

#define BOOTP_FIXED	236	/* op .. file, RFC 2131 figure 1 */
#define BOOTP_OPTIONS	240	/* after the magic cookie */
#define BOOTREPLY	2
#define DHCPACK		5
#define DHCP_MIN_LEASE	20	/* seconds */

enum dhcp_opt {
	OPT_PAD = 0,
	OPT_NETMASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_LEASE = 51,
	OPT_MSGTYPE = 53,
	OPT_SERVER = 54,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_END = 255,
};

static const uint8_t dhcp_cookie[4] = { 99, 130, 83, 99 };

static uint32_t
dhcp_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
dhcp_ntop(const uint8_t *p, char *out, size_t len)
{
	if (inet_ntop(AF_INET, p, out, (socklen_t)len) == NULL)
		out[0] = '\0';
}

/* A netmask's prefix length; -1 when its ones are not contiguous. */
static int
dhcp_mask_bits(uint32_t m)
{
	int n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return m == 0 ? n : -1;
}

int
dhcp_lease4_parse(const uint8_t *buf, size_t len, struct dhcp_lease4 *l,
    char *err, size_t errlen)
{
	const uint8_t	*p, *end;
	uint8_t		 code, olen;
	int		 type = 0, bits, i;

	memset(l, 0, sizeof(*l));
	if (len < BOOTP_OPTIONS || buf[0] != BOOTREPLY ||
	    memcmp(buf + BOOTP_FIXED, dhcp_cookie, 4) != 0) {
		snprintf(err, errlen, "not a DHCP reply");
		return -1;
	}
	dhcp_ntop(buf + 16, l->l_addr, sizeof(l->l_addr));	/* yiaddr */
	if (dhcp_be32(buf + 16) == 0) {
		snprintf(err, errlen, "no address offered");
		return -1;
	}
	p = buf + BOOTP_OPTIONS;
	end = buf + len;
	while (p < end && *p != OPT_END) {
		code = *p++;
		if (code == OPT_PAD)
			continue;
		if (p >= end || (size_t)(end - p) < 1u + *p) {
			snprintf(err, errlen, "option %u runs past the end",
			    code);
			return -1;
		}
		olen = *p++;
		switch (code) {
		case OPT_NETMASK:
			if (olen == 4 && (bits = dhcp_mask_bits(
			    dhcp_be32(p))) > 0)
				l->l_prefix = bits;
			break;
		case OPT_ROUTER:
			if (olen >= 4 && olen % 4 == 0)
				dhcp_ntop(p, l->l_router, sizeof(l->l_router));
			break;
		case OPT_DNS:
			for (i = 0; olen % 4 == 0 && i < olen / 4 &&
			    l->l_ndns < DHCP_DNS_MAX; i++)
				dhcp_ntop(p + 4 * i, l->l_dns[l->l_ndns++],
				    sizeof(l->l_dns[0]));
			break;
		case OPT_SERVER:
			if (olen == 4)
				dhcp_ntop(p, l->l_server, sizeof(l->l_server));
			break;
		case OPT_LEASE:
		case OPT_T1:
		case OPT_T2:
			if (olen != 4)
				break;
			if (code == OPT_LEASE)
				l->l_time = dhcp_be32(p);
			else if (code == OPT_T1)
				l->l_renew = dhcp_be32(p);
			else
				l->l_rebind = dhcp_be32(p);
			break;
		case OPT_MSGTYPE:
			if (olen == 1)
				type = *p;
			break;
		}
		p += olen;
	}
	/* RFC 2131 4.3.1: an ACK to a REQUEST carries the lease time. */
	if (type != DHCPACK || l->l_time == 0) {
		snprintf(err, errlen, "not an acknowledged lease");
		return -1;
	}
	/* The client's floor (dhcpcd keeps a shorter lease this long). */
	if (l->l_time < DHCP_MIN_LEASE)
		l->l_time = DHCP_MIN_LEASE;
	/* RFC 2131 4.4.5: T1 defaults to half the lease, T2 to 7/8. */
	if (l->l_renew == 0 || l->l_renew > l->l_time)
		l->l_renew = l->l_time == UINT32_MAX ? UINT32_MAX :
		    l->l_time / 2;
	if (l->l_rebind == 0 || l->l_rebind > l->l_time ||
	    l->l_rebind < l->l_renew)
		l->l_rebind = l->l_time == UINT32_MAX ? UINT32_MAX :
		    (uint32_t)((uint64_t)l->l_time * 7 / 8);
	if (l->l_prefix == 0)
		l->l_prefix = 32;
	return 0;
}

int
dhcp_lease4_valid(const struct dhcp_lease4 *l, time_t now)
{
	if (l->l_addr[0] == '\0')
		return 0;
	if (l->l_time == UINT32_MAX)	/* RFC 2131 3.3: infinite */
		return 1;
	return now < l->l_start + (time_t)l->l_time;
}

/*
 * DHCPv6 (RFC 8415): the server's REPLY as the client stored it. Section
 * 8: msg-type (1 byte), transaction-id (3), then options of a 2-byte
 * code and a 2-byte length; IA_NA (21.4) and IA_PD (21.21) carry IAID,
 * T1, T2 and their own options, IAADDR (21.6) and IAPREFIX (21.22).
 */
enum dhcp6_opt {
	OPT6_IA_NA = 3,
	OPT6_IAADDR = 5,
	OPT6_STATUS = 13,
	OPT6_DNS = 23,		/* RFC 3646 */
	OPT6_IA_PD = 25,
	OPT6_IAPREFIX = 26,
};

#define DHCP6_REPLY	7
#define DHCP6_HEAD	4
#define IA_HEAD		12	/* IAID, T1, T2 */

static void
dhcp6_ntop(const uint8_t *p, char *out, size_t len)
{
	if (inet_ntop(AF_INET6, p, out, (socklen_t)len) == NULL)
		out[0] = '\0';
}

static uint16_t
dhcp_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * The options of an IA (len bytes at p, after IAID/T1/T2): the first
 * address or prefix still valid. A status option other than Success
 * (RFC 8415 21.13, code 0) means the IA holds nothing.
 */
static void
dhcp6_ia(const uint8_t *p, size_t len, int pd, uint32_t t1, uint32_t t2,
    struct dhcp_lease6 *l)
{
	const uint8_t	*end = p + len;
	uint16_t	 code, olen;
	uint32_t	 pref, valid;

	while ((size_t)(end - p) >= 4) {
		code = dhcp_be16(p);
		olen = dhcp_be16(p + 2);
		p += 4;
		if ((size_t)(end - p) < olen)
			return;
		if (code == OPT6_STATUS && olen >= 2 && dhcp_be16(p) != 0)
			return;
		if (!pd && code == OPT6_IAADDR && olen >= 24 &&
		    l->l6_addr[0] == '\0') {
			pref = dhcp_be32(p + 16);
			valid = dhcp_be32(p + 20);
			/* 21.6: preferred beyond valid is discarded. */
			if (valid > 0 && pref <= valid) {
				dhcp6_ntop(p, l->l6_addr, sizeof(l->l6_addr));
				l->l6_apref = pref;
				l->l6_avalid = valid;
				l->l6_t1 = t1;
				l->l6_t2 = t2;
			}
		}
		if (pd && code == OPT6_IAPREFIX && olen >= 25 &&
		    l->l6_prefix[0] == '\0') {
			pref = dhcp_be32(p);
			valid = dhcp_be32(p + 4);
			/* 21.22: a prefix longer than /64 cannot hold a LAN. */
			if (valid > 0 && pref <= valid && p[8] >= 1 &&
			    p[8] <= 64) {
				l->l6_plen = p[8];
				dhcp6_ntop(p + 9, l->l6_prefix,
				    sizeof(l->l6_prefix));
				l->l6_ppref = pref;
				l->l6_pvalid = valid;
				if (l->l6_t1 == 0) {
					l->l6_t1 = t1;
					l->l6_t2 = t2;
				}
			}
		}
		p += olen;
	}
}

int
dhcp_lease6_parse(const uint8_t *buf, size_t len, struct dhcp_lease6 *l,
    char *err, size_t errlen)
{
	const uint8_t	*p, *end;
	uint16_t	 code, olen;
	int		 i;

	memset(l, 0, sizeof(*l));
	if (len < DHCP6_HEAD || buf[0] != DHCP6_REPLY) {
		snprintf(err, errlen, "not a DHCPv6 reply");
		return -1;
	}
	p = buf + DHCP6_HEAD;
	end = buf + len;
	while ((size_t)(end - p) >= 4) {
		code = dhcp_be16(p);
		olen = dhcp_be16(p + 2);
		p += 4;
		if ((size_t)(end - p) < olen) {
			snprintf(err, errlen, "option %u runs past the end",
			    code);
			return -1;
		}
		if ((code == OPT6_IA_NA || code == OPT6_IA_PD) &&
		    olen >= IA_HEAD)
			dhcp6_ia(p + IA_HEAD, olen - IA_HEAD,
			    code == OPT6_IA_PD, dhcp_be32(p + 4),
			    dhcp_be32(p + 8), l);
		if (code == OPT6_DNS)
			for (i = 0; olen % 16 == 0 && i < olen / 16 &&
			    l->l6_ndns < DHCP_DNS_MAX; i++)
				dhcp6_ntop(p + 16 * i, l->l6_dns[l->l6_ndns++],
				    sizeof(l->l6_dns[0]));
		p += olen;
	}
	if (l->l6_addr[0] == '\0' && l->l6_prefix[0] == '\0') {
		snprintf(err, errlen, "no address or prefix leased");
		return -1;
	}
	return 0;
}

/* A lifetime from start: 0xffffffff is infinite (RFC 8415 7.7). */
static int
dhcp6_alive(time_t start, uint32_t life, time_t now)
{
	return life == UINT32_MAX || now < start + (time_t)life;
}

int
dhcp_lease6_valid(const struct dhcp_lease6 *l, int pd, time_t now)
{
	if (pd)
		return l->l6_prefix[0] != '\0' &&
		    dhcp6_alive(l->l6_start, l->l6_pvalid, now);
	return l->l6_addr[0] != '\0' &&
	    dhcp6_alive(l->l6_start, l->l6_avalid, now);
}
