/*
 * netlink.c — links, addresses and routes for the linux platform
 * (netlink.h) over NETLINK_ROUTE with <linux/rtnetlink.h>, on the
 * message layer of netlink/nl.c. The caller owns the socket
 * (nl_open/nl_close) and every array the list calls return.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink.h"
#include "util.h"

/* Links. */

struct nl_link_arg {
	struct nl_link	*la_out;
	int		 la_found;
};

static int
nl_link_cb(const struct nlmsghdr *h, void *arg)
{
	struct nl_link_arg	*la = arg;
	const struct ifinfomsg	*ifi = NLMSG_DATA(h);
	const struct nlattr	*tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	nl_parse(IFLA_RTA(ifi), IFLA_PAYLOAD(h), tb, IFLA_MAX);
	la->la_out->l_index = ifi->ifi_index;
	la->la_out->l_flags = ifi->ifi_flags;
	la->la_out->l_mtu = nl_u32(tb[IFLA_MTU]);
	la->la_found = 1;
	return 0;
}

int
nl_link_get(int fd, const char *name, struct nl_link *out)
{
	struct nl_msg		m;
	struct ifinfomsg	ifi;
	struct nl_link_arg	la;
	int			r;

	if (name == NULL || name[0] == '\0' || strlen(name) >= IFNAMSIZ)
		return -ENODEV;
	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	nl_msg_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	if ((r = nl_put(&m, IFLA_IFNAME, name, strlen(name) + 1)) < 0)
		return r;
	memset(out, 0, sizeof(*out));
	la.la_out = out;
	la.la_found = 0;
	if ((r = nl_talk(fd, &m, nl_link_cb, &la)) < 0)
		return r;
	return la.la_found ? 0 : -ENODEV;
}

int
nl_link_set(int fd, int index, unsigned mtu, int up)
{
	struct nl_msg		m;
	struct ifinfomsg	ifi;
	int			r;

	memset(&ifi, 0, sizeof(ifi));
	ifi.ifi_family = AF_UNSPEC;
	ifi.ifi_index = index;
	if (up) {
		ifi.ifi_flags = IFF_UP;
		ifi.ifi_change = IFF_UP;
	}
	nl_msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (mtu > 0 && (r = nl_put_u32(&m, IFLA_MTU, mtu)) < 0)
		return r;
	return nl_talk(fd, &m, NULL, NULL);
}

/* Addresses. */

int
nl_addr_parse(const char *text, int prefix, struct nl_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (text == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, text, a->a_addr) == 1) {
		a->a_family = AF_INET;
		if (prefix < 0 || prefix > 32)
			return -EINVAL;
	} else if (inet_pton(AF_INET6, text, a->a_addr) == 1) {
		a->a_family = AF_INET6;
		if (prefix < 0 || prefix > 128)
			return -EINVAL;
	} else
		return -EINVAL;
	a->a_prefix = prefix;
	return 0;
}

static size_t
nl_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

char *
nl_addr_text(const struct nl_addr *a, int prefix, char *buf, size_t len)
{
	char	t[INET6_ADDRSTRLEN];
	size_t	n;

	if (inet_ntop(a->a_family, a->a_addr, t, sizeof(t)) == NULL)
		util_strlcpy(t, "?", sizeof(t));
	util_strlcpy(buf, t, len);
	n = strlen(buf);
	if (prefix >= 0 && n < len)
		snprintf(buf + n, len - n, "/%d", prefix);
	return buf;
}

int
nl_addr_equal(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->a_family == b->a_family && a->a_prefix == b->a_prefix &&
	    memcmp(a->a_addr, b->a_addr, nl_alen(a->a_family)) == 0;
}

/* A growing array of fixed-size entries for the dump callbacks. */
struct nl_vec {
	void	*v_data;
	size_t	 v_n, v_cap, v_size;
	int	 v_family, v_index, v_proto;
	uint32_t v_tlo, v_thi;		/* routes: the tables wanted */
};

static void *
nl_vec_add(struct nl_vec *v)
{
	char *p;

	if (v->v_n == v->v_cap) {
		v->v_cap = v->v_cap ? v->v_cap * 2 : 16;
		v->v_data = xrealloc(v->v_data, v->v_cap * v->v_size);
	}
	p = (char *)v->v_data + v->v_n++ * v->v_size;
	memset(p, 0, v->v_size);
	return p;
}

static int
nl_addr_cb(const struct nlmsghdr *h, void *arg)
{
	struct nl_vec		*v = arg;
	const struct ifaddrmsg	*ifa = NLMSG_DATA(h);
	const struct nlattr	*tb[IFA_MAX + 1], *at;
	struct nl_addr		*a;

	if (h->nlmsg_type != RTM_NEWADDR ||
	    (v->v_index != 0 && (int)ifa->ifa_index != v->v_index) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	nl_parse(IFA_RTA(ifa), IFA_PAYLOAD(h), tb, IFA_MAX);
	/* IFA_LOCAL is the address itself (IFA_ADDRESS the peer on p2p). */
	if ((at = tb[IFA_LOCAL]) == NULL && (at = tb[IFA_ADDRESS]) == NULL)
		return 0;
	if (nl_len(at) != nl_alen(ifa->ifa_family))
		return 0;
	a = nl_vec_add(v);
	a->a_family = ifa->ifa_family;
	a->a_index = (int)ifa->ifa_index;
	a->a_prefix = ifa->ifa_prefixlen;
	memcpy(a->a_addr, nl_data(at), nl_len(at));
	return 0;
}

int
nl_addr_list(int fd, int family, int index, struct nl_addr **out, size_t *n)
{
	struct nl_msg		m;
	struct ifaddrmsg	ifa;
	struct nl_vec		v;
	int			r;

	memset(&v, 0, sizeof(v));
	v.v_size = sizeof(struct nl_addr);
	v.v_index = index;
	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = (uint8_t)family;
	nl_msg_init(&m, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	if ((r = nl_talk(fd, &m, nl_addr_cb, &v)) < 0) {
		free(v.v_data);
		return r;
	}
	*out = v.v_data;
	*n = v.v_n;
	return 0;
}

static int
nl_addr_msg(int fd, uint16_t type, uint16_t flags, const struct nl_addr *a)
{
	struct nl_msg		m;
	struct ifaddrmsg	ifa;
	size_t			alen = nl_alen(a->a_family);
	int			r;

	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = (uint8_t)a->a_family;
	ifa.ifa_prefixlen = (uint8_t)a->a_prefix;
	ifa.ifa_index = (uint32_t)a->a_index;
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	nl_msg_init(&m, type, flags, &ifa, sizeof(ifa));
	if ((r = nl_put(&m, IFA_LOCAL, a->a_addr, alen)) < 0 ||
	    (r = nl_put(&m, IFA_ADDRESS, a->a_addr, alen)) < 0)
		return r;
	if (a->a_family == AF_INET && type == RTM_NEWADDR &&
	    a->a_prefix < 31) {
		uint32_t host, bcast;

		memcpy(&host, a->a_addr, 4);
		bcast = host | htonl(a->a_prefix == 0 ? 0xffffffffu :
		    (1u << (32 - a->a_prefix)) - 1);
		if ((r = nl_put(&m, IFA_BROADCAST, &bcast, 4)) < 0)
			return r;
	}
	return nl_talk(fd, &m, NULL, NULL);
}

int
nl_addr_add(int fd, const struct nl_addr *a)
{
	return nl_addr_msg(fd, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a);
}

int
nl_addr_del(int fd, const struct nl_addr *a)
{
	return nl_addr_msg(fd, RTM_DELADDR, 0, a);
}

/* Routes. */

static int
nl_route_cb(const struct nlmsghdr *h, void *arg)
{
	struct nl_vec		*v = arg;
	const struct rtmsg	*rtm = NLMSG_DATA(h);
	const struct nlattr	*tb[RTA_MAX + 1];
	struct nl_route		*r;
	size_t			 alen;
	uint32_t		 table;

	if (h->nlmsg_type != RTM_NEWROUTE || (rtm->rtm_type != RTN_UNICAST &&
	    (rtm->rtm_type != RTN_UNREACHABLE || v->v_tlo == RT_TABLE_MAIN)) ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (v->v_proto != 0 && rtm->rtm_protocol != v->v_proto))
		return 0;
	nl_parse(RTM_RTA(rtm), RTM_PAYLOAD(h), tb, RTA_MAX);
	table = tb[RTA_TABLE] != NULL ? nl_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table < v->v_tlo || table > v->v_thi)
		return 0;
	alen = nl_alen(rtm->rtm_family);
	r = nl_vec_add(v);
	r->r_table = table == RT_TABLE_MAIN ? 0 : table;
	r->r_unreach = rtm->rtm_type == RTN_UNREACHABLE;
	r->r_dst.a_family = rtm->rtm_family;
	r->r_dst.a_prefix = rtm->rtm_dst_len;
	if (tb[RTA_DST] != NULL && nl_len(tb[RTA_DST]) == alen)
		memcpy(r->r_dst.a_addr, nl_data(tb[RTA_DST]), alen);
	if (tb[RTA_GATEWAY] != NULL && nl_len(tb[RTA_GATEWAY]) == alen) {
		memcpy(r->r_gw, nl_data(tb[RTA_GATEWAY]), alen);
		r->r_has_gw = 1;
	}
	r->r_oif = (int)nl_u32(tb[RTA_OIF]);
	r->r_proto = rtm->rtm_protocol;
	return 0;
}

int
nl_route_list(int fd, int family, int proto, struct nl_route **out,
    size_t *n)
{
	return nl_route_list_tables(fd, family, proto, RT_TABLE_MAIN,
	    RT_TABLE_MAIN, out, n);
}

int
nl_route_list_tables(int fd, int family, int proto, uint32_t lo, uint32_t hi,
    struct nl_route **out, size_t *n)
{
	struct nl_msg	m;
	struct rtmsg	rtm;
	struct nl_vec	v;
	int		r;

	memset(&v, 0, sizeof(v));
	v.v_size = sizeof(struct nl_route);
	v.v_proto = proto;
	v.v_tlo = lo;
	v.v_thi = hi;
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (uint8_t)family;
	nl_msg_init(&m, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	if ((r = nl_talk(fd, &m, nl_route_cb, &v)) < 0) {
		free(v.v_data);
		return r;
	}
	*out = v.v_data;
	*n = v.v_n;
	return 0;
}

static int
nl_route_msg(int fd, uint16_t type, uint16_t flags, const struct nl_route *rt)
{
	struct nl_msg	m;
	struct rtmsg	rtm;
	size_t		alen = nl_alen(rt->r_dst.a_family);
	int		r;

	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (uint8_t)rt->r_dst.a_family;
	rtm.rtm_dst_len = (uint8_t)rt->r_dst.a_prefix;
	/* Tables above 255 travel in RTA_TABLE only. */
	rtm.rtm_table = rt->r_table == 0 ? RT_TABLE_MAIN : rt->r_table < 256 ?
	    (uint8_t)rt->r_table : RT_TABLE_UNSPEC;
	rtm.rtm_protocol = (uint8_t)(rt->r_proto ? rt->r_proto : TW_RTPROT);
	rtm.rtm_scope = rt->r_has_gw || rt->r_unreach ? RT_SCOPE_UNIVERSE :
	    RT_SCOPE_LINK;
	rtm.rtm_type = rt->r_unreach ? RTN_UNREACHABLE : RTN_UNICAST;
	if (type == RTM_DELROUTE)
		rtm.rtm_scope = RT_SCOPE_NOWHERE;
	nl_msg_init(&m, type, flags, &rtm, sizeof(rtm));
	if (rt->r_table != 0 &&
	    (r = nl_put_u32(&m, RTA_TABLE, rt->r_table)) < 0)
		return r;
	if (rt->r_dst.a_prefix > 0 &&
	    (r = nl_put(&m, RTA_DST, rt->r_dst.a_addr, alen)) < 0)
		return r;
	if (rt->r_has_gw && (r = nl_put(&m, RTA_GATEWAY, rt->r_gw, alen)) < 0)
		return r;
	if (rt->r_oif > 0 &&
	    (r = nl_put_u32(&m, RTA_OIF, (uint32_t)rt->r_oif)) < 0)
		return r;
	return nl_talk(fd, &m, NULL, NULL);
}

int
nl_route_replace(int fd, const struct nl_route *rt)
{
	return nl_route_msg(fd, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, rt);
}

int
nl_route_del(int fd, const struct nl_route *rt)
{
	return nl_route_msg(fd, RTM_DELROUTE, 0, rt);
}

int
nl_route_equal(const struct nl_route *a, const struct nl_route *b)
{
	size_t alen = nl_alen(a->r_dst.a_family);

	return nl_addr_equal(&a->r_dst, &b->r_dst) &&
	    a->r_table == b->r_table && a->r_unreach == b->r_unreach &&
	    a->r_has_gw == b->r_has_gw &&
	    (!a->r_has_gw || memcmp(a->r_gw, b->r_gw, alen) == 0) &&
	    (a->r_oif == 0 || b->r_oif == 0 || a->r_oif == b->r_oif);
}

/* Policy routing rules (fib_rules). */

static int
nl_rule_cb(const struct nlmsghdr *h, void *arg)
{
	struct nl_vec			*v = arg;
	const struct fib_rule_hdr	*fr = NLMSG_DATA(h);
	const struct nlattr		*tb[FRA_MAX + 1];
	struct nl_rule			*ru;

	if (h->nlmsg_type != RTM_NEWRULE ||
	    (fr->family != AF_INET && fr->family != AF_INET6))
		return 0;
	nl_parse((const char *)fr + NLMSG_ALIGN(sizeof(*fr)),
	    h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*fr))), tb, FRA_MAX);
	if (v->v_proto != 0 && (tb[FRA_PROTOCOL] == NULL ||
	    *(const uint8_t *)nl_data(tb[FRA_PROTOCOL]) != v->v_proto))
		return 0;
	ru = nl_vec_add(v);
	ru->ru_family = fr->family;
	ru->ru_prio = nl_u32(tb[FRA_PRIORITY]);
	ru->ru_mark = nl_u32(tb[FRA_FWMARK]);
	ru->ru_mask = nl_u32(tb[FRA_FWMASK]);
	ru->ru_table = tb[FRA_TABLE] != NULL ? nl_u32(tb[FRA_TABLE]) :
	    fr->table;
	return 0;
}

int
nl_rule_list(int fd, int family, int proto, struct nl_rule **out, size_t *n)
{
	struct nl_msg		m;
	struct fib_rule_hdr	fr;
	struct nl_vec		v;
	int			r;

	memset(&v, 0, sizeof(v));
	v.v_size = sizeof(struct nl_rule);
	v.v_proto = proto;
	memset(&fr, 0, sizeof(fr));
	fr.family = (uint8_t)family;
	nl_msg_init(&m, RTM_GETRULE, NLM_F_DUMP, &fr, sizeof(fr));
	if ((r = nl_talk(fd, &m, nl_rule_cb, &v)) < 0) {
		free(v.v_data);
		return r;
	}
	*out = v.v_data;
	*n = v.v_n;
	return 0;
}

static int
nl_rule_msg(int fd, uint16_t type, uint16_t flags, const struct nl_rule *ru)
{
	struct nl_msg		m;
	struct fib_rule_hdr	fr;
	int			r;

	memset(&fr, 0, sizeof(fr));
	fr.family = (uint8_t)ru->ru_family;
	fr.table = ru->ru_table < 256 ? (uint8_t)ru->ru_table : RT_TABLE_UNSPEC;
	fr.action = FR_ACT_TO_TBL;
	nl_msg_init(&m, type, flags, &fr, sizeof(fr));
	if ((r = nl_put_u32(&m, FRA_PRIORITY, ru->ru_prio)) < 0 ||
	    (r = nl_put_u32(&m, FRA_FWMARK, ru->ru_mark)) < 0 ||
	    (r = nl_put_u32(&m, FRA_FWMASK, ru->ru_mask)) < 0 ||
	    (r = nl_put_u32(&m, FRA_TABLE, ru->ru_table)) < 0 ||
	    (r = nl_put_u8(&m, FRA_PROTOCOL, TW_RTPROT)) < 0)
		return r;
	return nl_talk(fd, &m, NULL, NULL);
}

int
nl_rule_add(int fd, const struct nl_rule *ru)
{
	return nl_rule_msg(fd, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, ru);
}

int
nl_rule_del(int fd, const struct nl_rule *ru)
{
	return nl_rule_msg(fd, RTM_DELRULE, 0, ru);
}
