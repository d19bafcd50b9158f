/*
 * carp/engine_int.h — what engine.c (configuration, the node, the
 * simulated wire, status and timeline) shares with engine_linux.c (the
 * sockets, virtual-MAC devices and addresses). Not for other modules.
 */
#ifndef TW_CARP_ENGINE_INT_H
#define TW_CARP_ENGINE_INT_H

#include <jansson.h>
#include <net/if.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include "engine.h"
#include "fsm.h"
#include "live.h"
#include "proto.h"
#include "proxyarp.h"
#include "upstream.h"
#include "util.h"

#define ENG_IFNAME_LEN	17		/* interfaces.name, 16 + NUL */

/* One address of a VIP row: the CARP row itself, an IP alias, proxy ARP. */
struct eng_vip {
	char		 vp_uuid[UUID_LEN + 1];
	char		 vp_mode[12];		/* carp, ipalias, proxyarp */
	char		 vp_iface[ENG_IFNAME_LEN];
	char		 vp_device[IFNAMSIZ];
	char		 vp_subnet[64];		/* the address as configured */
	struct carp_addr vp_addr;
	int		 vp_bits;
	int		 vp_ifindex;		/* linux: the parent device */
	int		 vp_installed;		/* linux: address / entry set */
	/*
	 * proxyarp: the lowest VHID on the same interface governs the
	 * VIP: only its MASTER answers, with the virtual MAC.
	 */
	uint8_t		 vp_gov;		/* 0: none, always answered */
	uint8_t		 vp_mac[ETH_ALEN];	/* linux: the device's MAC */
	int		 vp_pdev;		/* linux: IPv6 proxy entry on */
};

/*
 * One VHID: its configuration (from a snapshot) and, once in force, its
 * runtime. ev_vips[0] is the CARP row, then IP aliases bound to the vhid.
 * ev_vconf holds the key: wipe with carp_proto_vconf_clear().
 */
struct eng_vhid {
	uint8_t		 ev_vhid;
	uint8_t		 ev_advbase;
	uint8_t		 ev_advskew;
	char		 ev_iface[ENG_IFNAME_LEN];
	char		 ev_device[IFNAMSIZ];
	int		 ev_af;			/* family of the adverts */
	struct carp_addr ev_src;		/* own address, never a VIP */
	struct carp_vconf ev_vconf;
	struct eng_vip	*ev_vips;		/* owned */
	size_t		 ev_nvips;

	int		 ev_ifindex;		/* parent (dry: a pseudo index) */
	int		 ev_vmac;		/* linux: twc<vhid>, 0 none */
	char		 ev_vmacname[IFNAMSIZ];
	int		 ev_up;			/* linux: VIPs installed */
	struct carp_vhid *ev_vh;		/* the node's, borrowed */
	double		 ev_last_tx;		/* monotonic: advert sent */
	double		 ev_last_rx;		/* a valid advert heard */
};

/* A parsed snapshot: what carp_engine_conf_new() returns. */
struct carp_engine_conf {
	struct eng_vhid	**cf_vhids;		/* owned */
	size_t		  cf_nvhids;
	struct eng_vip	 *cf_plain;		/* ipalias w/o vhid, proxyarp */
	size_t		  cf_nplain;
	struct proxyarp_if *cf_parp;		/* linux: per device, owned */
	size_t		  cf_nparp;
	int		  cf_preempt;
	/* The liveness channel (hasync live*; live.h). */
	int		  cf_live;
	unsigned int	  cf_live_interval;	/* ms */
	unsigned int	  cf_live_mult;
	int		  cf_upstream;		/* hasync.demoteupstream */
	char		  cf_sync_iface[ENG_IFNAME_LEN];	/* "" none */
	char		  cf_sync_device[IFNAMSIZ];
	struct carp_addr  cf_sync_self, cf_sync_peer;
};

#define ENG_QMAX	512

/* One advert on the simulated wire. */
struct eng_msg {
	int		 m_to_peer;
	uint8_t		 m_vhid, m_advbase, m_skew, m_demote;
};

/* One timeline entry. */
struct eng_tl {
	double		 t_time;		/* wall clock, epoch seconds */
	uint8_t		 t_vhid;
	char		 t_iface[ENG_IFNAME_LEN];
	enum carp_state	 t_from, t_to;
	char		 t_cause[96];
	/* A node-wide entry (vhid 0): the demotion changed, not a state. */
	int		 t_node;
	unsigned int	 t_dfrom, t_dto;
};

/* The engine: one per process (engine.c). */
struct eng_state {
	int			 e_init;
	int			 e_real;
	struct carp_node	 e_node;
	struct carp_node	 e_peer;	/* simulated only */
	struct carp_engine_conf	*e_conf;	/* in force; NULL before */
	struct carp_stats	 e_stats;
	uint64_t		 e_sent, e_senderr;
	struct eng_tl		 e_tl[CARP_ENGINE_TIMELINE];
	size_t			 e_tlnext;
	uint64_t		 e_tltotal;
	char			 e_boot_why[160];	/* CARP_D_BOOT held */
	char			 e_broken[256];	/* no sockets: every VHID INIT */
	double			 e_lastrun;	/* monotonic: the loop last ran */
	struct eng_msg		 e_q[ENG_QMAX];
	size_t			 e_qhead, e_qlen;
	struct carp_addr	 e_self, e_simpeer;
	int			 e_fd4, e_fd6, e_fdlink;
	int			 e_fdpkt;	/* receives (packet socket) */
	double			 e_linkpoll;	/* next carrier poll, real only */
	int			 e_fdarp;	/* ARP requests, with cf_parp */
	uint64_t		 e_arp[PROXYARP_R_MAX];
	uint64_t		 e_arp_senderr;
	double			(*e_clock)(void);
	struct carp_live	 e_live;	/* the liveness channel */
	int			 e_fdlive;	/* receives hellos (packet) */
	int			 e_fdlivetx;	/* sends them (UDP) */
	double			 e_live_yield_at;	/* last yield; 0 never */
	struct carp_up		 e_up;		/* the upstream demotion */
	struct carp_up_in	 e_up_in;	/* what it last judged */
	double			 e_up_next;	/* next evaluation */
};
extern struct eng_state eng;

/*
 * The engine's lock (engine_loop.c): held by the loop thread while it
 * handles events and timers, and by every entry point another thread
 * calls (engine.c, engine_req.c). Recursive: an entry point may call
 * another.
 */
extern pthread_mutex_t eng_mtx;
#define ENG_LOCK()	pthread_mutex_lock(&eng_mtx)
#define ENG_UNLOCK()	pthread_mutex_unlock(&eng_mtx)
/* The engine's monotonic clock (seconds; the tests may set it). */
double	eng_now(void);
/* Makes the loop recompute its timers (a call may have moved one). */
void	eng_wake(void);
/* A node-wide timeline entry: the demotion went from -> to, and why. */
void	eng_timeline_node(unsigned int from, unsigned int to,
	    const char *cause);
/* Tells the subscriber (the parent's loop) of a VHID transition. */
void	eng_publish(int from, int to, unsigned int nmaster);

/*
 * engine_live.c: the liveness channel's sockets and its glue to the
 * FSM. init opens the sockets (real only; 0, or -1 logged and the
 * channel stays off), conf puts cf's settings and paths in force.
 */
/*
 * Seconds without preempt after a yield: long enough that the VIPs do
 * not come straight back on the peer's next advert, short enough that a
 * node frozen once by a loaded host is the preferred master again soon.
 */
#define ENG_LIVE_HOLD	10.0
int	eng_live_init(void);
void	eng_live_shutdown(void);
void	eng_live_conf(const struct carp_engine_conf *, double now);
/* A valid CARP advert from src on ifindex: the path learns its peer. */
void	eng_live_learn(int ifindex, const struct carp_addr *src);
/* Reads hellos; stalled: this thread was frozen past detection time. */
void	eng_live_recv(double now, int stalled);
void	eng_live_run(double now);
double	eng_live_next(void);
/* 1 when the peer is up on some path and its fresh hello holds vhid. */
int	eng_live_peer_holds(uint8_t vhid, double now);
/* 1 when the loop last ran longer ago than the detection time. */
int	eng_live_stalled(double now);

/*
 * engine_up.c: the upstream demotion (upstream.h) in the engine's
 * thread: asks the source, sets the hello's flags, and demotes.
 */
#define ENG_UP_PERIOD	0.25	/* s between evaluations */
void	eng_up_run(double now);
double	eng_up_next(void);
/* carp_status's "upstream": a new object. */
json_t	*eng_up_obj(double now);

/* engine_conf.c */
void	eng_vhid_free(struct eng_vhid *);
/* A new configuration from snap (borrowed), or NULL with err. */
struct carp_engine_conf *eng_conf_parse(json_t *snap, int real, char *err,
	    size_t errlen);
int	eng_vhid_same(const struct eng_vhid *, const struct eng_vhid *);
int	eng_plain_same(const struct eng_vip *, const struct eng_vip *);

/*
 * engine_linux.c. All return 0, or -1 after logging why; nothing here
 * logs a key.
 */
int	eng_linux_init(int *fd4, int *fd6, int *fdlink, int *fdpkt);
void	eng_linux_shutdown(void);
/* Fills ev_ifindex (and the IPv6 link-local source); err for the user. */
int	eng_linux_resolve(struct eng_vhid *, char *err, size_t errlen);
int	eng_linux_resolve_plain(struct eng_vip *, char *err, size_t errlen);
/* Virtual MAC, sysctls, multicast membership: before the FSM sees it. */
int	eng_linux_vhid_add(struct eng_vhid *, int fd4, int fd6);
void	eng_linux_vhid_del(struct eng_vhid *);
int	eng_linux_send(struct eng_vhid *, int fd, const uint8_t *carp);
/* The VIPs on MASTER, off, announced; with the proxy VIPs it governs. */
void	eng_linux_vip_up(struct eng_vhid *);
void	eng_linux_vip_down(struct eng_vhid *);
void	eng_linux_garp(struct eng_vhid *);
/* gov: the VHID governing a proxyarp VIP in its configuration, or NULL. */
void	eng_linux_plain(struct eng_vip *, const struct eng_vhid *gov, int add);

#endif
