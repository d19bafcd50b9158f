/*
 * linux_net.c — interfaces and routing on Linux, through netlink.c.
 *
 * Interfaces: every enabled interface with a device is brought up, gets
 * its MTU when one is set, and its static IPv4/IPv6 address. Addresses
 * twinwall put there and the store no longer asks for are removed; the
 * list of what twinwall owns is kept in DIR/rendered/owned-addresses.json
 * (root's directory), so an address someone else configured (DHCP, a
 * CARP VIP, the administrator) is never removed.
 *
 * Routing: the default route per family via the upstream gateway (of
 * the gateways with defaultgw=1, the one of lowest priority that the
 * monitor (gwmon/) does not see down; else the gateway named by an
 * interface; else the dynamic gateway of a DHCP interface with a lease),
 * a host route to each monitor address that is not the gateway itself
 * (its probes must leave by its own gateway), and every enabled static
 * route via its named gateway. twinwall's routes
 * carry rtm_protocol TW_RTPROT; one of those the store does not ask for
 * any more (deleted, disabled, its gateway disabled) is removed.
 *
 * Policy routing (render.h TW_MARK_GW): each gateway or group a pass
 * rule names has a table with one default route, through the gateway or
 * the group's member in use (gwmon_group_pick), and an ip rule sending
 * packets with its mark there. When it cannot route (down, every member
 * out) the table is empty, so the lookup goes on to the main table (the
 * default route), or with system skip_rules_gw_down holds an unreachable
 * route, which the ruleset's fib check reads as "skip the rule". A status
 * change re-points these routes; the ruleset stays as it is.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dhcp.h"
#include "gwmon.h"
#include "linux_int.h"
#include "log.h"
#include "netlink.h"
#include "platform_int.h"
#include "render.h"
#include "util.h"

#define NET_MAXOWNED	(1u << 20)	/* owned-addresses.json, bytes */
#define NET_MAXGW	256		/* gateways tried per family */

/*
 * The routing part of the last snapshot applied (interfaces, gateways,
 * routes; owned): a gateway's status change re-routes from it.
 */
static json_t	*net_last;

/* An address the store asks for, with its device name. */
struct net_want {
	char		w_dev[16];
	struct nl_addr	w_addr;
};

/* A static address field: 1 and *a, 0 when not static, -1 bad. */
static int
net_static(const char *addr, const char *bits, int family, struct nl_addr *a)
{
	char	*end;
	long	 n;

	if (addr[0] == '\0' || strcmp(addr, "none") == 0 ||
	    strcmp(addr, "dhcp") == 0 || strncmp(addr, "dhcp6", 5) == 0 ||
	    strcmp(addr, "slaac") == 0 || strncmp(addr, "track", 5) == 0)
		return 0;
	n = strtol(bits, &end, 10);
	if (bits[0] == '\0' || *end != '\0')
		n = family == AF_INET ? 32 : 128;
	if (nl_addr_parse(addr, (int)n, a) != 0 || a->a_family != family)
		return -1;
	return 1;
}

/* Reads the owned list: a new array of "dev addr/prefix" strings. */
static json_t *
net_owned_read(void)
{
	json_t	*j, *list;
	char	*text;

	if ((text = platform_read(LINUX_OWNED, NET_MAXOWNED)) == NULL)
		return json_array();
	j = json_loads(text, 0, NULL);
	free(text);
	list = json_incref(json_object_get(j, "addresses"));
	json_decref(j);
	if (!json_is_array(list)) {
		json_decref(list);
		return json_array();
	}
	return list;
}

static int
net_owned_write(json_t *list, char *err, size_t errlen)
{
	json_t	*j;
	char	*text;
	int	 r;

	j = json_pack("{s:O}", "addresses", list);
	text = json_dumps(j, JSON_INDENT(1));
	json_decref(j);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = platform_write(LINUX_OWNED, text, strlen(text), 0644, err, errlen);
	free(text);
	return r;
}

/*
 * Removing an interface's primary IPv4 address takes its secondaries
 * (same subnet) along unless promote_secondaries is set: twinwall adds
 * the new address before it removes the old, and must not take a
 * foreign address down with its own.
 */
static void
net_promote(const char *dev)
{
	char	path[96];
	int	fd;

	if (strchr(dev, '/') != NULL || dev[0] == '.')
		return;
	snprintf(path, sizeof(path),
	    "/proc/sys/net/ipv4/conf/%s/promote_secondaries", dev);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return;
	if (write(fd, "1\n", 2) != 2)
		log_debug("linux: %s: %s", path, strerror(errno));
	close(fd);
}

static int
net_has_addr(const struct nl_addr *list, size_t n, const struct nl_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].a_index == a->a_index && nl_addr_equal(&list[i], a))
			return 1;
	return 0;
}

/*
 * Brings up the enabled interfaces' links (MTU first) and collects the
 * static addresses they ask for into *want (new array).
 */
static int
net_links(int fd, json_t *snap, struct net_want **want, size_t *nwant,
    char *err, size_t errlen)
{
	struct nl_link	 l;
	struct net_want	*w;
	json_t		*row;
	const char	*dev, *mtu;
	size_t		 i;
	int		 r, fam, k;
	long		 m;

	*want = xcalloc(2 * json_array_size(cfg_rows(snap, "interfaces")) + 1,
	    sizeof(**want));
	*nwant = 0;
	json_array_foreach(cfg_rows(snap, "interfaces"), i, row) {
		dev = cfg_str(row, "device");
		if (!cfg_bool(row, "enabled") || dev[0] == '\0')
			continue;
		if ((r = nl_link_get(fd, dev, &l)) < 0) {
			platform_action("linux: interface %s: device %s: %s; "
			    "skipped", cfg_str(row, "name"), dev,
			    strerror(-r));
			continue;
		}
		mtu = cfg_str(row, "mtu");
		m = mtu[0] != '\0' ? strtol(mtu, NULL, 10) : 0;
		if (m > 0 && (unsigned)m == l.l_mtu)
			m = 0;
		if ((m > 0 || !(l.l_flags & IFF_UP)) &&
		    (r = nl_link_set(fd, l.l_index, (unsigned)m, 1)) < 0) {
			snprintf(err, errlen, "netlink: %s (%s): set mtu %ld "
			    "up: %s", dev, cfg_str(row, "name"), m,
			    strerror(-r));
			return -1;
		}
		if (m > 0)
			platform_action("linux: %s: mtu %ld", dev, m);
		for (k = 0; k < 2; k++) {
			fam = k == 0 ? AF_INET : AF_INET6;
			w = &(*want)[*nwant];
			r = net_static(cfg_str(row, k ? "ipaddrv6" : "ipaddr"),
			    cfg_str(row, k ? "subnetv6" : "subnet"), fam,
			    &w->w_addr);
			if (r == -1) {
				snprintf(err, errlen, "interface %s: bad %s "
				    "address", cfg_str(row, "name"),
				    k ? "IPv6" : "IPv4");
				return -1;
			}
			if (r == 0)
				continue;
			w->w_addr.a_index = l.l_index;
			util_strlcpy(w->w_dev, dev, sizeof(w->w_dev));
			(*nwant)++;
		}
	}
	return 0;
}

int
linux_net_interfaces(json_t *snap, char *err, size_t errlen)
{
	struct net_want	*want = NULL;
	struct nl_addr	*have = NULL, a;
	struct nl_link	 l;
	json_t		*owned = NULL, *nowned, *v, *n;
	char		 text[80], dev[16], werr[256];
	const char	*s;
	size_t		 i, j, nwant = 0, nhave = 0;
	int		 fd, r, ret = -1, found;

	if ((fd = nl_open(NETLINK_ROUTE)) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(-fd));
		return -1;
	}
	nowned = json_array();
	if (net_links(fd, snap, &want, &nwant, err, errlen) == -1)
		goto err;
	if ((r = nl_addr_list(fd, AF_UNSPEC, 0, &have, &nhave)) < 0) {
		snprintf(err, errlen, "netlink: list addresses: %s",
		    strerror(-r));
		goto err;
	}
	for (i = 0; i < nwant; i++) {
		nl_addr_text(&want[i].w_addr, want[i].w_addr.a_prefix, text,
		    sizeof(text));
		json_array_append_new(nowned, json_sprintf("%s %s",
		    want[i].w_dev, text));
		if (net_has_addr(have, nhave, &want[i].w_addr))
			continue;
		if ((r = nl_addr_add(fd, &want[i].w_addr)) < 0 &&
		    r != -EEXIST) {
			snprintf(err, errlen, "netlink: add address %s on %s: "
			    "%s", text, want[i].w_dev, strerror(-r));
			goto err;
		}
		platform_action("linux: added address %s on %s", text,
		    want[i].w_dev);
	}
	/* What twinwall added before and the store no longer asks for. */
	owned = net_owned_read();
	json_array_foreach(owned, i, v) {
		s = json_string_value(v);
		if (s == NULL || sscanf(s, "%15s %79s", dev, text) != 2)
			continue;
		found = 0;
		json_array_foreach(nowned, j, n)
			if (strcmp(json_string_value(n), s) == 0)
				found = 1;
		if (found)
			continue;
		if (strchr(text, '/') == NULL)
			continue;
		r = (int)strtol(strchr(text, '/') + 1, NULL, 10);
		*strchr(text, '/') = '\0';
		if (nl_link_get(fd, dev, &l) < 0 ||
		    nl_addr_parse(text, r, &a) != 0)
			continue;
		a.a_index = l.l_index;
		if (!net_has_addr(have, nhave, &a))
			continue;
		if (a.a_family == AF_INET)
			net_promote(dev);
		if ((r = nl_addr_del(fd, &a)) < 0 && r != -EADDRNOTAVAIL) {
			snprintf(err, errlen, "netlink: remove address %s/%d "
			    "from %s: %s", text, a.a_prefix, dev,
			    strerror(-r));
			goto err;
		}
		platform_action("linux: removed address %s/%d from %s", text,
		    a.a_prefix, dev);
	}
	ret = 0;
err:
	/*
	 * Owned from now on: what the store asks for; after a failure, plus
	 * everything owned before (nothing is forgotten half-way).
	 */
	if (ret == -1 && owned == NULL)
		owned = net_owned_read();
	if (ret == -1)
		json_array_extend(nowned, owned);
	if (net_owned_write(nowned, werr, sizeof(werr)) == -1 && ret == 0) {
		snprintf(err, errlen, "%s", werr);
		ret = -1;
	}
	json_decref(owned);
	json_decref(nowned);
	free(want);
	free(have);
	nl_close(fd);
	return ret;
}

/*
 * The gateway called name: a new reference to its row, or for the
 * dynamic gateway of an interface in DHCP mode (WAN_DHCP) without a
 * stored row, a row made for it. NULL when there is none.
 */
static json_t *
net_gateway(json_t *snap, const char *name)
{
	json_t	*row;
	char	 dyn[64];
	size_t	 i;
	int	 v6;

	if ((row = cfg_row_find(cfg_rows(snap, "gateways"), "name", name)) != NULL)
		return json_incref(row);
	json_array_foreach(cfg_rows(snap, "interfaces"), i, row)
		for (v6 = 0; v6 < 2; v6++) {
			cfg_gw_dynamic_name(cfg_str(row, "name"), v6, dyn,
			    sizeof(dyn));
			if (strcmp(dyn, name) == 0 && (v6 ?
			    strcmp(cfg_str(row, "ipaddrv6"), "dhcp6") == 0 ||
			    strcmp(cfg_str(row, "ipaddrv6"), "slaac") == 0 :
			    strcmp(cfg_str(row, "ipaddr"), "dhcp") == 0))
				return json_pack("{s:s, s:s, s:s, s:s}",
				    "name", dyn, "interface",
				    cfg_str(row, "name"), "ipprotocol",
				    v6 ? "inet6" : "inet", "gateway",
				    "dynamic");
		}
	return NULL;
}

/* A gateway row as a route to dst: 0, or -1 when it cannot be used. */
static int
net_gw_route(int fd, json_t *snap, json_t *gw, const struct nl_addr *dst,
    struct nl_route *rt)
{
	struct nl_addr	 g;
	struct nl_link	 l;
	json_t		*ifr;
	const char	*addr;
	char		 router[64];

	memset(rt, 0, sizeof(*rt));
	if (gw == NULL || cfg_bool(gw, "disabled") ||
	    cfg_bool(gw, "force_down"))
		return -1;
	addr = cfg_str(gw, "gateway");
	/* The lease's router, while there is a lease (dhcp.c). */
	if (strcmp(addr, "dynamic") == 0) {
		if (dhcp_router(cfg_str(gw, "interface"), dst->a_family,
		    router, sizeof(router)) == -1)
			return -1;
		addr = router;
	}
	if (nl_addr_parse(addr, 0, &g) != 0 || g.a_family != dst->a_family)
		return -1;
	rt->r_dst = *dst;
	rt->r_has_gw = 1;
	memcpy(rt->r_gw, g.a_addr, sizeof(rt->r_gw));
	rt->r_proto = TW_RTPROT;
	ifr = cfg_row_find(cfg_rows(snap, "interfaces"), "name",
	    cfg_str(gw, "interface"));
	if (ifr != NULL && cfg_bool(ifr, "enabled") &&
	    nl_link_get(fd, cfg_str(ifr, "device"), &l) == 0)
		rt->r_oif = l.l_index;
	return 0;
}

/* net_gw_route through the gateway called name. */
static int
net_gw_route_name(int fd, json_t *snap, const char *name,
    const struct nl_addr *dst, struct nl_route *rt)
{
	json_t	*gw = net_gateway(snap, name);
	int	 r = net_gw_route(fd, snap, gw, dst, rt);

	json_decref(gw);
	return r;
}

/*
 * The default route of family, through the first usable upstream: of
 * the gateways with defaultgw=1, the one of lowest priority (then the
 * first) that the monitor does not see down, and when all are down the
 * first of them all (a route that may work beats none); then an
 * interface's gateway; then the dynamic gateway of an interface in DHCP
 * mode with a lease (a factory WAN gets its default route with no
 * gateway configured, as on OPNsense). 0 and *rt, or -1 when none can
 * be used.
 */
static int
net_upstream(int fd, json_t *snap, int family, struct nl_route *rt)
{
	json_t		*gws = cfg_rows(snap, "gateways"), *row, *best;
	const char	*want = family == AF_INET ? "inet" : "inet6";
	struct nl_addr	 dst;
	char		 dyn[64], tried[NET_MAXGW];
	size_t		 i, bi = 0;
	long		 prio, bprio = 0;
	int		 pass;

	memset(&dst, 0, sizeof(dst));
	dst.a_family = family;
	/* Pass 0: the gateways that are up, by priority; pass 1: any. */
	for (pass = 0; pass < 2; pass++) {
		memset(tried, 0, sizeof(tried));
		for (;;) {
			best = NULL;
			json_array_foreach(gws, i, row) {
				if (i < NET_MAXGW && tried[i])
					continue;
				if (!cfg_bool(row, "defaultgw") ||
				    cfg_bool(row, "disabled") ||
				    strcmp(cfg_str(row, "ipprotocol"), want) != 0)
					continue;
				if (pass == 0 && (cfg_bool(row, "force_down") ||
				    gwmon_gateway_down(cfg_str(row, "name"))))
					continue;
				prio = strtol(cfg_str(row, "priority"), NULL, 10);
				if (best == NULL || prio < bprio) {
					best = row;
					bprio = prio;
					bi = i;
				}
			}
			if (best == NULL)
				break;
			if (bi < NET_MAXGW)
				tried[bi] = 1;
			if (net_gw_route(fd, snap, best, &dst, rt) == 0)
				return 0;
			if (bi >= NET_MAXGW)
				break;
		}
	}
	json_array_foreach(cfg_rows(snap, "interfaces"), i, row) {
		if (!cfg_bool(row, "enabled") || cfg_str(row, "gateway")[0] ==
		    '\0')
			continue;
		if (net_gw_route_name(fd, snap, cfg_str(row, "gateway"), &dst,
		    rt) == 0)
			return 0;
	}
	json_array_foreach(cfg_rows(snap, "interfaces"), i, row) {
		if (!cfg_bool(row, "enabled"))
			continue;
		cfg_gw_dynamic_name(cfg_str(row, "name"), family == AF_INET6,
		    dyn, sizeof(dyn));
		if (net_gw_route_name(fd, snap, dyn, &dst, rt) == 0)
			return 0;
	}
	return -1;
}

static void
net_route_text(const struct nl_route *rt, char *buf, size_t len)
{
	char	d[64], g[64];
	struct nl_addr ga;

	if (rt->r_dst.a_prefix == 0)
		util_strlcpy(d, "default", sizeof(d));
	else
		nl_addr_text(&rt->r_dst, rt->r_dst.a_prefix, d, sizeof(d));
	ga = rt->r_dst;
	memcpy(ga.a_addr, rt->r_gw, sizeof(ga.a_addr));
	snprintf(buf, len, "%s via %s", d, rt->r_has_gw ?
	    nl_addr_text(&ga, -1, g, sizeof(g)) : "-");
}

/*
 * The route of policy target name into rt (table set by the caller):
 * 0, or -1 when it cannot route now.
 */
static int
net_policy_route(int fd, json_t *snap, const char *name, int family,
    struct nl_route *rt)
{
	struct nl_addr	 dst;
	json_t		*group;
	char		 member[64];

	memset(&dst, 0, sizeof(dst));
	dst.a_family = family;
	group = cfg_row_find(cfg_rows(snap, "gateway_groups"), "name", name);
	if (group != NULL) {
		if (gwmon_group_pick(group, gwmon_gateway_status, member,
		    sizeof(member)) == 0)
			return -1;
		name = member;
	} else if (gwmon_gateway_down(name))
		return -1;
	return net_gw_route_name(fd, snap, name, &dst, rt);
}

/* The family of policy target name: AF_INET, AF_INET6, or 0 unknown. */
static int
net_policy_family(json_t *snap, const char *name)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	json_t	*group, *gw = NULL;
	char	 first[64];
	size_t	 t;
	int	 fam = 0;

	if ((group = cfg_row_find(cfg_rows(snap, "gateway_groups"), "name",
	    name)) != NULL)
		for (t = 0; t < nitems(tiers) && gw == NULL; t++) {
			util_strlcpy(first, cfg_str(group, tiers[t]),
			    sizeof(first));
			first[strcspn(first, ",")] = '\0';
			gw = net_gateway(snap, first);
		}
	else
		gw = net_gateway(snap, name);
	if (gw != NULL)
		fam = strcmp(cfg_str(gw, "ipprotocol"), "inet6") == 0 ?
		    AF_INET6 : AF_INET;
	json_decref(gw);
	return fam;
}

/* Policy routing: the tables and ip rules (see the top). */
static int
net_policy(int fd, json_t *snap, char *err, size_t errlen)
{
	struct nl_route	*want, *have = NULL;
	struct nl_rule	*rwant, *rhave = NULL;
	json_t		*targets, *sys, *v;
	char		 text[160];
	const char	*name;
	size_t		 i, j, nwant = 0, nhave = 0, nrwant = 0, nrhave = 0;
	uint32_t	 idx;
	int		 r, ret = -1, fam, skip;

	targets = render_gw_targets(snap);
	sys = cfg_rows(snap, "system") != NULL ?
	    json_array_get(cfg_rows(snap, "system"), 0) :
	    json_object_get(json_object_get(snap, "sections"), "system");
	skip = sys != NULL && cfg_bool(sys, "skip_rules_gw_down");
	want = xcalloc(json_array_size(targets) + 1, sizeof(*want));
	rwant = xcalloc(json_array_size(targets) + 1, sizeof(*rwant));
	json_array_foreach(targets, i, v) {
		name = json_string_value(v);
		idx = (uint32_t)i + 1;
		if (idx > TW_MARK_GW_MAX ||
		    (fam = net_policy_family(snap, name)) == 0)
			continue;
		rwant[nrwant].ru_family = fam;
		rwant[nrwant].ru_prio = TW_RT_PRIO_GW + idx;
		rwant[nrwant].ru_mark = idx << TW_MARK_GW_SHIFT;
		rwant[nrwant].ru_mask = TW_MARK_GW;
		rwant[nrwant].ru_table = TW_RT_TABLE_GW + idx;
		nrwant++;
		if (net_policy_route(fd, snap, name, fam, &want[nwant]) == -1) {
			if (!skip)
				continue;	/* the main table decides */
			memset(&want[nwant], 0, sizeof(want[nwant]));
			want[nwant].r_dst.a_family = fam;
			want[nwant].r_unreach = 1;
			want[nwant].r_proto = TW_RTPROT;
		}
		want[nwant++].r_table = TW_RT_TABLE_GW + idx;
	}
	if ((r = nl_route_list_tables(fd, AF_UNSPEC, TW_RTPROT,
	    TW_RT_TABLE_GW + 1, TW_RT_TABLE_GW + TW_MARK_GW_MAX, &have,
	    &nhave)) < 0) {
		snprintf(err, errlen, "netlink: list policy routes: %s",
		    strerror(-r));
		goto err;
	}
	/* Out first: a route of another type is not replaced in place. */
	for (j = 0; j < nhave; j++) {
		for (i = 0; i < nwant; i++)
			if (nl_route_equal(&want[i], &have[j]))
				break;
		if (i < nwant)
			continue;
		if ((r = nl_route_del(fd, &have[j])) < 0 && r != -ESRCH) {
			snprintf(err, errlen, "netlink: remove policy route "
			    "(table %u): %s", have[j].r_table, strerror(-r));
			goto err;
		}
	}
	for (i = 0; i < nwant; i++) {
		for (j = 0; j < nhave; j++)
			if (nl_route_equal(&want[i], &have[j]))
				break;
		if (j < nhave)
			continue;
		net_route_text(&want[i], text, sizeof(text));
		if ((r = nl_route_replace(fd, &want[i])) < 0) {
			snprintf(err, errlen, "netlink: policy route %s (table "
			    "%u): %s", text, want[i].r_table, strerror(-r));
			goto err;
		}
		platform_action("linux: table %u: %s", want[i].r_table,
		    want[i].r_unreach ? "unreachable (rules skipped)" : text);
	}
	if ((r = nl_rule_list(fd, AF_UNSPEC, TW_RTPROT, &rhave, &nrhave)) < 0) {
		snprintf(err, errlen, "netlink: list rules: %s", strerror(-r));
		goto err;
	}
	for (j = 0; j < nrhave; j++) {
		for (i = 0; i < nrwant; i++)
			if (memcmp(&rwant[i], &rhave[j], sizeof(rhave[j])) == 0)
				break;
		if (i < nrwant)
			continue;
		if ((r = nl_rule_del(fd, &rhave[j])) < 0 && r != -ENOENT) {
			snprintf(err, errlen, "netlink: remove rule to table "
			    "%u: %s", rhave[j].ru_table, strerror(-r));
			goto err;
		}
		platform_action("linux: removed rule fwmark 0x%x lookup %u",
		    rhave[j].ru_mark, rhave[j].ru_table);
	}
	for (i = 0; i < nrwant; i++) {
		for (j = 0; j < nrhave; j++)
			if (memcmp(&rwant[i], &rhave[j], sizeof(rhave[j])) == 0)
				break;
		if (j < nrhave)
			continue;
		if ((r = nl_rule_add(fd, &rwant[i])) < 0 && r != -EEXIST) {
			snprintf(err, errlen, "netlink: rule fwmark 0x%x lookup "
			    "%u: %s", rwant[i].ru_mark, rwant[i].ru_table,
			    strerror(-r));
			goto err;
		}
		platform_action("linux: rule fwmark 0x%x/0x%x lookup %u",
		    rwant[i].ru_mark, rwant[i].ru_mask, rwant[i].ru_table);
	}
	ret = 0;
err:
	free(want);
	free(have);
	free(rwant);
	free(rhave);
	json_decref(targets);
	return ret;
}

/* The sections the routes and the policy tables are made from. */
static const char *const net_sections[] = { "interfaces", "gateways",
    "routes", "gateway_groups", "filter_rules", "system" };

static void
net_keep(json_t *snap, const char *const *names, size_t n)
{
	json_t	*secs, *v;
	size_t	 i;

	/* A snapshot of format 1, as render_gw_targets reads it. */
	if (net_last == NULL)
		net_last = json_pack("{s:i,s:o}", "format", 1, "sections",
		    json_object());
	secs = json_object_get(net_last, "sections");
	for (i = 0; i < n; i++) {
		/* Deep: the caller's snapshot goes away after the apply. */
		v = json_object_get(json_object_get(snap, "sections"),
		    names[i]);
		if (v != NULL)
			json_object_set_new(secs, names[i], json_deep_copy(v));
	}
}

int
linux_net_policy(json_t *snap, char *err, size_t errlen)
{
	static const char *const rules[] = { "filter_rules", "system" };
	int	fd, r;

	/* The rules and the system section are this apply's; the rest as
	 * the routing apply brought it in force. */
	if (net_last != NULL)
		net_keep(snap, rules, nitems(rules));
	if ((fd = nl_open(NETLINK_ROUTE)) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(-fd));
		return -1;
	}
	r = net_policy(fd, net_last != NULL ? net_last : snap, err, errlen);
	nl_close(fd);
	return r;
}

int
linux_net_routes(json_t *snap, char *err, size_t errlen)
{
	struct nl_route	*want, *have = NULL, rt;
	struct nl_addr	 dst;
	json_t		*row;
	char		 text[160], net[64], *slash;
	size_t		 i, j, nwant = 0, nhave = 0;
	int		 fd, r, ret = -1, fam, k;

	if ((fd = nl_open(NETLINK_ROUTE)) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(-fd));
		return -1;
	}
	want = xcalloc(json_array_size(cfg_rows(snap, "routes")) +
	    json_array_size(cfg_rows(snap, "gateways")) + 3, sizeof(*want));
	for (k = 0; k < 2; k++) {
		fam = k == 0 ? AF_INET : AF_INET6;
		if (net_upstream(fd, snap, fam, &want[nwant]) == 0)
			nwant++;
	}
	/* Probes to a far monitor address leave by their own gateway. */
	json_array_foreach(cfg_rows(snap, "gateways"), i, row) {
		if (cfg_bool(row, "monitor_disable") ||
		    cfg_str(row, "monitor")[0] == '\0' ||
		    strcmp(cfg_str(row, "monitor"), cfg_str(row, "gateway")) ==
		    0 || (nl_addr_parse(cfg_str(row, "monitor"), 128, &dst) != 0 &&
		    nl_addr_parse(cfg_str(row, "monitor"), 32, &dst) != 0))
			continue;
		if (net_gw_route(fd, snap, row, &dst, &want[nwant]) == 0)
			nwant++;
	}
	json_array_foreach(cfg_rows(snap, "routes"), i, row) {
		if (cfg_bool(row, "disabled"))
			continue;
		util_strlcpy(net, cfg_str(row, "network"), sizeof(net));
		if ((slash = strchr(net, '/')) == NULL)
			continue;
		*slash++ = '\0';
		if (nl_addr_parse(net, (int)strtol(slash, NULL, 10), &dst) != 0)
			continue;
		if (net_gw_route_name(fd, snap, cfg_str(row, "gateway"), &dst,
		    &want[nwant]) == 0)
			nwant++;
	}
	if ((r = nl_route_list(fd, AF_UNSPEC, TW_RTPROT, &have, &nhave)) < 0) {
		snprintf(err, errlen, "netlink: list routes: %s", strerror(-r));
		goto err;
	}
	for (i = 0; i < nwant; i++) {
		for (j = 0; j < nhave; j++)
			if (nl_route_equal(&want[i], &have[j]))
				break;
		if (j < nhave)
			continue;
		net_route_text(&want[i], text, sizeof(text));
		if ((r = nl_route_replace(fd, &want[i])) < 0) {
			snprintf(err, errlen, "netlink: route %s: %s", text,
			    strerror(-r));
			goto err;
		}
		platform_action("linux: route %s", text);
	}
	for (j = 0; j < nhave; j++) {
		for (i = 0; i < nwant; i++)
			if (nl_addr_equal(&want[i].r_dst, &have[j].r_dst))
				break;
		if (i < nwant)
			continue;	/* replaced above, or unchanged */
		rt = have[j];
		net_route_text(&rt, text, sizeof(text));
		if ((r = nl_route_del(fd, &rt)) < 0 && r != -ESRCH) {
			snprintf(err, errlen, "netlink: remove route %s: %s",
			    text, strerror(-r));
			goto err;
		}
		platform_action("linux: removed route %s", text);
	}
	/*
	 * Kept first: a lease event's snapshot (dhcp.c) holds no rules, so
	 * the policy tables come from what the last applies brought.
	 */
	if (snap != net_last)
		net_keep(snap, net_sections, nitems(net_sections));
	if (net_policy(fd, net_last, err, errlen) == -1)
		goto err;
	ret = 0;
err:
	free(want);
	free(have);
	nl_close(fd);
	return ret;
}

void
linux_net_reroute(void)
{
	char	err[512];

	if (net_last == NULL)
		return;		/* nothing applied yet: the boot apply will */
	err[0] = '\0';
	if (linux_net_routes(net_last, err, sizeof(err)) == -1)
		log_warnx("platform linux: re-routing after a gateway status "
		    "change: %s", err);
}

void
linux_net_shutdown(void)
{
	json_decref(net_last);
	net_last = NULL;
}
