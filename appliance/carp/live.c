/*
 * carp/live.c — the liveness channel's state machine and wire (live.h).
 *
 * A path is UP from the first valid hello and DOWN once the peer's
 * detection time passes without one (RFC 5880 6.8.4). The channel has no
 * three-way handshake: each side only judges what it hears, which is all
 * a backup needs to know ("is the master still talking to me?").
 */
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <sys/socket.h>

#include "live.h"
#include "util.h"

static const char *carp_live_reason_names[CARP_LIVE_R_MAX] = {
	[CARP_LIVE_R_OK] = "ok",
	[CARP_LIVE_R_SHORT] = "short packet",
	[CARP_LIVE_R_BAD_IP] = "not IPv4/UDP to the liveness port",
	[CARP_LIVE_R_BAD_TTL] = "TTL not 255",
	[CARP_LIVE_R_BAD_VERSION] = "bad version",
	[CARP_LIVE_R_BAD_FIELD] = "zero multiplier or interval",
	[CARP_LIVE_R_OWN] = "own hello looped back",
	[CARP_LIVE_R_NO_PATH] = "no path on that interface",
	[CARP_LIVE_R_BAD_PEER] = "source is not the path's peer",
	[CARP_LIVE_R_BAD_HMAC] = "bad HMAC (wrong VHID passwords)",
	[CARP_LIVE_R_REPLAY] = "sequence number not newer (replay)",
	[CARP_LIVE_R_DISABLED] = "channel disabled",
};

static const char *carp_live_state_names[] = { "down", "up" };

const char *
carp_live_reason_name(enum carp_live_reason r)
{
	return (int)r >= 0 && r < CARP_LIVE_R_MAX ?
	    carp_live_reason_names[r] : "?";
}

const char *
carp_live_state_name(enum carp_live_pstate s)
{
	return s == CARP_LIVE_UP ? carp_live_state_names[1] :
	    carp_live_state_names[0];
}

void
carp_live_map_set(uint8_t map[CARP_LIVE_MAPLEN], uint8_t vhid)
{
	map[vhid / 8] |= (uint8_t)(1u << (vhid % 8));
}

int
carp_live_map_has(const uint8_t map[CARP_LIVE_MAPLEN], uint8_t vhid)
{
	return (map[vhid / 8] >> (vhid % 8)) & 1;
}

void
carp_live_init(struct carp_live *cl, uint32_t disc, uint64_t seq0)
{
	memset(cl, 0, sizeof(*cl));
	cl->cl_disc = disc != 0 ? disc : 1;	/* 0 is never valid */
	cl->cl_seq = seq0;
	cl->cl_interval_ms = 50;
	cl->cl_mult = 3;
}

void
carp_live_clear(struct carp_live *cl)
{
	OPENSSL_cleanse(cl->cl_key, sizeof(cl->cl_key));
}

int
carp_live_configure(struct carp_live *cl, int enabled,
    unsigned int interval_ms, unsigned int mult)
{
	if (interval_ms < CARP_LIVE_INTERVAL_MIN ||
	    interval_ms > CARP_LIVE_INTERVAL_MAX ||
	    mult < CARP_LIVE_MULT_MIN || mult > CARP_LIVE_MULT_MAX)
		return -1;
	cl->cl_enabled = enabled != 0;
	cl->cl_interval_ms = interval_ms;
	cl->cl_mult = mult;
	return 0;
}

int
carp_live_set_key(struct carp_live *cl, const uint8_t *material, size_t len)
{
	static const char	label[] = "twinwall liveness v1";
	unsigned int		mdlen = sizeof(cl->cl_key);

	if (HMAC(EVP_sha256(), material, (int)len, (const uint8_t *)label,
	    sizeof(label) - 1, cl->cl_key, &mdlen) == NULL)
		return -1;
	return 0;
}

static int
carp_live_addr_eq(const struct carp_addr *a, const struct carp_addr *b)
{
	return a->ca_af == b->ca_af && (a->ca_af == 0 ||
	    memcmp(&a->ca_u.v4, &b->ca_u.v4, sizeof(a->ca_u.v4)) == 0);
}

void
carp_live_paths_begin(struct carp_live *cl, struct carp_live_path *tmp,
    size_t *ntmp)
{
	(void)cl;
	memset(tmp, 0, CARP_LIVE_MAXPATHS * sizeof(*tmp));
	*ntmp = 0;
}

int
carp_live_path_add(struct carp_live_path *tmp, size_t *ntmp,
    const char *name, int ifindex, const struct carp_addr *self,
    const struct carp_addr *peer)
{
	struct carp_live_path	*lp;
	size_t			 i;

	/* One path per interface: a second VHID on it adds nothing. */
	for (i = 0; i < *ntmp; i++)
		if (tmp[i].lp_ifindex == ifindex)
			return 0;
	if (*ntmp == CARP_LIVE_MAXPATHS || self->ca_af != AF_INET)
		return -1;
	lp = &tmp[(*ntmp)++];
	memset(lp, 0, sizeof(*lp));
	util_strlcpy(lp->lp_name, name, sizeof(lp->lp_name));
	lp->lp_ifindex = ifindex;
	lp->lp_self = *self;
	if (peer != NULL && peer->ca_af == AF_INET) {
		lp->lp_peer = *peer;
		lp->lp_configured = 1;
	}
	return 0;
}

void
carp_live_paths_commit(struct carp_live *cl, const struct carp_live_path *tmp,
    size_t ntmp, double now)
{
	struct carp_live_path	 old[CARP_LIVE_MAXPATHS];
	size_t			 nold = cl->cl_npaths, i, j;

	memcpy(old, cl->cl_paths, sizeof(old));
	memset(cl->cl_paths, 0, sizeof(cl->cl_paths));
	cl->cl_peer_up = 0;
	for (i = 0; i < ntmp; i++) {
		cl->cl_paths[i] = tmp[i];
		for (j = 0; j < nold; j++)
			if (old[j].lp_ifindex == tmp[i].lp_ifindex &&
			    carp_live_addr_eq(&old[j].lp_self, &tmp[i].lp_self) &&
			    (!tmp[i].lp_configured ||
			    carp_live_addr_eq(&old[j].lp_peer, &tmp[i].lp_peer)))
				break;
		if (j < nold) {
			/* The same path: keep what it learned and its state. */
			cl->cl_paths[i] = old[j];
			util_strlcpy(cl->cl_paths[i].lp_name, tmp[i].lp_name,
			    sizeof(cl->cl_paths[i].lp_name));
			cl->cl_paths[i].lp_configured = tmp[i].lp_configured;
		} else
			cl->cl_paths[i].lp_t_tx = now;
		if (cl->cl_paths[i].lp_state == CARP_LIVE_UP)
			cl->cl_peer_up = 1;
	}
	cl->cl_npaths = ntmp;
}

void
carp_live_learn(struct carp_live *cl, int ifindex, const struct carp_addr *src)
{
	size_t i;

	if (src->ca_af != AF_INET)
		return;
	for (i = 0; i < cl->cl_npaths; i++) {
		struct carp_live_path *lp = &cl->cl_paths[i];

		if (lp->lp_ifindex != ifindex || lp->lp_configured)
			continue;
		/* A path that is up keeps the peer whose hellos keep it up. */
		if (lp->lp_peer.ca_af == 0 || lp->lp_state == CARP_LIVE_DOWN)
			lp->lp_peer = *src;
	}
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
carp_live_mac(const struct carp_live *cl, const uint8_t *msg,
    uint8_t md[CARP_LIVE_MDLEN])
{
	unsigned int mdlen = CARP_LIVE_MDLEN;

	return HMAC(EVP_sha256(), cl->cl_key, sizeof(cl->cl_key), msg,
	    CARP_LIVE_LEN - CARP_LIVE_MDLEN, md, &mdlen) == NULL ? -1 : 0;
}

void
carp_live_encode(struct carp_live *cl, const uint8_t map[CARP_LIVE_MAPLEN],
    uint8_t out[CARP_LIVE_LEN])
{
	uint64_t	seq = ++cl->cl_seq;
	int		i;

	memset(out, 0, CARP_LIVE_LEN);
	out[0] = CARP_LIVE_VERSION;
	out[1] = cl->cl_flags;
	out[2] = (uint8_t)cl->cl_mult;
	put32(out + 4, cl->cl_disc);
	put32(out + 8, cl->cl_interval_ms);
	for (i = 0; i < 8; i++)
		out[12 + i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(out + 20, map, CARP_LIVE_MAPLEN);
	if (carp_live_mac(cl, out, out + 20 + CARP_LIVE_MAPLEN) == -1)
		memset(out + 20 + CARP_LIVE_MAPLEN, 0, CARP_LIVE_MDLEN);
}

static enum carp_live_reason
carp_live_count(struct carp_live *cl, enum carp_live_reason r)
{
	cl->cl_rej[r]++;
	return r;
}

enum carp_live_reason
carp_live_input(struct carp_live *cl, const uint8_t *pkt, size_t len,
    int ifindex, double now, size_t *path)
{
	struct carp_live_path	*lp = NULL;
	struct carp_addr	 src;
	const uint8_t		*h;
	uint8_t			 md[CARP_LIVE_MDLEN];
	uint64_t		 seq = 0;
	uint32_t		 ival;
	size_t			 hl, i;

	if (!cl->cl_enabled)
		return carp_live_count(cl, CARP_LIVE_R_DISABLED);
	if (len < CARP_IP4_HDR_LEN)
		return carp_live_count(cl, CARP_LIVE_R_SHORT);
	hl = (size_t)(pkt[0] & 0x0f) * 4;
	if ((pkt[0] >> 4) != 4 || hl < CARP_IP4_HDR_LEN || pkt[9] != 17)
		return carp_live_count(cl, CARP_LIVE_R_BAD_IP);
	if (len < hl + 8 + CARP_LIVE_LEN)
		return carp_live_count(cl, CARP_LIVE_R_SHORT);
	if ((pkt[hl + 2] << 8 | pkt[hl + 3]) != CARP_LIVE_PORT)
		return carp_live_count(cl, CARP_LIVE_R_BAD_IP);
	/* RFC 5881 5 (GTSM): only a neighbour on the link can send 255. */
	if (pkt[8] != 255)
		return carp_live_count(cl, CARP_LIVE_R_BAD_TTL);
	h = pkt + hl + 8;
	if (h[0] != CARP_LIVE_VERSION)
		return carp_live_count(cl, CARP_LIVE_R_BAD_VERSION);
	ival = get32(h + 8);
	/* RFC 5880 6.8.6: a zero multiplier or discriminator is discarded. */
	if (h[2] == 0 || ival == 0 || get32(h + 4) == 0)
		return carp_live_count(cl, CARP_LIVE_R_BAD_FIELD);
	if (get32(h + 4) == cl->cl_disc)
		return carp_live_count(cl, CARP_LIVE_R_OWN);
	for (i = 0; i < cl->cl_npaths; i++)
		if (cl->cl_paths[i].lp_ifindex == ifindex) {
			lp = &cl->cl_paths[i];
			break;
		}
	if (lp == NULL)
		return carp_live_count(cl, CARP_LIVE_R_NO_PATH);
	memset(&src, 0, sizeof(src));
	src.ca_af = AF_INET;
	memcpy(&src.ca_u.v4, pkt + 12, 4);
	if (lp->lp_peer.ca_af != 0 && !carp_live_addr_eq(&lp->lp_peer, &src) &&
	    (lp->lp_configured || lp->lp_state == CARP_LIVE_UP))
		return carp_live_count(cl, CARP_LIVE_R_BAD_PEER);
	/* RFC 5880 6.7.1: authenticate before anything changes. */
	if (carp_live_mac(cl, h, md) == -1 ||
	    CRYPTO_memcmp(md, h + 20 + CARP_LIVE_MAPLEN, CARP_LIVE_MDLEN) != 0)
		return carp_live_count(cl, CARP_LIVE_R_BAD_HMAC);
	for (i = 0; i < 8; i++)
		seq = seq << 8 | h[12 + i];
	/*
	 * RFC 5880 6.7.3 (meticulous keyed): each packet's sequence number
	 * must be newer than the last accepted on this path, so a recorded
	 * hello cannot keep a dead peer alive.
	 */
	if (lp->lp_seq_set && seq <= lp->lp_rx_seq)
		return carp_live_count(cl, CARP_LIVE_R_REPLAY);
	lp->lp_rx_seq = seq;
	lp->lp_seq_set = 1;
	lp->lp_peer = src;		/* authenticated: learned */
	lp->lp_last_rx = now;
	lp->lp_detect = h[2] * (ival > cl->cl_interval_ms ? ival :
	    cl->cl_interval_ms) / 1000.0;
	lp->lp_rx++;
	if (lp->lp_state != CARP_LIVE_UP) {
		lp->lp_state = CARP_LIVE_UP;
		lp->lp_ever_up = 1;
		lp->lp_t_tx = now;	/* answer at the fast rate now */
	}
	cl->cl_peer_up = 1;
	cl->cl_peer_disc = get32(h + 4);
	memcpy(cl->cl_peer_map, h + 20, CARP_LIVE_MAPLEN);
	cl->cl_peer_flags = h[1];
	cl->cl_peer_map_at = now;
	*path = (size_t)(lp - cl->cl_paths);
	return carp_live_count(cl, CARP_LIVE_R_OK);
}

static double
carp_live_tx_interval(const struct carp_live *cl,
    const struct carp_live_path *lp)
{
	return lp->lp_ever_up ? cl->cl_interval_ms / 1000.0 : CARP_LIVE_SLOW;
}

double
carp_live_tick(struct carp_live *cl, double now, struct carp_live_out *out)
{
	struct carp_live_path	*lp;
	size_t			 i;
	int			 was_up = cl->cl_peer_up, up = 0;

	memset(out, 0, sizeof(*out));
	if (!cl->cl_enabled)
		return 0;
	for (i = 0; i < cl->cl_npaths; i++) {
		lp = &cl->cl_paths[i];
		if (lp->lp_state == CARP_LIVE_UP &&
		    now > lp->lp_last_rx + lp->lp_detect) {
			lp->lp_state = CARP_LIVE_DOWN;
			lp->lp_downs++;
		}
		if (lp->lp_state == CARP_LIVE_UP)
			up = 1;
		if (lp->lp_peer.ca_af != 0 && now >= lp->lp_t_tx) {
			out->lo_send |= 1u << i;
			lp->lp_t_tx = now + carp_live_tx_interval(cl, lp);
		}
	}
	cl->cl_peer_up = up;
	/* Every path down at once: the peer, not one of its links. */
	if (was_up && !up) {
		out->lo_peer_dead = 1;
		memcpy(out->lo_map, cl->cl_peer_map, CARP_LIVE_MAPLEN);
		cl->cl_dead_at = now;
		cl->cl_deaths++;
	}
	return carp_live_next(cl);
}

double
carp_live_next(const struct carp_live *cl)
{
	const struct carp_live_path	*lp;
	double				 next = 0, t;
	size_t				 i;

	if (!cl->cl_enabled)
		return 0;
	for (i = 0; i < cl->cl_npaths; i++) {
		lp = &cl->cl_paths[i];
		if (lp->lp_peer.ca_af != 0 && (next == 0 || lp->lp_t_tx < next))
			next = lp->lp_t_tx;
		if (lp->lp_state == CARP_LIVE_UP) {
			/* Just past the deadline: tick tests "now >". */
			t = lp->lp_last_rx + lp->lp_detect + 0.001;
			if (next == 0 || t < next)
				next = t;
		}
	}
	return next;
}

double
carp_live_detect(const struct carp_live *cl)
{
	return cl->cl_mult * cl->cl_interval_ms / 1000.0;
}

int
carp_live_peer_holds(const struct carp_live *cl, uint8_t vhid, double since)
{
	return cl->cl_enabled && cl->cl_peer_map_at > 0 &&
	    cl->cl_peer_map_at >= since &&
	    carp_live_map_has(cl->cl_peer_map, vhid);
}

enum carp_up_peer
carp_live_peer_upstream(const struct carp_live *cl, double since)
{
	if (!cl->cl_enabled || cl->cl_peer_map_at <= 0 ||
	    cl->cl_peer_map_at < since ||
	    !(cl->cl_peer_flags & CARP_LIVE_F_UPINFO))
		return CARP_UP_P_UNKNOWN;
	return cl->cl_peer_flags & CARP_LIVE_F_UPSTREAM ? CARP_UP_P_UP :
	    CARP_UP_P_DOWN;
}
