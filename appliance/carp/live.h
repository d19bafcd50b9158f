/*
 * carp/live.h — the liveness channel between two twinwall peers, on the
 * model of BFD (RFC 5880): small authenticated hellos, unicast UDP
 * between the nodes' own addresses, every interval on every path (the
 * state-sync link and each CARP interface), and a path is down when no
 * hello came for the peer's detection multiplier x interval.
 *
 * The peer is dead when every path that was up is down at once; only
 * then may a BACKUP take over before CARP's master-down (fsm.c,
 * CARP_E_PEER_DEAD). One lost path is never a reason by itself.
 *
 * Pure, like fsm.c and proto.c: no socket and no clock. The caller
 * passes the time into every call, sends what carp_live_tick() says is
 * due, and hands every received IPv4 packet to carp_live_input(), which
 * checks it and counts each rejection by its reason.
 *
 * Key: HMAC-SHA256 keyed with a key derived from the passwords of every
 * VHID (carp_live_set_key). Both peers hold the same VIPs (they must, for
 * CARP to work), while the hasync credentials exist only on the node
 * that pushes configuration; and the channel speaks for all VHIDs at
 * once, so a sender must know all their passwords.
 *
 * Wire (UDP payload, CARP_LIVE_LEN bytes, big-endian):
 *   0 version (1)   1 flags (CARP_LIVE_F_*)   2 detect multiplier
 *   3 reserved (0)
 *   4 sender discriminator (32)   8 transmit interval, ms (32)
 *  12 sequence number (64): +1 per hello on any path, from a start the
 *     caller picks (the wall clock in ns), never lower than the last
 *  20 the VHIDs the sender is MASTER of (256-bit map, bit v = vhid v)
 *  52 HMAC-SHA256 over bytes 0-51
 */
#ifndef TW_CARP_LIVE_H
#define TW_CARP_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "upstream.h"

#define CARP_LIVE_PORT		3790	/* UDP, both ends */
#define CARP_LIVE_VERSION	1
#define CARP_LIVE_MAPLEN	32
#define CARP_LIVE_MDLEN		32
#define CARP_LIVE_LEN		(20 + CARP_LIVE_MAPLEN + CARP_LIVE_MDLEN)
#define CARP_LIVE_PKT_LEN	(CARP_IP4_HDR_LEN + 8 + CARP_LIVE_LEN)
#define CARP_LIVE_MAXPATHS	8
#define CARP_LIVE_SLOW		1.0	/* s: to a peer never heard (RFC 5880 6.8.3) */
#define CARP_LIVE_INTERVAL_MIN	10	/* ms */
#define CARP_LIVE_INTERVAL_MAX	10000
#define CARP_LIVE_MULT_MIN	2
#define CARP_LIVE_MULT_MAX	50
/*
 * Flags (byte 1), under the HMAC like every byte. A peer of a version
 * that sends 0 and ignores the byte reports nothing, which is why the
 * flags need no new version (a version bump would make the two refuse
 * each other's hellos during an upgrade).
 */
#define CARP_LIVE_F_UPINFO	0x01	/* the sender reports its upstream */
#define CARP_LIVE_F_UPSTREAM	0x02	/* ... and an upstream gateway is up */

/* Why a received packet was refused; each counted (carp_live_reason_name). */
enum carp_live_reason {
	CARP_LIVE_R_OK = 0,
	CARP_LIVE_R_SHORT,		/* shorter than IP + UDP + hello */
	CARP_LIVE_R_BAD_IP,		/* not IPv4/UDP to our port */
	CARP_LIVE_R_BAD_TTL,		/* RFC 5881 5: TTL must be 255 */
	CARP_LIVE_R_BAD_VERSION,
	CARP_LIVE_R_BAD_FIELD,		/* RFC 5880 6.8.6: mult 0, interval 0 */
	CARP_LIVE_R_OWN,		/* our own discriminator: a loop */
	CARP_LIVE_R_NO_PATH,		/* arrived where we have no path */
	CARP_LIVE_R_BAD_PEER,		/* not from the path's peer */
	CARP_LIVE_R_BAD_HMAC,		/* RFC 5880 6.7: authentication */
	CARP_LIVE_R_REPLAY,		/* RFC 5880 6.7.3: sequence not newer */
	CARP_LIVE_R_DISABLED,		/* the channel is off here */
	CARP_LIVE_R_MAX
};

enum carp_live_pstate {
	CARP_LIVE_DOWN = 0,		/* no hello within detection time */
	CARP_LIVE_UP
};

struct carp_live_path {
	char		 lp_name[17];	/* interface name, for status */
	int		 lp_ifindex;
	struct carp_addr lp_self;	/* our address on it (IPv4) */
	struct carp_addr lp_peer;	/* ca_af 0: not known yet */
	int		 lp_configured;	/* lp_peer set by configuration */
	enum carp_live_pstate lp_state;
	int		 lp_ever_up;
	double		 lp_last_rx;	/* last accepted hello */
	double		 lp_t_tx;	/* next hello; 0 now */
	double		 lp_detect;	/* the peer's mult x interval, s */
	uint64_t	 lp_rx_seq;	/* last accepted sequence */
	int		 lp_seq_set;
	uint64_t	 lp_rx, lp_tx, lp_txerr, lp_downs;
};

struct carp_live {
	int		 cl_enabled;
	unsigned int	 cl_interval_ms;
	unsigned int	 cl_mult;
	uint32_t	 cl_disc;	/* ours, never 0 */
	uint64_t	 cl_seq;	/* last sent */
	uint8_t		 cl_key[CARP_LIVE_MDLEN];	/* never logged */
	struct carp_live_path cl_paths[CARP_LIVE_MAXPATHS];
	size_t		 cl_npaths;
	int		 cl_peer_up;	/* some path up */
	uint8_t		 cl_flags;	/* sent in every hello (F_*) */
	uint8_t		 cl_peer_map[CARP_LIVE_MAPLEN];	/* newest hello */
	uint8_t		 cl_peer_flags;	/* newest hello's */
	double		 cl_peer_map_at;	/* when it came */
	uint32_t	 cl_peer_disc;
	double		 cl_dead_at;	/* last "peer dead"; 0 never */
	uint64_t	 cl_deaths;
	uint64_t	 cl_rej[CARP_LIVE_R_MAX];
};

/* What carp_live_tick() asks of the caller. */
struct carp_live_out {
	unsigned int	 lo_send;	/* bit i: send a hello on path i */
	int		 lo_peer_dead;	/* every path just went down */
	uint8_t		 lo_map[CARP_LIVE_MAPLEN];	/* what it held */
};

void	 carp_live_init(struct carp_live *, uint32_t disc, uint64_t seq0);
/* interval_ms and mult in range (else -1 and nothing changes). */
int	 carp_live_configure(struct carp_live *, int enabled,
	    unsigned int interval_ms, unsigned int mult);
/*
 * The key: HMAC-SHA256 of a fixed label keyed with material (each VHID's
 * number and key, in vhid order). material is not kept. 0 or -1.
 */
int	 carp_live_set_key(struct carp_live *, const uint8_t *material,
	    size_t len);
/*
 * The paths, replaced as a set: a path (same ifindex, self and peer)
 * already there keeps its state. peer may have ca_af 0 (learned later).
 */
void	 carp_live_paths_begin(struct carp_live *, struct carp_live_path *tmp,
	    size_t *ntmp);
int	 carp_live_path_add(struct carp_live_path *tmp, size_t *ntmp,
	    const char *name, int ifindex, const struct carp_addr *self,
	    const struct carp_addr *peer);
void	 carp_live_paths_commit(struct carp_live *,
	    const struct carp_live_path *tmp, size_t ntmp, double now);
/* A CARP advert from src on ifindex: the path's peer, if not known. */
void	 carp_live_learn(struct carp_live *, int ifindex,
	    const struct carp_addr *src);

/* Encodes a hello (next sequence number) into out[CARP_LIVE_LEN]. */
void	 carp_live_encode(struct carp_live *, const uint8_t map[CARP_LIVE_MAPLEN],
	    uint8_t out[CARP_LIVE_LEN]);
/*
 * An IPv4 packet (header included) received on ifindex. Counted; on OK
 * the path is up and *path its index.
 */
enum carp_live_reason carp_live_input(struct carp_live *, const uint8_t *pkt,
	    size_t len, int ifindex, double now, size_t *path);
/* Timers due at now; returns the next deadline (0: none). */
double	 carp_live_tick(struct carp_live *, double now, struct carp_live_out *);
double	 carp_live_next(const struct carp_live *);
/* Detection time of the channel (s): what a stall longer than means. */
double	 carp_live_detect(const struct carp_live *);
/* 1 when the newest hello, heard at or after since, says vhid is held. */
int	 carp_live_peer_holds(const struct carp_live *, uint8_t vhid,
	    double since);
/*
 * What the peer's newest hello, heard at or after since, says of its
 * upstream (UNKNOWN: none that fresh, or it does not report).
 */
enum carp_up_peer carp_live_peer_upstream(const struct carp_live *,
	    double since);
void	 carp_live_map_set(uint8_t map[CARP_LIVE_MAPLEN], uint8_t vhid);
int	 carp_live_map_has(const uint8_t map[CARP_LIVE_MAPLEN], uint8_t vhid);
const char *carp_live_reason_name(enum carp_live_reason);
const char *carp_live_state_name(enum carp_live_pstate);
void	 carp_live_clear(struct carp_live *);	/* wipes the key */

#endif
