/*
 * carp/proto.h — CARP wire format: the 36-byte header, its checksum, the
 * HMAC-SHA1 over vhid + sorted VIPs + counter, and the checks a received
 * advertisement must pass before the state machine may see it.
 *
 * Wire-compatible with FreeBSD/OpenBSD kernel CARP and ucarp: the
 * layout is struct carp_hdr below, encoded by carp_proto_encode() and
 * checked against a known vector in tests/unit/test_carp_proto.c.
 * Nothing here opens a socket or reads a clock: time is passed in.
 */
#ifndef TW_CARP_PROTO_H
#define TW_CARP_PROTO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#ifndef IPPROTO_CARP
#define IPPROTO_CARP		112
#endif
#define CARP_VERSION		2
#define CARP_TYPE_ADVERTISEMENT	1
#define CARP_HDR_LEN		36	/* header incl. counter and HMAC */
#define CARP_AUTHLEN		7	/* 32-bit words of counter + HMAC */
#define CARP_TTL		255	/* TTL / hop limit, both directions */
#define CARP_MAXSKEW		240	/* FreeBSD never sends more */
#define CARP_KEY_LEN		20	/* carpr_key[20] */
#define CARP_PASS_MAX		(CARP_KEY_LEN - 1)
#define CARP_MD_LEN		20	/* SHA1 */
#define CARP_MAX_VIPS		32	/* per family and VHID */
#define CARP_IP4_HDR_LEN	20
#define CARP_IP6_HDR_LEN	40
#define CARP_IP4_PKT_LEN	(CARP_IP4_HDR_LEN + CARP_HDR_LEN)	/* 56 */
#define CARP_IP6_PKT_LEN	(CARP_IP6_HDR_LEN + CARP_HDR_LEN)	/* 76 */
#define CARP_TOS		0xe0	/* FreeBSD default DSCP 56 (CS7) */
#define CARP_GROUP4		"224.0.0.18"
#define CARP_GROUP6		"ff02::12"

/* The header in host form; counter in host order. */
struct carp_hdr {
	uint8_t		 ch_version;	/* high nibble of byte 0 */
	uint8_t		 ch_type;	/* low nibble of byte 0 */
	uint8_t		 ch_vhid;
	uint8_t		 ch_advskew;
	uint8_t		 ch_authlen;
	uint8_t		 ch_demote;	/* byte 4: OpenBSD demote, else 0 */
	uint8_t		 ch_advbase;
	uint16_t	 ch_cksum;	/* as on the wire, read big-endian */
	uint64_t	 ch_counter;
	uint8_t		 ch_md[CARP_MD_LEN];
};

/* An address of either family; ca_af is AF_INET, AF_INET6 or 0 (none). */
struct carp_addr {
	int		 ca_af;
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	} ca_u;
};

/*
 * What the wire needs to know about one VHID: the key, the VIPs that go
 * into the HMAC (kept sorted, as the HMAC wants them) and the unicast
 * peers. Plain data, no pointers: copy freely, but wipe with
 * carp_proto_vconf_clear() since it holds the key.
 */
struct carp_vconf {
	uint8_t		 vc_vhid;
	uint8_t		 vc_key[CARP_KEY_LEN];	/* NUL padded, never logged */
	size_t		 vc_keylen;
	struct in_addr	 vc_vip4[CARP_MAX_VIPS];	/* ascending */
	size_t		 vc_nvip4;
	struct in6_addr	 vc_vip6[CARP_MAX_VIPS];	/* memcmp order */
	size_t		 vc_nvip6;
	struct carp_addr vc_peer4;	/* unicast peer, ca_af 0 = multicast */
	struct carp_addr vc_peer6;
	uint64_t	 vc_counter;	/* last counter sent */
	int		 vc_counter_set;	/* vc_counter is valid */
};

/* Why a received packet was accepted or dropped. */
enum carp_reason {
	CARP_R_OK = 0,
	CARP_R_SHORT,		/* truncated IP header or CARP header */
	CARP_R_BAD_IP,		/* not IPv4/IPv6, bad IHL, not proto 112 */
	CARP_R_BAD_TTL,
	CARP_R_BAD_CHECKSUM,
	CARP_R_BAD_VERSION,
	CARP_R_BAD_TYPE,
	CARP_R_BAD_AUTHLEN,
	CARP_R_UNKNOWN_VHID,
	CARP_R_BAD_PEER,	/* unicast VHID, source is not the peer */
	CARP_R_BAD_HMAC,
	CARP_R_OWN_PACKET,	/* our source address or our counter */
	CARP_R_MAX
};

/* The receive side's view of the local configuration (borrowed). */
struct carp_rxconf {
	const struct carp_vconf	*rc_vhids;
	size_t			 rc_nvhids;
	const struct carp_addr	*rc_local;	/* our interface addresses */
	size_t			 rc_nlocal;
};

/* What a valid packet carried. rx_vconf points into the rxconf. */
struct carp_rx {
	struct carp_hdr		 rx_hdr;
	struct carp_addr	 rx_src;
	struct carp_addr	 rx_dst;
	uint8_t			 rx_ttl;
	const struct carp_vconf	*rx_vconf;	/* borrowed; NULL if no match */
};

/* Drop counters per reason, and the state of the rate-limited log. */
struct carp_stats {
	uint64_t	 cs_count[CARP_R_MAX];
	uint64_t	 cs_suppressed[CARP_R_MAX];	/* since last line */
	double		 cs_lastlog[CARP_R_MAX];
	int		 cs_logged[CARP_R_MAX];		/* ever logged */
	double		 cs_interval;	/* seconds between lines per reason */
};

/* Internet checksum (RFC 1071) of len bytes; the result is big-endian. */
uint16_t	 carp_proto_cksum(const void *, size_t);

/* Header <-> 36 bytes. encode fills in ch_cksum (in hdr and in out). */
void		 carp_proto_encode(struct carp_hdr *, uint8_t out[CARP_HDR_LEN]);
int		 carp_proto_decode(const uint8_t *, size_t, struct carp_hdr *);

/* VHID configuration. All return 0, or -1 after logging why. */
void		 carp_proto_vconf_init(struct carp_vconf *, uint8_t vhid);
int		 carp_proto_vconf_set_key(struct carp_vconf *, const char *);
int		 carp_proto_vconf_add_vip(struct carp_vconf *,
		    const struct carp_addr *);
void		 carp_proto_vconf_clear(struct carp_vconf *);

/*
 * HMAC-SHA1 over 02 01 vhid, the IPv4 VIPs, the IPv6 VIPs (with link-local
 * ones unless skip_ll6) and the counter. 0 or -1.
 */
int		 carp_proto_hmac(const struct carp_vconf *, uint64_t counter,
		    int skip_ll6, uint8_t md[CARP_MD_LEN]);

/*
 * Fills hdr for an advertisement: advances the VHID's counter (random
 * start, +1 per advert, like FreeBSD) and computes the HMAC. 0 or -1.
 */
int		 carp_proto_advert(struct carp_vconf *, uint8_t advbase,
		    uint8_t advskew, uint8_t demote, struct carp_hdr *);

/*
 * Whole IP packets: header (TTL/hop limit 255, DF, proto 112) + CARP.
 * Return the length written (56 or 76), or -1 if the buffer is short.
 */
int		 carp_proto_build_ip4(const struct carp_hdr *, struct in_addr src,
		    struct in_addr dst, uint8_t *, size_t);
int		 carp_proto_build_ip6(const struct carp_hdr *,
		    const struct in6_addr *src, const struct in6_addr *dst,
		    uint8_t *, size_t);

/*
 * Checks a received IP packet (IPv4 header + CARP, or a 40-byte IPv6
 * header + CARP) against the local configuration. Fills out as far as
 * parsing got; returns CARP_R_OK only if every check passed.
 */
enum carp_reason carp_proto_validate(const uint8_t *, size_t,
		    const struct carp_rxconf *, struct carp_rx *out);

/* Counting and one log line per reason per cs_interval seconds. */
void		 carp_stats_init(struct carp_stats *, double interval);
void		 carp_stats_count(struct carp_stats *, enum carp_reason,
		    const struct carp_rx *, double now);
/* Static strings; never free. */
const char	*carp_proto_reason_name(enum carp_reason);
const char	*carp_proto_addr_str(const struct carp_addr *, char *, size_t);

#endif
