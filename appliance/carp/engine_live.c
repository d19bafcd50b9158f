/*
 * carp/engine_live.c — the liveness channel (live.h) in the engine's
 * thread: its two sockets, its paths from the configuration and from
 * the adverts heard, its timers, and what it tells the FSM.
 *
 * Hellos are received on a packet socket, as CARP adverts are: it sees
 * them before the ruleset's input chain (which lets only CARP and state
 * sync through), so the channel needs no rule of its own. They are sent
 * from a UDP socket bound to the port (so the kernel never answers a
 * hello with "port unreachable") whose own receive queue is kept empty.
 *
 * Two events leave this file: "peer dead" (every path lost at once)
 * promotes the VHIDs the peer held; and on waking from a stall longer
 * than the detection time (SIGSTOP, a hung host), when the peer's
 * queued hellos say it took over, this node yields before it sends a
 * single advert, and holds preempt ENG_LIVE_HOLD s so that it does not
 * take the VIPs back at the peer's next advert.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine_int.h"
#include "linux.h"
#include "live.h"
#include "log.h"
#include "util.h"

#ifndef ETH_P_IP
#define ETH_P_IP	0x0800
#endif

/* IPv4, UDP, not a later fragment, destination port CARP_LIVE_PORT. */
static struct sock_filter eng_live_bpf[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8),
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 9),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14 + 6),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14 + 2),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CARP_LIVE_PORT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffff),
	BPF_STMT(BPF_RET | BPF_K, 0),
};

static uint64_t
eng_live_seq0(void)
{
	struct timespec ts;

	/* Above anything a previous run sent, unless the clock went back. */
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
eng_live_init(void)
{
	struct sockaddr_in	sin;
	uint32_t		disc;
	int			one = 1, ttl = 255, fd = -1, rcvbuf;

	if (util_random(&disc, sizeof(disc)) == -1)
		disc = (uint32_t)getpid() ^ (uint32_t)eng_live_seq0();
	carp_live_init(&eng.e_live, disc, eng_live_seq0());
	eng.e_fdlive = eng.e_fdlivetx = -1;
	if (!eng.e_real)
		return 0;	/* simulated: no wire, no channel */
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("carp: liveness socket");
		goto err;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(CARP_LIVE_PORT);
	/* RFC 5881 5: sent with TTL 255, checked on receipt (GTSM). */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		log_warn("carp: liveness socket, port %d", CARP_LIVE_PORT);
		goto err;
	}
	if (carp_linux_rx_off(fd) == -1)
		goto err;
	eng.e_fdlivetx = fd;
	if ((eng.e_fdlive = carp_linux_bpf_socket(ETH_P_ALL, eng_live_bpf,
	    nitems(eng_live_bpf), "liveness")) == -1)
		goto err;
	/*
	 * A frozen node must still find the peer's newest hellos queued
	 * when it wakes (that is what makes it yield): room for a minute
	 * of them. A full packet socket drops the new ones, not the old.
	 */
	rcvbuf = 4 << 20;
	if (setsockopt(eng.e_fdlive, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1)
		(void)setsockopt(eng.e_fdlive, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	return 0;
err:
	if (fd != -1)
		close(fd);
	eng.e_fdlivetx = -1;
	log_warnx("carp: the liveness channel is off: CARP's own timers only");
	return -1;
}

void
eng_live_shutdown(void)
{
	if (eng.e_fdlive != -1)
		close(eng.e_fdlive);
	if (eng.e_fdlivetx != -1)
		close(eng.e_fdlivetx);
	eng.e_fdlive = eng.e_fdlivetx = -1;
	carp_live_clear(&eng.e_live);
}

/* The key from every VHID's number and key, in vhid order (live.h). */
static void
eng_live_key(const struct carp_engine_conf *cf)
{
	uint8_t	 mat[255 * (1 + CARP_KEY_LEN)];
	size_t	 i, n = 0;

	for (i = 0; i < cf->cf_nvhids; i++) {
		mat[n++] = cf->cf_vhids[i]->ev_vhid;
		memcpy(mat + n, cf->cf_vhids[i]->ev_vconf.vc_key, CARP_KEY_LEN);
		n += CARP_KEY_LEN;
	}
	if (carp_live_set_key(&eng.e_live, mat, n) == -1)
		log_warnx("carp: liveness key: HMAC-SHA256 failed");
	explicit_bzero(mat, sizeof(mat));
}

void
eng_live_conf(const struct carp_engine_conf *cf, double now)
{
	struct carp_live_path	 tmp[CARP_LIVE_MAXPATHS];
	const struct eng_vhid	*ev;
	size_t			 ntmp, i;
	int			 ifindex, on;

	on = eng.e_real && eng.e_fdlive != -1 && cf->cf_live &&
	    eng.e_broken[0] == '\0';
	if (carp_live_configure(&eng.e_live, on, cf->cf_live_interval,
	    cf->cf_live_mult) == -1)
		(void)carp_live_configure(&eng.e_live, 0, 50, 3);
	eng_live_key(cf);
	carp_live_paths_begin(&eng.e_live, tmp, &ntmp);
	/* Off: no path, so the status shows none. */
	if (!on) {
		carp_live_paths_commit(&eng.e_live, tmp, 0, now);
		return;
	}
	if (cf->cf_sync_self.ca_af == AF_INET &&
	    (ifindex = (int)if_nametoindex(cf->cf_sync_device)) > 0)
		(void)carp_live_path_add(tmp, &ntmp, cf->cf_sync_iface, ifindex,
		    &cf->cf_sync_self, &cf->cf_sync_peer);
	for (i = 0; i < cf->cf_nvhids; i++) {
		ev = cf->cf_vhids[i];
		if (ev->ev_af != AF_INET || ev->ev_src.ca_af != AF_INET)
			continue;
		/* A unicast CARP peer is the path's peer; else learned. */
		if (carp_live_path_add(tmp, &ntmp, ev->ev_iface, ev->ev_ifindex,
		    &ev->ev_src, ev->ev_vconf.vc_peer4.ca_af == AF_INET ?
		    &ev->ev_vconf.vc_peer4 : NULL) == -1)
			log_warnx("carp: liveness: no path on %s (at most %d)",
			    ev->ev_iface, CARP_LIVE_MAXPATHS);
	}
	carp_live_paths_commit(&eng.e_live, tmp, ntmp, now);
	if (on)
		log_info("carp: liveness channel on: %zu path(s), every %u ms, "
		    "peer lost after %u missed", ntmp, cf->cf_live_interval,
		    cf->cf_live_mult);
}

void
eng_live_learn(int ifindex, const struct carp_addr *src)
{
	carp_live_learn(&eng.e_live, ifindex, src);
}

/* The VHIDs this node is MASTER of, as the hello's map. */
static void
eng_live_map(uint8_t map[CARP_LIVE_MAPLEN])
{
	size_t i;

	memset(map, 0, CARP_LIVE_MAPLEN);
	for (i = 0; i < eng.e_node.cn_nvhids; i++)
		if (eng.e_node.cn_vhids[i]->vh_state == CARP_S_MASTER)
			carp_live_map_set(map, eng.e_node.cn_vhids[i]->vh_vhid);
}

static int
eng_live_send(struct carp_live_path *lp, const uint8_t *hello)
{
	struct sockaddr_in	 dst;
	struct in_pktinfo	*pi;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct iovec		 iov;
	union {
		struct cmsghdr	 c;
		uint8_t		 b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	}			 cbuf;

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(CARP_LIVE_PORT);
	dst.sin_addr = lp->lp_peer.ca_u.v4;
	iov.iov_base = (void *)hello;
	iov.iov_len = CARP_LIVE_LEN;
	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	msg.msg_name = &dst;
	msg.msg_namelen = sizeof(dst);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.b;
	msg.msg_controllen = sizeof(cbuf.b);
	/* Out of this path's interface, from our address on it. */
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	pi = (struct in_pktinfo *)CMSG_DATA(cm);
	pi->ipi_ifindex = lp->lp_ifindex;
	pi->ipi_spec_dst = lp->lp_self.ca_u.v4;
	return sendmsg(eng.e_fdlivetx, &msg, 0) == CARP_LIVE_LEN ? 0 : -1;
}

int
eng_live_peer_holds(uint8_t vhid, double now)
{
	return eng.e_live.cl_peer_up && carp_live_peer_holds(&eng.e_live,
	    vhid, now - carp_live_detect(&eng.e_live));
}

int
eng_live_stalled(double now)
{
	return eng.e_live.cl_enabled && eng.e_lastrun > 0 &&
	    now - eng.e_lastrun > carp_live_detect(&eng.e_live);
}

void
eng_live_recv(double now, int stalled)
{
	uint8_t			 buf[256], map[CARP_LIVE_MAPLEN];
	enum carp_live_reason	 r;
	ssize_t			 n;
	size_t			 path, i;
	int			 ifindex, af, k, any = 0;

	for (k = 0; k < 512; k++) {
		if ((n = carp_linux_packet_recv(eng.e_fdlive, buf, sizeof(buf),
		    &ifindex, &af)) <= 0)
			break;
		if (af != AF_INET)
			continue;
		r = carp_live_input(&eng.e_live, buf, (size_t)n, ifindex, now,
		    &path);
		if (r == CARP_LIVE_R_OK)
			any = 1;
	}
	if (!stalled || !any)
		return;
	/*
	 * Frozen past the detection time, the peer has had every reason to
	 * take over; its newest hello (just read, before any advert of
	 * ours left) says whether it did.
	 */
	memset(map, 0, sizeof(map));
	for (i = 0; i < eng.e_node.cn_nvhids; i++) {
		uint8_t v = eng.e_node.cn_vhids[i]->vh_vhid;

		if (eng.e_node.cn_vhids[i]->vh_state == CARP_S_MASTER &&
		    carp_live_peer_holds(&eng.e_live, v, now))
			carp_live_map_set(map, v);
	}
	log_warnx("carp: this node was frozen %.3f s (liveness detection "
	    "%.3f s)", now - eng.e_lastrun, carp_live_detect(&eng.e_live));
	eng.e_live_yield_at = now;
	carp_fsm_yield(&eng.e_node, map, now + ENG_LIVE_HOLD, now);
}

void
eng_live_run(double now)
{
	struct carp_live_out	 out;
	uint8_t			 map[CARP_LIVE_MAPLEN], hello[CARP_LIVE_LEN];
	size_t			 i;

	(void)carp_live_tick(&eng.e_live, now, &out);
	if (out.lo_peer_dead) {
		log_warnx("carp: liveness: no hello from the peer on any "
		    "path for %.3f s: it is lost", carp_live_detect(&eng.e_live));
		carp_fsm_peer_dead(&eng.e_node, out.lo_map, now);
	}
	if (out.lo_send == 0 || eng.e_fdlivetx == -1)
		return;
	eng_live_map(map);
	for (i = 0; i < eng.e_live.cl_npaths; i++) {
		struct carp_live_path *lp = &eng.e_live.cl_paths[i];

		if (!(out.lo_send & (1u << i)))
			continue;
		carp_live_encode(&eng.e_live, map, hello);
		if (eng_live_send(lp, hello) == 0)
			lp->lp_tx++;
		else
			lp->lp_txerr++;
	}
}

double
eng_live_next(void)
{
	return carp_live_next(&eng.e_live);
}
