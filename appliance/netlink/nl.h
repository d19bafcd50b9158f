/*
 * netlink/nl.h — the one netlink message layer: sockets, attributes,
 * and the request/dump loop. The platform's links, addresses and routes
 * (platform/netlink.h), its ctnetlink and nflog readers, and the CARP
 * engine's devices (carp/linux_dev.c) are all built on it. It depends on
 * nothing of twinwall but util.h, so the CARP engine can use it without
 * the platform module.
 *
 * Every call returns 0 (or a descriptor) on success and -errno on
 * failure: the kernel's own errno where it answered with one, so
 * strerror(-ret) is the kernel's reason.
 */
#ifndef TW_NL_H
#define TW_NL_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#define NL_MSGMAX	8192		/* one request we build */

struct nl_msg {
	union {
		struct nlmsghdr	 m_hdr;
		char		 m_buf[NL_MSGMAX];
	};
};

/* Returns a socket of proto (NETLINK_ROUTE, NETLINK_NETFILTER) or -errno. */
int	nl_open(int proto);
/*
 * A non-blocking socket of proto subscribed to the multicast groups
 * (RTMGRP_* bits) for reading events; fd or -errno.
 */
int	nl_subscribe(int proto, uint32_t groups);
void	nl_close(int fd);

/* Starts msg: header, then hlen bytes of family header (copied). */
void	nl_msg_init(struct nl_msg *, uint16_t type, uint16_t flags,
	    const void *fhdr, size_t hlen);
/* Appends an attribute; 0, or -EMSGSIZE when it does not fit. */
int	nl_put(struct nl_msg *, uint16_t type, const void *data, size_t len);
int	nl_put_u8(struct nl_msg *, uint16_t type, uint8_t);
int	nl_put_u32(struct nl_msg *, uint16_t type, uint32_t);
/* Nesting: begin returns the offset to hand to end (or -EMSGSIZE). */
int	nl_nest_begin(struct nl_msg *, uint16_t type);
void	nl_nest_end(struct nl_msg *, int off);

/*
 * Sends msg and reads the answer to the end: for every data message cb
 * (may be NULL) is called with it; a dump ends at NLMSG_DONE, a request
 * at its ack (or at its one answer, for a GET that is not a dump).
 * Returns 0, the first negative value cb returned, or the kernel's
 * -errno. Answers to earlier requests on fd are skipped.
 */
typedef int (*nl_cb)(const struct nlmsghdr *, void *arg);
int	nl_talk(int fd, struct nl_msg *, nl_cb cb, void *arg);
/* nl_talk on a socket of proto of its own, closed after. */
int	nl_talk_once(int proto, struct nl_msg *, nl_cb cb, void *arg);

/*
 * Indexes the attributes in [start, start + len) by type into tb[0..max]
 * (tb is cleared first; unknown types beyond max are skipped). Pointers
 * are borrowed from the message.
 */
void	nl_parse(const void *start, size_t len, const struct nlattr **tb,
	    int max);
const void *nl_data(const struct nlattr *);
size_t	nl_len(const struct nlattr *);
uint32_t nl_u32(const struct nlattr *);

#endif
