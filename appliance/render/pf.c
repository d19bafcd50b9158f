/*
 * pf.c — config snapshot -> pf.conf for FreeBSD (render.h).
 *
 * pf is the model the configuration follows, so rules are written in
 * sequence: pf itself gives quick rules first-match and the rest
 * last-match. Interface networks and addresses use pf's dynamic forms
 * ("($if_lan:network)", "($if_wan)") so DHCP interfaces work, which the
 * nft renderer (static addresses only) cannot do. Order within the file
 * is pf's: macros, tables, options, translation, filtering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render.h"
#include "render_int.h"
#include "util.h"

#define PF_TABLEMAX	31	/* PF_TABLE_NAME_SIZE - 1 */

static const char pf_priv4[] =
    "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10";
static const char pf_priv6[] = "fc00::/7";
static const char pf_bogon4[] =
    "0.0.0.0/8 127.0.0.0/8 169.254.0.0/16 192.0.0.0/24 192.0.2.0/24 "
    "198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4";
static const char pf_bogon6[] =
    "::/128 ::ffff:0:0/96 100::/64 2001:db8::/32 3ffe::/16 fec0::/10";

/* "$if_<name>" of an interface that can match: 1, 0 (why), -1. */
static int
pf_ifmacro(struct render_ctx *ctx, const char *name, char *out, size_t len,
    const char **why)
{
	json_t *ifc;

	if (!render_is_name(name) || (ifc = render_iface(ctx, name)) == NULL)
		return render_fail(ctx, "unknown interface");
	if (render_iface_dev(ctx, ifc) == NULL) {
		*why = "interface disabled or without a device";
		return ctx->rc_failed ? -1 : 0;
	}
	snprintf(out, len, "$if_%s", name);
	return 1;
}

/* "on ..." for an interface list; "" = any. 1, 0 (why), -1. */
static int
pf_on(struct render_ctx *ctx, const char *list, struct rbuf *b,
    const char **why)
{
	char name[RENDER_NAMEMAX + 1], mac[RENDER_NAMEMAX + 8];
	struct rbuf set;
	const char *p = list;
	size_t n;
	int r, count = 0;

	if (list[0] == '\0')
		return 1;
	*why = "no interface";
	rbuf_init(&set);
	for (r = 0;;) {
		p += strspn(p, ", ");
		if ((n = strcspn(p, ", ")) == 0)
			break;
		if (n > RENDER_NAMEMAX) {
			r = render_fail(ctx, "bad interface list");
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if ((r = pf_ifmacro(ctx, name, mac, sizeof(mac), why)) == -1)
			break;
		if (r == 1)
			rbuf_printf(&set, "%s%s", count++ ? " " : "", mac);
	}
	if (r != -1 && count > 0)
		rbuf_printf(b, count == 1 ? " on %s" : " on { %s }",
		    set.b_data);
	rbuf_free(&set);
	if (r == -1)
		return -1;
	return count > 0;
}

/* One hop of route-to: "($if_wan 203.0.113.1)"; 1, 0 (why), -1. */
static int
pf_hop(struct render_ctx *ctx, json_t *gw, int fam, struct rbuf *b,
    const char **why)
{
	char	mac[RENDER_NAMEMAX + 8], addr[RENDER_ADDRLEN];
	int	r;

	if (cfg_bool(gw, "disabled")) {
		*why = "gateway disabled";
		return 0;
	}
	if ((r = pf_ifmacro(ctx, cfg_str(gw, "interface"), mac,
	    sizeof(mac), why)) != 1)
		return r;
	if (strcmp(cfg_str(gw, "gateway"), "dynamic") == 0) {
		rbuf_printf(b, "%s", mac);
		return 1;
	}
	if (render_addr(cfg_str(gw, "gateway"), fam == FAM6 ? 6 : 4,
	    addr) == -1)
		return render_fail(ctx, "gateway %s: bad address",
		    cfg_str(gw, "name"));
	rbuf_printf(b, "(%s %s)", mac, addr);
	return 1;
}

/*
 * A pass rule's gateway as " route-to ..." (pf sends the connection to
 * that next hop): a gateway's hop, or a group's members of its first
 * tier with a hop, pf spreading over several (round robin). pf.conf is
 * static: the FreeBSD platform re-renders on a status change.
 */
static int
pf_route(struct render_ctx *ctx, const char *name, struct rbuf *b,
    const char **why)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	json_t		*gw, *group, *m, *sub;
	struct rbuf	 hops;
	char		 tok[RENDER_NAMEMAX + 1];
	const char	*p;
	size_t		 t, n;
	int		 fam, r = 0, count = 0;

	if (name[0] == '\0')
		return 1;
	if ((fam = render_gw_family(ctx, name, &gw, &group)) == 0)
		return render_fail(ctx, "no gateway or group named %s", name);
	if (gw == NULL && group == NULL) {	/* <IF>_DHCP: the interface */
		n = strlen(name) - (fam == FAM6 ? 6 : 5);
		if (n > RENDER_NAMEMAX)
			return render_fail(ctx, "bad gateway %s", name);
		memcpy(tok, name, n);
		tok[n] = '\0';
		/* cfg_gw_dynamic_name: the interface's name in capitals. */
		json_array_foreach(render_list(ctx, "interfaces"), t, m)
			if (strcasecmp(cfg_str(m, "name"), tok) == 0)
				gw = json_pack("{s:s,s:s,s:s}", "name", name,
				    "interface", cfg_str(m, "name"),
				    "gateway", "dynamic");
		if (gw == NULL)
			return render_fail(ctx, "no interface for %s", name);
		rbuf_puts(b, " route-to ");
		r = pf_hop(ctx, gw, fam, b, why);
		json_decref(gw);
		return r;
	}
	if (gw != NULL) {
		rbuf_puts(b, " route-to ");
		return pf_hop(ctx, gw, fam, b, why);
	}
	rbuf_init(&hops);
	for (t = 0; t < nitems(tiers) && count == 0 && r != -1; t++) {
		p = cfg_str(group, tiers[t]);
		for (;;) {
			p += strspn(p, ",");
			if ((n = strcspn(p, ",")) == 0 ||
			    n > RENDER_NAMEMAX)
				break;
			memcpy(tok, p, n);
			tok[n] = '\0';
			p += n;
			if (render_gw_family(ctx, tok, &m, &sub) == 0 ||
			    m == NULL)
				continue;
			if (count > 0)
				rbuf_puts(&hops, ", ");
			if ((r = pf_hop(ctx, m, fam, &hops, why)) == -1)
				break;
			count += r;
		}
	}
	if (r != -1 && count > 0)
		rbuf_printf(b, count == 1 ? " route-to %s" :
		    " route-to { %s }", hops.b_data);
	rbuf_free(&hops);
	if (r == -1)
		return -1;
	if (count == 0)
		*why = "no member of the gateway group can route";
	return count > 0;
}

/* An endpoint: "any", "! 10.0.0.0/8", "<alias>", "($if_lan:network)". */
static int
pf_ep(struct render_ctx *ctx, struct rbuf *b, const struct render_ep *ep,
    int fams, const char **why)
{
	char mac[RENDER_NAMEMAX + 8];
	const char *neg = ep->ep_not ? "! " : "";
	int r;

	switch (ep->ep_kind) {
	case EP_ANY:
		if (ep->ep_not) {
			*why = "negated any matches nothing";
			return 0;
		}
		rbuf_puts(b, "any");
		return 1;
	case EP_ADDR:
		if (!(fams & (ep->ep_af == 4 ? FAM4 : FAM6))) {
			*why = "address of the other family";
			return 0;
		}
		rbuf_printf(b, "%s%s", neg, ep->ep_addr);
		return 1;
	case EP_ALIAS:
		rbuf_printf(b, "%s<%s>", neg, ep->ep_name);
		return 1;
	case EP_IFNET:
	case EP_IFADDR:
		if ((r = pf_ifmacro(ctx, cfg_str(ep->ep_row, "name"), mac,
		    sizeof(mac), why)) != 1)
			return r;
		rbuf_printf(b, "%s(%s%s)", neg, mac,
		    ep->ep_kind == EP_IFNET ? ":network" : "");
		return 1;
	}
	return render_fail(ctx, "bad endpoint");
}

/* " port 80", " port 80:90", " port $port_web"; 0 for an empty alias. */
static int
pf_port(struct render_ctx *ctx, struct rbuf *b,
    const struct render_portspec *ps, const char **why)
{
	if (!ps->ps_set)
		return 1;
	if (ps->ps_alias != NULL) {
		json_t *a = render_alias(ctx, ps->ps_alias);

		if (!cfg_bool(a, "enabled") ||
		    strspn(cfg_str(a, "content"), ", \t\r\n") ==
		    strlen(cfg_str(a, "content"))) {
			*why = "port alias is empty";
			return 0;
		}
		rbuf_printf(b, " port $port_%s", ps->ps_alias);
	} else if (ps->ps_lo == ps->ps_hi)
		rbuf_printf(b, " port %u", ps->ps_lo);
	else
		rbuf_printf(b, " port %u:%u", ps->ps_lo, ps->ps_hi);
	return 1;
}

/* "[af] [proto P] from S [port] to D [port]". */
static int
pf_match(struct render_ctx *ctx, struct rbuf *b, int fams,
    const struct render_proto *proto, const struct render_ep *src,
    const struct render_portspec *sport, const struct render_ep *dst,
    const struct render_portspec *dport, const char **why)
{
	int r;

	if (proto->p_flags & PROTO_V4ONLY)
		fams &= FAM4;
	if (proto->p_flags & PROTO_V6ONLY)
		fams &= FAM6;
	if (fams == 0) {
		*why = "protocol of the other family";
		return 0;
	}
	if (fams != (FAM4 | FAM6))
		rbuf_puts(b, fams == FAM4 ? " inet" : " inet6");
	if (proto->p_pf != NULL)
		rbuf_printf(b, " proto %s", proto->p_pf);
	rbuf_puts(b, " from ");
	if ((r = pf_ep(ctx, b, src, fams, why)) != 1 ||
	    (r = pf_port(ctx, b, sport, why)) != 1)
		return r;
	rbuf_puts(b, " to ");
	if ((r = pf_ep(ctx, b, dst, fams, why)) != 1 ||
	    (r = pf_port(ctx, b, dport, why)) != 1)
		return r;
	return 1;
}

static int
pf_icmp(struct render_ctx *ctx, struct rbuf *b, const char *list)
{
	const struct render_icmp *ic;
	char tok[32];
	size_t n;
	int count = 0;

	for (;;) {
		list += strspn(list, ", ");
		if ((n = strcspn(list, ", ")) == 0)
			break;
		if (n >= sizeof(tok))
			return render_fail(ctx, "bad icmptype");
		memcpy(tok, list, n);
		tok[n] = '\0';
		list += n;
		if ((ic = render_icmptype(tok)) == NULL)
			return render_fail(ctx, "unknown icmptype");
		rbuf_printf(b, "%s%s", count++ ? " " : " icmp-type { ",
		    ic->i_pf);
	}
	if (count > 0)
		rbuf_puts(b, " }");
	return 0;
}

static int
pf_state(struct render_ctx *ctx, struct rbuf *b, json_t *row)
{
	const char *st = cfg_str(row, "statetype");
	int nosync = cfg_bool(row, "nopfsync");

	if (strcmp(st, "none") == 0) {
		rbuf_puts(b, " no state");
		return 0;
	}
	if (strcmp(st, "modulate") == 0)
		rbuf_puts(b, " modulate state");
	else if (strcmp(st, "synproxy") == 0)
		rbuf_puts(b, " synproxy state");
	else if (strcmp(st, "keep") == 0 || st[0] == '\0' ||
	    strcmp(st, "sloppy") == 0)
		rbuf_puts(b, " keep state");
	else
		return render_fail(ctx, "bad statetype");
	if (strcmp(st, "sloppy") == 0)
		rbuf_puts(b, nosync ? " (sloppy, no-sync)" : " (sloppy)");
	else if (nosync)
		rbuf_puts(b, " (no-sync)");
	return 0;
}

static void
pf_filter_rule(struct render_ctx *ctx, json_t *row)
{
	struct rbuf *out = &ctx->rc_out, line;
	struct render_ep src, dst;
	struct render_portspec sport, dport;
	const struct render_proto *proto;
	const char *uuid, *act, *dir, *why = NULL;
	char descr[72];
	int fams, pass, r = -1;

	if ((uuid = render_uuid(ctx, row)) == NULL)
		return;
	act = cfg_str(row, "action");
	dir = cfg_str(row, "direction");
	pass = strcmp(act, "pass") == 0;
	if (!pass && strcmp(act, "block") != 0 && strcmp(act, "reject") != 0) {
		render_fail(ctx, "rule %s: bad action", uuid);
		return;
	}
	if (strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0 &&
	    strcmp(dir, "any") != 0 && dir[0] != '\0') {
		render_fail(ctx, "rule %s: bad direction", uuid);
		return;
	}
	if ((proto = render_proto(ctx, cfg_str(row, "protocol"))) == NULL ||
	    (fams = render_families(ctx, cfg_str(row, "ipprotocol"))) == 0 ||
	    render_endpoint(ctx, "source", cfg_str(row, "source_net"),
	    cfg_bool(row, "source_not"), &src) == -1 ||
	    render_endpoint(ctx, "destination",
	    cfg_str(row, "destination_net"),
	    cfg_bool(row, "destination_not"), &dst) == -1 ||
	    render_portspec(ctx, "source port", cfg_str(row, "source_port"),
	    &sport) == -1 ||
	    render_portspec(ctx, "destination port",
	    cfg_str(row, "destination_port"), &dport) == -1)
		return;
	if ((sport.ps_set || dport.ps_set) && !(proto->p_flags & PROTO_PORTS)) {
		render_fail(ctx, "rule %s: ports need tcp or udp", uuid);
		return;
	}
	render_sanitize(cfg_str(row, "description"), descr, sizeof(descr));
	if (descr[0] != '\0')
		rbuf_printf(out, "# %s\n", descr);
	rbuf_init(&line);
	rbuf_puts(&line, pass ? "pass" : strcmp(act, "reject") == 0 ?
	    "block return" : "block");
	if (strcmp(dir, "in") == 0 || strcmp(dir, "out") == 0)
		rbuf_printf(&line, " %s", dir);
	if (cfg_bool(row, "log"))
		rbuf_puts(&line, " log");
	if (cfg_bool(row, "quick"))
		rbuf_puts(&line, " quick");
	if ((r = pf_on(ctx, cfg_str(row, "interface"), &line, &why)) != 1 ||
	    (pass && (r = pf_route(ctx, cfg_str(row, "gateway"), &line,
	    &why)) != 1) ||
	    (r = pf_match(ctx, &line, fams, proto, &src, &sport, &dst, &dport,
	    &why)) != 1)
		goto done;
	if (proto->p_num == 1 &&
	    (r = pf_icmp(ctx, &line, cfg_str(row, "icmptype"))) == -1)
		goto done;
	if (pass && (r = pf_state(ctx, &line, row)) == -1)
		goto done;
	rbuf_printf(out, "%s label \"%s\"\n", line.b_data, uuid);
	r = 1;
done:
	if (r == 0)
		rbuf_printf(out, "# %s skipped: %s\n", uuid, why);
	rbuf_free(&line);
}

/* Macros for interfaces and port aliases, tables for address aliases. */
static void
pf_defs(struct render_ctx *ctx)
{
	struct rbuf *out = &ctx->rc_out;
	json_t *row;
	const char *name, *dev;
	size_t i;

	rbuf_puts(out, "# interfaces\n");
	json_array_foreach(render_list(ctx, "interfaces"), i, row) {
		name = cfg_str(row, "name");
		if ((dev = render_iface_dev(ctx, row)) == NULL)
			continue;
		if (!render_is_name(name)) {
			render_fail(ctx, "interface with an unsafe name");
			return;
		}
		rbuf_printf(out, "if_%s = \"%s\"\n", name, dev);
	}
	rbuf_puts(out, "\n");
}

static void
pf_elem(struct render_ctx *ctx, const struct render_elem *e, void *arg)
{
	struct rbuf *b = arg;

	(void)ctx;
	if (e->e_af != 0)
		rbuf_printf(b, " %s", e->e_addr);
	else if (e->e_lo == e->e_hi)
		rbuf_printf(b, " %u", e->e_lo);
	else
		rbuf_printf(b, " %u:%u", e->e_lo, e->e_hi);
}

static void
pf_aliases(struct render_ctx *ctx)
{
	struct rbuf *out = &ctx->rc_out, elems;
	json_t *row;
	const char *name;
	size_t i;

	json_array_foreach(render_list(ctx, "aliases"), i, row) {
		rbuf_init(&elems);
		if (render_alias_elems(ctx, row, pf_elem, &elems) == -1) {
			rbuf_free(&elems);
			return;
		}
		name = cfg_str(row, "name");
		if (strcmp(cfg_str(row, "type"), "port") == 0) {
			if (elems.b_len > 0)
				rbuf_printf(out, "port_%s = \"{%s }\"\n", name,
				    elems.b_data);
		} else if (strlen(name) > PF_TABLEMAX)
			render_fail(ctx, "alias %s: name too long for pf", name);
		else if (elems.b_len > 0)
			rbuf_printf(out, "table <%s> persist {%s }\n", name,
			    elems.b_data);
		else
			rbuf_printf(out, "table <%s> persist\n", name);
		rbuf_free(&elems);
	}
	rbuf_puts(out, "\n");
}

/* Translation target: address, or ($if_x:0) for "" / "<if>ip". */
static int
pf_nat_target(struct render_ctx *ctx, json_t *row, int af, struct rbuf *b,
    const char **why)
{
	const char *t = cfg_str(row, "target");
	char a[RENDER_ADDRLEN], mac[RENDER_NAMEMAX + 8];
	struct render_ep ep;
	const char *ifname = cfg_str(row, "interface");
	int r;

	if (t[0] != '\0') {
		if (render_addr(t, af, a) == af) {
			rbuf_printf(b, " -> %s", a);
			return 1;
		}
		if (render_endpoint(ctx, "nat target", t, 0, &ep) == -1)
			return -1;
		if (ep.ep_kind != EP_IFADDR)
			return render_fail(ctx, "nat target is not an address "
			    "or <interface>ip");
		ifname = cfg_str(ep.ep_row, "name");
	}
	if ((r = pf_ifmacro(ctx, ifname, mac, sizeof(mac), why)) != 1)
		return r;
	rbuf_printf(b, " -> (%s:0)", mac);
	return 1;
}

static void
pf_nat_rule(struct render_ctx *ctx, json_t *row, int rdr)
{
	struct rbuf *out = &ctx->rc_out, line;
	struct render_ep src, dst;
	struct render_portspec sport, dport, tport;
	const struct render_proto *proto;
	const char *uuid, *ipp, *why = NULL;
	char a[RENDER_ADDRLEN], descr[72];
	int af, nonat = 0, r = -1;

	if ((uuid = render_uuid(ctx, row)) == NULL)
		return;
	ipp = cfg_str(row, "ipprotocol");
	af = strcmp(ipp, "inet6") == 0 ? 6 : 4;
	if ((proto = render_proto(ctx, cfg_str(row, "protocol"))) == NULL ||
	    render_endpoint(ctx, "source", cfg_str(row, "source_net"),
	    cfg_bool(row, "source_not"), &src) == -1 ||
	    render_endpoint(ctx, "destination",
	    cfg_str(row, "destination_net"),
	    cfg_bool(row, "destination_not"), &dst) == -1 ||
	    render_portspec(ctx, "source port", cfg_str(row, "source_port"),
	    &sport) == -1 ||
	    render_portspec(ctx, "destination port",
	    cfg_str(row, "destination_port"), &dport) == -1 ||
	    render_portspec(ctx, "target port", cfg_str(row,
	    rdr ? "local_port" : "target_port"), &tport) == -1)
		return;
	if (((sport.ps_set || dport.ps_set || tport.ps_set) &&
	    !(proto->p_flags & PROTO_PORTS)) || tport.ps_alias != NULL) {
		render_fail(ctx, "nat rule %s: bad ports", uuid);
		return;
	}
	render_sanitize(cfg_str(row, rdr ? "descr" : "description"), descr,
	    sizeof(descr));
	if (descr[0] != '\0')
		rbuf_printf(out, "# %s\n", descr);
	rbuf_init(&line);
	if (!rdr && (nonat = cfg_bool(row, "nonat")))
		rbuf_puts(&line, "no ");
	rbuf_puts(&line, rdr ? "rdr" : "nat");
	if ((r = pf_on(ctx, cfg_str(row, "interface"), &line, &why)) != 1)
		goto done;
	if (cfg_str(row, "interface")[0] == '\0') {
		r = render_fail(ctx, "nat rule %s: no interface", uuid);
		goto done;
	}
	if ((r = pf_match(ctx, &line, af == 4 ? FAM4 : FAM6, proto, &src,
	    &sport, &dst, &dport, &why)) != 1)
		goto done;
	if (rdr) {
		if (render_addr(cfg_str(row, "target"), af, a) != af) {
			r = render_fail(ctx, "port forward %s: bad target",
			    uuid);
			goto done;
		}
		rbuf_printf(&line, " -> %s", a);
	} else if (!nonat &&
	    (r = pf_nat_target(ctx, row, af, &line, &why)) != 1)
		goto done;
	if (tport.ps_set && tport.ps_lo == tport.ps_hi)
		rbuf_printf(&line, " port %u", tport.ps_lo);
	else if (tport.ps_set)
		rbuf_printf(&line, rdr ? " port %u:*" : " port %u:%u",
		    tport.ps_lo, tport.ps_hi);
	if (!rdr && !nonat && cfg_bool(row, "staticnatport"))
		rbuf_puts(&line, " static-port");
	rbuf_printf(out, "%s\n", line.b_data);
	r = 1;
done:
	if (r == 0)
		rbuf_printf(out, "# %s skipped: %s\n", uuid, why);
	rbuf_free(&line);
}

/* The filter rule a port forward asks for (OPNsense "associated rule"). */
static void
pf_rdr_pass(struct render_ctx *ctx, json_t *row)
{
	json_t *r = json_deep_copy(row);
	const char *lport = cfg_str(row, "local_port");

	json_object_set_new(r, "action", json_string("pass"));
	json_object_set_new(r, "quick", json_string("1"));
	json_object_set_new(r, "direction", json_string("in"));
	json_object_set_new(r, "destination_net",
	    json_string(cfg_str(row, "target")));
	json_object_set_new(r, "destination_not", json_string("0"));
	if (lport[0] != '\0')
		json_object_set_new(r, "destination_port", json_string(lport));
	json_object_set_new(r, "statetype", json_string("keep"));
	json_object_set_new(r, "description", json_string(""));
	pf_filter_rule(ctx, r);
	json_decref(r);
}

static void
pf_translation(struct render_ctx *ctx)
{
	struct rbuf *out = &ctx->rc_out;
	json_t *row, *lan, *wan, *ifs = render_list(ctx, "interfaces");
	const char *mode = cfg_str(render_single(ctx, "snat"), "mode");
	char net[RENDER_ADDRLEN], target[RENDER_ADDRLEN];
	size_t i, j;
	int r;

	rbuf_puts(out, "# translation\n");
	if (mode[0] == '\0')
		mode = "automatic";
	if (strcmp(mode, "hybrid") == 0 || strcmp(mode, "advanced") == 0)
		json_array_foreach(render_list(ctx, "snat_rules"), i, row)
			if (cfg_bool(row, "enabled") && !ctx->rc_failed)
				pf_nat_rule(ctx, row, 0);
	if (strcmp(mode, "automatic") == 0 || strcmp(mode, "hybrid") == 0) {
		json_array_foreach(ifs, i, wan) {
			if (!render_is_upstream(wan) ||
			    render_iface_dev(ctx, wan) == NULL ||
			    !render_is_name(cfg_str(wan, "name")))
				continue;
			if ((r = render_carp_vip4(ctx, cfg_str(wan, "name"),
			    target)) == 0)
				snprintf(target, sizeof(target), "($if_%s:0)",
				    cfg_str(wan, "name"));
			json_array_foreach(ifs, j, lan) {
				if (render_is_upstream(lan) ||
				    strcmp(cfg_str(lan, "enabled"), "0") == 0)
					continue;
				if ((r = render_iface_net(ctx, lan, 4, net)) == 1)
					rbuf_printf(out, "nat on $if_%s inet "
					    "from %s to any -> %s\n",
					    cfg_str(wan, "name"), net,
					    target);
			}
		}
	} else if (strcmp(mode, "advanced") != 0 &&
	    strcmp(mode, "disabled") != 0)
		render_fail(ctx, "snat: unknown mode");
	json_array_foreach(render_list(ctx, "dnat_rules"), i, row)
		if (!cfg_bool(row, "disabled") && !ctx->rc_failed)
			pf_nat_rule(ctx, row, 1);
	rbuf_puts(out, "\n");
}

static void
pf_builtins(struct render_ctx *ctx)
{
	struct rbuf *out = &ctx->rc_out;
	json_t *ifc, *ha = render_single(ctx, "hasync"), *sys;
	const char *name, *sif, *peer, *port, *why;
	char addr[RENDER_ADDRLEN], mac[RENDER_NAMEMAX + 8];
	unsigned lo, hi, gui = 443;
	size_t i;

	rbuf_puts(out, "block in all label \"default deny\"\n"
	    "pass out all keep state label \"default pass out\"\n"
	    "pass quick inet6 proto icmp6 icmp6-type { routersol routeradv "
	    "neighbrsol neighbradv } keep state label \"neighbour "
	    "discovery\"\n");
	json_array_foreach(render_list(ctx, "interfaces"), i, ifc) {
		name = cfg_str(ifc, "name");
		if (render_iface_dev(ctx, ifc) == NULL || !render_is_name(name))
			continue;
		if (render_has_carp(ctx, name))
			rbuf_printf(out, "pass quick on $if_%s proto carp "
			    "keep state (no-sync) label \"carp\"\n", name);
		if (strcmp(cfg_str(ifc, "ipaddr"), "dhcp") == 0)
			rbuf_printf(out, "pass quick on $if_%s inet proto udp "
			    "from any port { 67 68 } to any port { 67 68 } "
			    "keep state label \"dhcp client\"\n", name);
		if (strncmp(cfg_str(ifc, "ipaddrv6"), "dhcp", 4) == 0)
			rbuf_printf(out, "pass quick on $if_%s inet6 proto udp "
			    "from any port { 546 547 } to any port { 546 547 } "
			    "keep state label \"dhcp6 client\"\n", name);
	}
	if (ha != NULL && cfg_bool(ha, "pfsyncenabled") &&
	    (sif = cfg_str(ha, "pfsyncinterface"))[0] != '\0' &&
	    pf_ifmacro(ctx, sif, mac, sizeof(mac), &why) == 1) {
		/* pfsync0 itself (syncdev, syncpeer) is the platform's. */
		peer = cfg_str(ha, "pfsyncpeerip");
		if (peer[0] != '\0' && render_addr(peer, 0, addr) == 0)
			render_fail(ctx, "hasync: bad pfsyncpeerip");
		else
			rbuf_printf(out, "pass quick on %s proto pfsync keep "
			    "state (no-sync) label \"state sync\"\n", mac);
	}
	sys = render_single(ctx, "system");
	port = cfg_str(sys, "webgui_port");
	if (port[0] == '\0' &&
	    strcmp(cfg_str(sys, "webgui_protocol"), "http") == 0)
		gui = 80;
	else if (port[0] != '\0') {
		if (render_port(port, &lo, &hi) == -1 || lo != hi) {
			render_fail(ctx, "system: bad webgui_port");
			return;
		}
		gui = lo;
	}
	if (render_iface(ctx, "lan") != NULL &&
	    pf_ifmacro(ctx, "lan", mac, sizeof(mac), &why) == 1) {
		rbuf_printf(out, "pass in quick on %s proto tcp from any to "
		    "(%s) port { 22 80", mac, mac);
		if (gui != 22 && gui != 80)
			rbuf_printf(out, " %u", gui);
		rbuf_puts(out, " } keep state label \"anti-lockout\"\n");
	}
	json_array_foreach(render_list(ctx, "interfaces"), i, ifc) {
		name = cfg_str(ifc, "name");
		if (render_iface_dev(ctx, ifc) == NULL || !render_is_name(name))
			continue;
		if (cfg_bool(ifc, "blockpriv"))
			rbuf_printf(out, "block in quick on $if_%s inet from "
			    "{ %s } label \"block private\"\n"
			    "block in quick on $if_%s inet6 from { %s } "
			    "label \"block private\"\n", name, pf_priv4, name,
			    pf_priv6);
		if (cfg_bool(ifc, "blockbogons"))
			rbuf_printf(out, "block in quick on $if_%s inet from "
			    "{ %s } label \"block bogons\"\n"
			    "block in quick on $if_%s inet6 from { %s } "
			    "label \"block bogons\"\n", name, pf_bogon4, name,
			    pf_bogon6);
	}
}

char *
pf_render(json_t *snap, char *err, size_t errlen)
{
	struct render_ctx ctx;
	json_t *row;
	size_t i;

	if (render_begin(&ctx, snap, err, errlen) == -1)
		goto done;
	rbuf_puts(&ctx.rc_out, "# twinwall pf.conf: generated, do not edit\n\n");
	pf_defs(&ctx);
	pf_aliases(&ctx);
	rbuf_puts(&ctx.rc_out, "set skip on lo0\nset block-policy drop\n\n");
	pf_translation(&ctx);
	if (ctx.rc_failed)
		goto done;
	rbuf_puts(&ctx.rc_out, "# filter\n");
	pf_builtins(&ctx);
	json_array_foreach(render_list(&ctx, "dnat_rules"), i, row)
		if (!cfg_bool(row, "disabled") && !ctx.rc_failed &&
		    strcmp(cfg_str(row, "filter_rule"), "pass") == 0)
			pf_rdr_pass(&ctx, row);
	json_array_foreach(render_list(&ctx, "filter_rules"), i, row)
		if (cfg_bool(row, "enabled") && !ctx.rc_failed)
			pf_filter_rule(&ctx, row);
done:
	return render_end(&ctx);
}
