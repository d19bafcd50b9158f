/*
 * gwmon.h — gateway monitoring: ICMP echo to each gateway's monitor
 * address from a thread of the root parent, loss and delay over a time
 * window, a status per gateway, and the status changes published to the
 * parent's loop (which moves the default route).
 *
 * Two halves: a pure, clock-driven computation (stat.c: probes sent and
 * answered in, a status out; unit-tested with a simulated clock) and the
 * thread with its sockets (gwmon.c), entered through locked functions.
 */
#ifndef TW_GWMON_H
#define TW_GWMON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Status of one gateway. Names are OPNsense's (routes/gateway/status). */
enum gwmon_status {
	GWMON_PENDING,		/* no probe has an outcome yet */
	GWMON_ONLINE,
	GWMON_DELAY,		/* delay above latencylow */
	GWMON_LOSS,		/* loss above losslow */
	GWMON_DOWN,		/* above latencyhigh or losshigh */
	GWMON_FORCE_DOWN,	/* force_down: down whatever the probes say */
	GWMON_UNMONITORED,	/* monitor_disable: always up */
	GWMON_NSTATUS
};

/* "none", "down", ...: the API's status. Static. */
const char	*gwmon_status_name(enum gwmon_status);
/* "Online", "Offline", ...: the API's status_translated. Static. */
const char	*gwmon_status_text(enum gwmon_status);
/* Whether traffic should leave another way: down or forced down. */
int		 gwmon_status_down(enum gwmon_status);

/*
 * Whether a group member in status s stays in its tier under trigger
 * ("down", "downloss", "downlatency", "downlosslatency").
 */
int		 gwmon_member_usable(enum gwmon_status s, const char *trigger);

/*
 * The member a gateway group's traffic takes (policy routing): of the
 * lowest tier with a member usable under the group's trigger, the first
 * usable one as the tier lists it (weights are not used: one route per
 * group). status_of gives a member's status. Pure. The tier (1..5) and
 * the member's name into buf, or 0 when every member is out.
 */
int		 gwmon_group_pick(json_t *group,
		    enum gwmon_status (*status_of)(const char *name),
		    char *buf, size_t len);

/* Thresholds and timing of one gateway, as its fields say. */
struct gwmon_params {
	long long	 p_interval;	/* us between probes */
	long long	 p_loss;	/* us: no reply by then = lost */
	long long	 p_period;	/* us: the window averaged over */
	long long	 p_latlow;	/* us */
	long long	 p_lathigh;	/* us */
	int		 p_losslow;	/* % */
	int		 p_losshigh;	/* % */
};

struct gwmon_probe {
	long long	 pr_sent;	/* us, monotonic */
	long long	 pr_rtt;	/* us, or -1: no reply (yet) */
	uint16_t	 pr_seq;
};

/* The probes of one gateway within its window: a ring. */
struct gwmon_stat {
	struct gwmon_probe	*s_ring;	/* owned */
	size_t			 s_cap, s_head, s_n;
};

struct gwmon_result {
	double		 r_loss;	/* % of the probes with an outcome */
	double		 r_delay;	/* ms, mean of the replies */
	double		 r_stddev;	/* ms */
	int		 r_known;	/* probes with an outcome */
	enum gwmon_status r_status;
};

/* Room for every probe of one window of p. */
void	gwmon_stat_init(struct gwmon_stat *, const struct gwmon_params *);
void	gwmon_stat_free(struct gwmon_stat *);
void	gwmon_stat_sent(struct gwmon_stat *, uint16_t seq, long long now);
/* A reply to seq at now: 0, or -1 when no such probe is waiting. */
int	gwmon_stat_reply(struct gwmon_stat *, uint16_t seq, long long now);
/* Loss, delay and status at now (force_down is the caller's). */
void	gwmon_stat_eval(const struct gwmon_stat *, const struct gwmon_params *,
	    long long now, struct gwmon_result *);
/* When the next waiting probe counts as lost (us), or -1: none waits. */
long long gwmon_stat_deadline(const struct gwmon_stat *,
	    const struct gwmon_params *, long long now);

/*
 * The thread. start/stop from the parent's main; configure from the
 * platform's apply with the snapshot (borrowed; its gateways and
 * gateway groups); probe 0 lists the gateways without sending anything
 * (the dry platform).
 */
int	gwmon_start(void);
void	gwmon_stop(void);
int	gwmon_configure(json_t *snapshot, int probe);
/* Whether the named gateway is down (or forced down) now. */
int	gwmon_gateway_down(const char *name);
/*
 * This node's upstream as one (hasync.demoteupstream, carp/upstream.h):
 * the enabled gateways marked upstream (defaultgw) that are monitored
 * or forced down. NONE: there is none; UP: one of them is up (online,
 * delay or loss); DOWN: every one is down or forced down; PENDING: the
 * rest, some without a status yet.
 */
enum gwmon_upstream {
	GWMON_UPSTREAM_NONE = 0,
	GWMON_UPSTREAM_PENDING,
	GWMON_UPSTREAM_UP,
	GWMON_UPSTREAM_DOWN
};
struct gwmon_upstream_info {
	enum gwmon_upstream	 u_state;
	int			 u_count;	/* gateways judged */
	/*
	 * Hysteresis derived from the slowest of their probe settings:
	 * two nodes probing one dead upstream notice within about one
	 * interval plus the loss interval of each other, so hold_down is
	 * twice that; hold_up is twice hold_down, and at least half the
	 * averaging window, so a recovering link proves itself. Seconds.
	 */
	double			 u_hold_down;
	double			 u_hold_up;
};
/* Safe from any thread (takes the monitor's lock only). */
void	gwmon_upstream(struct gwmon_upstream_info *);
/* The named gateway's status now; GWMON_DOWN when it is not watched
 * (disabled or unknown). */
enum gwmon_status gwmon_gateway_status(const char *name);
/* The read end of the pipe status changes come on, or -1. */
int	gwmon_pub_fd(void);
/*
 * Reads the waiting status changes, logs each, and calls changed()
 * once when any came (the platform moves routes).
 */
void	gwmon_pub_read(void (*changed)(void));
/*
 * The parent's "gateway_status" request: a new answer object with the
 * gateways ("items"), each group's tier in use ("groups") and the status
 * changes ("timeline").
 */
struct parent;
json_t	*gwmon_req_status(struct parent *, json_t *req, const char *from);

#endif
