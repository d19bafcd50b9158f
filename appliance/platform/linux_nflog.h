/*
 * linux_nflog.h — the firewall log as the kernel hands it out: the NFLOG
 * group the renderer logs to (render.h TW_NFLOG_GROUP) read over a
 * NETLINK_NETFILTER socket, each NFULNL_MSG_PACKET parsed into an entry.
 * Shared by the root parent (fwlog.c) and the console (console_view.c).
 *
 * nfnetlink_log allows one listener per group and network namespace:
 * another socket's bind fails (EPERM from the kernel, EBUSY here).
 */
#ifndef TW_LINUX_NFLOG_H
#define TW_LINUX_NFLOG_H

#include <linux/netlink.h>

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "util.h"

#define LINUX_NFLOG_COPY	160	/* packet bytes: IP, options, L4 */

struct linux_nflog_entry {
	struct timespec	 le_time;	/* the kernel's stamp, else arrival */
	char		 le_hook[12];	/* "prerouting", "input", ... "" */
	char		 le_dir[4];	/* "in", "out", "" (forward: both) */
	char		 le_indev[IF_NAMESIZE];		/* "" none */
	char		 le_outdev[IF_NAMESIZE];
	char		 le_action[8];	/* pass block reject nat rdr, "" */
	char		 le_rule[UUID_LEN + 1];	/* "" unless a twinwall rule */
	int		 le_family;	/* AF_INET, AF_INET6, 0 not IP */
	int		 le_proto;	/* IP protocol, -1 unknown */
	char		 le_src[INET6_ADDRSTRLEN];
	char		 le_dst[INET6_ADDRSTRLEN];
	int		 le_sport, le_dport;		/* -1: none */
	int		 le_icmp_type, le_icmp_code;	/* -1: none */
};

/*
 * Binds NFLOG group (copy-packet mode, LINUX_NFLOG_COPY bytes, each
 * packet sent at once). rcvbuf (bytes, 0 for the default) sizes the
 * socket for bursts. Returns the socket (close-on-exec), or -1 with
 * errno (EBUSY: another listener has the group; EPERM: not root).
 */
int	 linux_nflog_open(int group, int rcvbuf);

/* One parsed entry; arg is the caller's. */
typedef void (*linux_nflog_cb)(const struct linux_nflog_entry *, void *arg);

/*
 * Reads one datagram without blocking and calls cb for every packet
 * message in it. Returns how many, 0 when nothing was waiting, or -1
 * with errno; ENOBUFS means entries were lost and the socket still
 * works.
 */
int	 linux_nflog_read(int fd, linux_nflog_cb cb, void *arg);

/*
 * Parses one NFULNL_MSG_PACKET (h->nlmsg_len bytes, checked by the
 * caller against what was received). 0, or -1 for another message or
 * one too short to be a packet.
 */
int	 linux_nflog_parse(const struct nlmsghdr *h,
	    struct linux_nflog_entry *e);

/*
 * The entry as a new JSON object of strings: time (ISO 8601 UTC with
 * ms), hook, dir, indev, outdev, action, rule, proto, src, src_port, dst,
 * dst_port, icmp_type ("" where the packet has none).
 */
json_t	*linux_nflog_json(const struct linux_nflog_entry *);

#endif
