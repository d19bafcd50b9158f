/*
 * netlink.h — links, addresses and routes for the linux platform over
 * raw NETLINK_ROUTE sockets, on the message layer of netlink/nl.h (which
 * linux_states.c uses for NETLINK_NETFILTER too). Never runs `ip`.
 *
 * Every call returns 0 (or a count / index) on success and -errno on
 * failure: the kernel's own errno where it answered with one, so
 * strerror(-ret) is the kernel's reason.
 */
#ifndef TW_NETLINK_H
#define TW_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"

/*
 * Routes twinwall installs carry this rtm_protocol, so it can find (and
 * remove) its own routes and never touches anyone else's.
 */
#define TW_RTPROT	177

/* Links. */
struct nl_link {
	int		 l_index;
	unsigned	 l_mtu;
	unsigned	 l_flags;	/* IFF_* */
};

/* Looks a link up by name: 0 and *out, or -ENODEV / -errno. */
int	nl_link_get(int fd, const char *name, struct nl_link *out);
/* Sets the MTU (0 leaves it) and, when up, IFF_UP. 0 or -errno. */
int	nl_link_set(int fd, int index, unsigned mtu, int up);

/* An address on a link, or a route destination. */
struct nl_addr {
	int		 a_family;	/* AF_INET, AF_INET6 */
	int		 a_index;	/* link */
	int		 a_prefix;
	uint8_t		 a_addr[16];
};

/*
 * Parses "192.0.2.1" or "2001:db8::1" with prefix into a; 0 or -EINVAL.
 * nl_addr_text writes "addr/prefix" (prefix < 0: the address only).
 */
int	nl_addr_parse(const char *text, int prefix, struct nl_addr *a);
char	*nl_addr_text(const struct nl_addr *, int prefix, char *buf,
	    size_t len);
int	nl_addr_equal(const struct nl_addr *, const struct nl_addr *);

/*
 * The addresses of family (AF_UNSPEC: both) on link index (0: every
 * link). *out is a new array of *n entries the caller frees. 0/-errno.
 */
int	nl_addr_list(int fd, int family, int index, struct nl_addr **out,
	    size_t *n);
int	nl_addr_add(int fd, const struct nl_addr *);
int	nl_addr_del(int fd, const struct nl_addr *);

/*
 * A route: dst/prefix via gw (optional) on oif, in the main table unless
 * r_table says another; unicast unless r_unreach (a route that answers
 * "network unreachable": a policy table that must not fall through).
 */
struct nl_route {
	struct nl_addr	 r_dst;		/* a_prefix 0: the default route */
	int		 r_has_gw;
	uint8_t		 r_gw[16];
	int		 r_oif;		/* 0: let the kernel pick */
	int		 r_proto;	/* RTPROT_*, TW_RTPROT */
	uint32_t	 r_table;	/* 0: RT_TABLE_MAIN */
	int		 r_unreach;	/* RTN_UNREACHABLE, no gateway */
};

/*
 * Unicast routes of the main table of family (AF_UNSPEC: both) with
 * protocol proto (0: any). *out as for nl_addr_list.
 */
int	nl_route_list(int fd, int family, int proto, struct nl_route **out,
	    size_t *n);
/*
 * Unicast and unreachable routes of the tables lo..hi (inclusive) with
 * protocol proto, r_table filled. As nl_route_list.
 */
int	nl_route_list_tables(int fd, int family, int proto, uint32_t lo,
	    uint32_t hi, struct nl_route **out, size_t *n);
/* Adds or replaces the route to r_dst (NLM_F_REPLACE); 0/-errno. */
int	nl_route_replace(int fd, const struct nl_route *);
int	nl_route_del(int fd, const struct nl_route *);
/* Whether two routes have the same destination, gateway and oif. */
int	nl_route_equal(const struct nl_route *, const struct nl_route *);

/*
 * A policy routing rule: packets whose mark & ru_mask == ru_mark look
 * their route up in ru_table, at preference ru_prio. twinwall's rules
 * carry protocol TW_RTPROT (FRA_PROTOCOL) like its routes.
 */
struct nl_rule {
	int		 ru_family;
	uint32_t	 ru_prio;
	uint32_t	 ru_mark, ru_mask;
	uint32_t	 ru_table;
};

/* The rules of family (AF_UNSPEC: both) with protocol proto (0: any). */
int	nl_rule_list(int fd, int family, int proto, struct nl_rule **out,
	    size_t *n);
int	nl_rule_add(int fd, const struct nl_rule *);
int	nl_rule_del(int fd, const struct nl_rule *);

#endif
