/*
 * nft_nat.c — outbound NAT, port forwards and their associated pass
 * rules, for the script nft.c renders.
 *
 * Outbound NAT is always "snat to <address>", never masquerade: a
 * masqueraded flow is bound to the node's own address and cannot move
 * to the peer on failover. pf nat rules are first-match, as are nft's,
 * so manual rules keep their sequence.
 *
 * Each rule names one interface; as in the filter (nft.c), the rules of
 * interface X sit in chain pre_X / post_X without an interface match,
 * entered from nat_pre / nat_post through one verdict map on X's
 * devices. Those are jumps: a packet no rule of X translates comes back
 * to the base chain (automatic outbound NAT follows there).
 *
 * Port choice: staticnatport=1 is a plain snat (nft keeps the source port
 * when it is free, like pf's static-port); otherwise "random", pf's
 * default of rewriting the source port. conntrackd replicates either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_int.h"
#include "util.h"

/* A port forward, resolved. */
struct nft_dnat {
	const char		*d_uuid;
	const char		*d_why;		/* cannot match */
	int			 d_af, d_log;
	size_t			 d_if;		/* interface index */
	const struct render_proto *d_proto;
	struct render_ep	 d_src, d_dst, d_target;
	struct render_portspec	 d_sport, d_dport, d_lport;
	char			 d_descr[72];
};

static int
nft_nat_af(struct render_ctx *ctx, json_t *row, const char *uuid)
{
	const char *ipp = cfg_str(row, "ipprotocol");

	if (strcmp(ipp, "inet6") == 0)
		return 6;
	if (strcmp(ipp, "inet") == 0 || ipp[0] == '\0')
		return 4;
	return render_fail(ctx, "nat rule %s: bad ipprotocol", uuid);
}

/* Match and port fields common to port forwards and outbound rules. */
static int
nft_nat_fields(struct render_ctx *ctx, json_t *row, const char *uuid,
    const struct render_proto **proto, struct render_ep *src,
    struct render_ep *dst, struct render_portspec *sport,
    struct render_portspec *dport)
{
	if ((*proto = render_proto(ctx, cfg_str(row, "protocol"))) == NULL ||
	    render_endpoint(ctx, "source", cfg_str(row, "source_net"),
	    cfg_bool(row, "source_not"), src) == -1 ||
	    render_endpoint(ctx, "destination",
	    cfg_str(row, "destination_net"),
	    cfg_bool(row, "destination_not"), dst) == -1 ||
	    render_portspec(ctx, "source port", cfg_str(row, "source_port"),
	    sport) == -1 ||
	    render_portspec(ctx, "destination port",
	    cfg_str(row, "destination_port"), dport) == -1)
		return -1;
	if ((sport->ps_set || dport->ps_set) &&
	    !((*proto)->p_flags & PROTO_PORTS))
		return render_fail(ctx, "nat rule %s: ports need tcp or udp",
		    uuid);
	return 0;
}

static int
nft_dnat_parse(struct render_ctx *ctx, const struct nft_ifaces *is,
    json_t *row, struct nft_dnat *d)
{
	const char *t = cfg_str(row, "target");

	memset(d, 0, sizeof(*d));
	if ((d->d_uuid = render_uuid(ctx, row)) == NULL ||
	    (d->d_af = nft_nat_af(ctx, row, d->d_uuid)) == -1 ||
	    nft_nat_fields(ctx, row, d->d_uuid, &d->d_proto, &d->d_src,
	    &d->d_dst, &d->d_sport, &d->d_dport) == -1 ||
	    render_portspec(ctx, "local port", cfg_str(row, "local_port"),
	    &d->d_lport) == -1)
		return -1;
	d->d_log = cfg_bool(row, "log");
	render_sanitize(cfg_str(row, "descr"), d->d_descr,
	    sizeof(d->d_descr));
	d->d_target.ep_kind = EP_ADDR;
	if ((d->d_target.ep_af = render_addr(t, d->d_af,
	    d->d_target.ep_addr)) == 0)
		return render_fail(ctx, "port forward %s: target is not an "
		    "IPv%d address", d->d_uuid, d->d_af);
	if (d->d_lport.ps_alias != NULL ||
	    (d->d_lport.ps_set && !(d->d_proto->p_flags & PROTO_PORTS)))
		return render_fail(ctx, "port forward %s: bad local port",
		    d->d_uuid);
	if (nft_iface_find(ctx, is, cfg_str(row, "interface"), &d->d_if,
	    &d->d_why) == -1)
		return -1;
	return 0;
}

static void
nft_dnat_emit(struct render_ctx *ctx, struct rbuf *out,
    const struct nft_dnat *d, int assoc)
{
	struct rbuf line;
	struct nft_match m;
	const char *why = d->d_why;
	int r = 0;

	if (d->d_descr[0] != '\0')
		rbuf_printf(out, "\t\t# %s\n", d->d_descr);
	memset(&m, 0, sizeof(m));
	m.m_proto = d->d_proto;
	m.m_src = &d->d_src;
	m.m_sport = &d->d_sport;
	if (assoc) {
		/* After translation: the target and its port. */
		m.m_dst = &d->d_target;
		m.m_dport = d->d_lport.ps_set ? &d->d_lport : &d->d_dport;
	} else {
		m.m_dst = &d->d_dst;
		m.m_dport = &d->d_dport;
		m.m_fib = 1;
	}
	rbuf_init(&line);
	if (why == NULL && (r = nft_match(ctx, &line, &m, d->d_af, &why)) == 1) {
		rbuf_printf(out, "\t\t%s", line.b_data + 1);
		if (assoc)
			rbuf_puts(out, " ct status dnat");
		if (d->d_log)
			nft_log(out, d->d_uuid, assoc ? "pass" : "rdr", NULL);
		if (assoc)
			rbuf_puts(out, " accept");
		else if (d->d_af == 4)
			rbuf_printf(out, " dnat ip to %s", d->d_target.ep_addr);
		else
			rbuf_printf(out, " dnat ip6 to %s%s%s",
			    d->d_lport.ps_set ? "[" : "", d->d_target.ep_addr,
			    d->d_lport.ps_set ? "]" : "");
		if (!assoc && d->d_lport.ps_set)
			rbuf_printf(out, ":%u", d->d_lport.ps_lo);
		if (!assoc && d->d_lport.ps_hi != d->d_lport.ps_lo)
			rbuf_printf(out, "-%u", d->d_lport.ps_hi);
		rbuf_printf(out, " comment \"%s\"\n", d->d_uuid);
	} else if (r != -1)
		rbuf_printf(out, "\t\t# %s skipped: %s\n", d->d_uuid, why);
	rbuf_free(&line);
}

/* Whether rule d belongs where ifidx says (nft_nat_assoc). */
static int
nft_nat_here(const struct nft_dnat *d, long ifidx)
{
	if (ifidx < 0)
		return d->d_why != NULL;
	return d->d_why == NULL && d->d_if == (size_t)ifidx;
}

int
nft_nat_assoc(struct render_ctx *ctx, const struct nft_ifaces *is,
    long ifidx, struct rbuf *out)
{
	struct nft_dnat d;
	json_t *row;
	size_t i;
	int n = 0;

	json_array_foreach(render_list(ctx, "dnat_rules"), i, row) {
		if (cfg_bool(row, "disabled") ||
		    strcmp(cfg_str(row, "filter_rule"), "pass") != 0)
			continue;
		if (nft_dnat_parse(ctx, is, row, &d) == -1)
			return -1;
		if (!nft_nat_here(&d, ifidx))
			continue;
		nft_dnat_emit(ctx, out, &d, 1);
		n++;
	}
	return n;
}

/* An outbound NAT target: "" = the rule interface's address. */
static int
nft_snat_target(struct render_ctx *ctx, json_t *row, int af, char *out,
    const char **why)
{
	const char *t = cfg_str(row, "target");
	struct render_ep ep;
	json_t *ifc;
	int r;

	if (t[0] == '\0') {
		if ((ifc = render_iface(ctx, cfg_str(row, "interface"))) ==
		    NULL)
			return render_fail(ctx, "nat rule: unknown interface");
	} else if (render_addr(t, af, out) == af)
		return 1;
	else if (render_endpoint(ctx, "nat target", t, 0, &ep) == -1)
		return -1;
	else if (ep.ep_kind != EP_IFADDR)
		return render_fail(ctx, "nat target is not an IPv%d address "
		    "or <interface>ip", af);
	else
		ifc = ep.ep_row;
	if ((r = render_iface_addr(ctx, ifc, af, out)) == 0)
		*why = "target interface has no static address";
	return r;
}

/*
 * A manual outbound rule into out when it belongs to interface ifidx, or
 * with ifidx -1 its comment when its interface cannot match: 1 written,
 * 0 not here, -1 failed.
 */
static int
nft_snat_rule(struct render_ctx *ctx, const struct nft_ifaces *is,
    json_t *row, long ifidx, struct rbuf *out)
{
	struct rbuf line;
	struct render_ep src, dst;
	struct render_portspec sport, dport, tport;
	struct nft_match m;
	const struct render_proto *proto;
	const char *uuid, *why = NULL;
	char target[RENDER_ADDRLEN], descr[72];
	size_t x;
	int af, nonat, r = 0;

	if ((uuid = render_uuid(ctx, row)) == NULL ||
	    (af = nft_nat_af(ctx, row, uuid)) == -1 ||
	    nft_nat_fields(ctx, row, uuid, &proto, &src, &dst, &sport,
	    &dport) == -1 ||
	    render_portspec(ctx, "target port", cfg_str(row, "target_port"),
	    &tport) == -1)
		return -1;
	if (tport.ps_alias != NULL ||
	    (tport.ps_set && !(proto->p_flags & PROTO_PORTS)))
		return render_fail(ctx, "nat rule %s: bad target port", uuid);
	if ((r = nft_iface_find(ctx, is, cfg_str(row, "interface"), &x,
	    &why)) == -1)
		return -1;
	if (ifidx < 0 ? r == 1 : r != 1 || x != (size_t)ifidx)
		return 0;
	nonat = cfg_bool(row, "nonat");
	render_sanitize(cfg_str(row, "description"), descr, sizeof(descr));
	if (descr[0] != '\0')
		rbuf_printf(out, "\t\t# %s\n", descr);
	if (r != 1 ||
	    (!nonat && (r = nft_snat_target(ctx, row, af, target, &why)) != 1))
		goto skip;
	memset(&m, 0, sizeof(m));
	m.m_proto = proto;
	m.m_src = &src;
	m.m_dst = &dst;
	m.m_sport = &sport;
	m.m_dport = &dport;
	rbuf_init(&line);
	if ((r = nft_match(ctx, &line, &m, af, &why)) == 1) {
		rbuf_printf(out, "\t\t%s", line.b_data + 1);
		if (cfg_bool(row, "log"))
			nft_log(out, uuid, "nat", NULL);
		if (nonat)
			rbuf_puts(out, " accept");
		else if (af == 4)
			rbuf_printf(out, " snat ip to %s", target);
		else
			rbuf_printf(out, " snat ip6 to %s%s%s",
			    tport.ps_set ? "[" : "", target,
			    tport.ps_set ? "]" : "");
		if (!nonat && tport.ps_set)
			rbuf_printf(out, ":%u", tport.ps_lo);
		if (!nonat && tport.ps_hi != tport.ps_lo)
			rbuf_printf(out, "-%u", tport.ps_hi);
		/* Randomising within a single fixed port means nothing. */
		if (!nonat && !cfg_bool(row, "staticnatport") &&
		    (!tport.ps_set || tport.ps_lo != tport.ps_hi))
			rbuf_puts(out, " random");
		rbuf_printf(out, " comment \"%s\"\n", uuid);
	}
	rbuf_free(&line);
skip:
	if (r == 0)
		rbuf_printf(out, "\t\t# %s skipped: %s\n", uuid, why);
	return ctx->rc_failed ? -1 : 1;
}

/*
 * Automatic outbound NAT: every internal interface's static IPv4
 * network, leaving by every upstream interface, to that interface's
 * CARP VIP if it has one, else its static address.
 */
static void
nft_snat_auto(struct render_ctx *ctx)
{
	struct rbuf *out = &ctx->rc_out;
	json_t *wan, *lan, *ifs = render_list(ctx, "interfaces");
	char target[RENDER_ADDRLEN], net[RENDER_ADDRLEN];
	const char *dev, *wname, *lname;
	size_t i, j;
	int r;

	json_array_foreach(ifs, i, wan) {
		if (!render_is_upstream(wan) ||
		    (dev = render_iface_dev(ctx, wan)) == NULL)
			continue;
		wname = cfg_str(wan, "name");
		if (!render_is_name(wname)) {
			render_fail(ctx, "interface with an unsafe name");
			return;
		}
		if ((r = render_autonat_target(ctx, wan, target)) == -1)
			return;
		if (r == 0) {
			rbuf_printf(out, "\t\t# automatic nat on %s skipped: "
			    "no static address or CARP VIP\n", wname);
			continue;
		}
		json_array_foreach(ifs, j, lan) {
			lname = cfg_str(lan, "name");
			if (render_is_upstream(lan) ||
			    strcmp(cfg_str(lan, "enabled"), "0") == 0)
				continue;
			if (!render_is_name(lname)) {
				render_fail(ctx, "interface with an unsafe "
				    "name");
				return;
			}
			if ((r = render_iface_net(ctx, lan, 4, net)) == -1)
				return;
			if (r == 1)
				rbuf_printf(out, "\t\toifname \"%s\" ip saddr "
				    "%s snat ip to %s random comment "
				    "\"auto %s to %s\"\n", dev, net, target,
				    lname, wname);
		}
	}
}

/*
 * The chains of one NAT hook: pre_<if> / post_<if> per interface with
 * rules, then the base chain, which dispatches on the device.
 */
static void
nft_nat_hook(struct render_ctx *ctx, const struct nft_ifaces *is, int pre,
    int manual)
{
	struct rbuf *out = &ctx->rc_out, body;
	unsigned char *use = xcalloc(is->is_n + 1, 1);
	struct nft_dnat d;
	json_t *row, *rules;
	size_t i;
	long x;
	int n;

	/* Without manual rules, no list: the base chain alone. */
	rules = !manual ? NULL :
	    render_list(ctx, pre ? "dnat_rules" : "snat_rules");
	/* Each interface, then (ifidx -1) the rules that cannot match. */
	for (x = 0; x <= (long)is->is_n && !ctx->rc_failed; x++) {
		long ifidx = x < (long)is->is_n ? x : -1;

		rbuf_init(&body);
		n = 0;
		json_array_foreach(rules, i, row) {
			if (ctx->rc_failed)
				break;
			if (!pre) {
				if (cfg_bool(row, "enabled"))
					n += nft_snat_rule(ctx, is, row, ifidx,
					    &body) == 1;
			} else if (!cfg_bool(row, "disabled") &&
			    nft_dnat_parse(ctx, is, row, &d) == 0 &&
			    nft_nat_here(&d, ifidx)) {
				nft_dnat_emit(ctx, &body, &d, 0);
				n++;
			}
		}
		if (ifidx >= 0 && n > 0) {
			use[x] = 1;
			rbuf_printf(out, "\tchain %s_%s {\n",
			    pre ? "pre" : "post", is->is_if[x].if_name);
			rbuf_puts(out, body.b_data);
			rbuf_puts(out, "\t}\n\n");
		} else if (ifidx < 0)
			rbuf_printf(out, "\tchain nat_%s {\n\t\ttype nat hook "
			    "%s priority %s; policy accept;\n%s",
			    pre ? "pre" : "post",
			    pre ? "prerouting" : "postrouting",
			    pre ? "dstnat" : "srcnat", body.b_data);
		rbuf_free(&body);
	}
	nft_vmap(out, is, pre ? "iifname" : "oifname", "jump",
	    pre ? "pre_" : "post_", use);
	free(use);
}

void
nft_nat_chains(struct render_ctx *ctx, const struct nft_ifaces *is)
{
	struct rbuf *out = &ctx->rc_out;
	json_t *snat = render_single(ctx, "snat");
	const char *mode = cfg_str(snat, "mode");

	rbuf_puts(out, "\n");
	nft_nat_hook(ctx, is, 1, 1);
	rbuf_puts(out, "\t}\n\n");
	if (mode[0] == '\0')
		mode = "automatic";
	nft_nat_hook(ctx, is, 0, strcmp(mode, "hybrid") == 0 ||
	    strcmp(mode, "advanced") == 0);
	if (strcmp(mode, "automatic") == 0 || strcmp(mode, "hybrid") == 0)
		nft_snat_auto(ctx);
	else if (strcmp(mode, "advanced") != 0 &&
	    strcmp(mode, "disabled") != 0)
		render_fail(ctx, "snat: unknown mode");
	rbuf_puts(out, "\t}\n");
}
