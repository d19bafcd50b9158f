/*
 * nft_match.c — the pieces of an nftables rule that the filter (nft.c)
 * and NAT (nft_nat.c) renderers share: ports, endpoints and a rule's
 * match, the log statement, the interfaces with their devices, and the
 * verdict map that enters an interface's chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_int.h"
#include "util.h"

#define NFT_EXPRLEN	128	/* one address match: "ip6 saddr != ..." */

static void
nft_ports(struct rbuf *b, const char *l4, const char *kw,
    const struct render_portspec *ps)
{
	if (!ps->ps_set)
		return;
	if (ps->ps_alias != NULL)
		rbuf_printf(b, " %s %s @" TW_NFT_ALIAS "%s", l4, kw,
		    ps->ps_alias);
	else if (ps->ps_lo == ps->ps_hi)
		rbuf_printf(b, " %s %s %u", l4, kw, ps->ps_lo);
	else
		rbuf_printf(b, " %s %s %u-%u", l4, kw, ps->ps_lo, ps->ps_hi);
}

/*
 * One endpoint as an nft expression into out[NFT_EXPRLEN] ("" for any):
 * 1, 0 when it cannot match in af, -1.
 */
static int
nft_ep(struct render_ctx *ctx, const struct render_ep *ep, int af,
    const char *kw, int fib, char *out, const char **why)
{
	char a[RENDER_ADDRLEN];
	const char *ipkw = af == 4 ? "ip" : "ip6";
	const char *neg = ep->ep_not ? "!= " : "";
	int r;

	out[0] = '\0';
	switch (ep->ep_kind) {
	case EP_ANY:
		if (ep->ep_not) {
			*why = "negated any matches nothing";
			return 0;
		}
		return 1;
	case EP_ADDR:
		if (ep->ep_af != af) {
			*why = "address of the other family";
			return 0;
		}
		snprintf(out, NFT_EXPRLEN, "%s %s %s%s", ipkw, kw, neg, ep->ep_addr);
		return 1;
	case EP_ALIAS:
		snprintf(out, NFT_EXPRLEN, "%s %s %s@" TW_NFT_ALIAS "%s%s", ipkw,
		    kw, neg, ep->ep_name, af == 4 ? "" : ".6");
		return 1;
	case EP_IFNET:
		/* track6: the /64 the parent puts in the set (track6.c). */
		if (af == 6 && strcmp(cfg_str(ep->ep_row, "ipaddrv6"),
		    "track6") == 0) {
			snprintf(out, NFT_EXPRLEN, "%s %s %s@" TW_NFT_IFNET6
			    "%s", ipkw, kw, neg, cfg_str(ep->ep_row,
			    "name"));
			return 1;
		}
		if ((r = render_iface_net(ctx, ep->ep_row, af, a)) != 1) {
			*why = "interface has no static network";
			return r;
		}
		snprintf(out, NFT_EXPRLEN, "%s %s %s%s", ipkw, kw, neg, a);
		return 1;
	case EP_IFADDR:
		if ((r = render_iface_addr(ctx, ep->ep_row, af, a)) == -1)
			return -1;
		if (r == 1) {
			snprintf(out, NFT_EXPRLEN, "%s %s %s%s", ipkw, kw, neg, a);
			return 1;
		}
		if (fib && strcmp(kw, "daddr") == 0) {
			/* A dynamic address: whatever is local here. */
			snprintf(out, NFT_EXPRLEN, "fib daddr type %slocal", neg);
			return 1;
		}
		*why = "interface has no static address";
		return 0;
	}
	return render_fail(ctx, "bad endpoint");
}

int
nft_neutral(const struct nft_match *m, int fams)
{
	return fams == (FAM4 | FAM6) && m->m_src->ep_kind == EP_ANY &&
	    m->m_dst->ep_kind == EP_ANY &&
	    !(m->m_proto->p_flags & (PROTO_V4ONLY | PROTO_V6ONLY));
}

int
nft_match(struct render_ctx *ctx, struct rbuf *b, const struct nft_match *m,
    int af, const char **why)
{
	char src[NFT_EXPRLEN], dst[NFT_EXPRLEN];
	const struct render_proto *p = m->m_proto;
	int ports = m->m_sport->ps_set || m->m_dport->ps_set;
	const char *l4 = "th";
	int r;

	if (af != 0) {
		if ((r = nft_ep(ctx, m->m_src, af, "saddr", 0, src, why)) != 1)
			return r;
		if ((r = nft_ep(ctx, m->m_dst, af, "daddr", m->m_fib, dst,
		    why)) != 1)
			return r;
	} else
		src[0] = dst[0] = '\0';
	if (af != 0 && strncmp(src, "ip", 2) != 0 && strncmp(dst, "ip", 2) != 0)
		rbuf_printf(b, " meta nfproto ipv%d", af);
	if (m->m_tcponly) {
		if (!ports)
			rbuf_puts(b, " meta l4proto tcp");
		l4 = "tcp";
	} else if (p->p_num == 6 || p->p_num == 17) {
		if (!ports)
			rbuf_printf(b, " meta l4proto %s", p->p_nft);
		l4 = p->p_nft;
	} else if (p->p_num == 1 && m->m_icmp != NULL)
		rbuf_printf(b, " icmp type %s", m->m_icmp);
	else if (p->p_nft != NULL)
		rbuf_printf(b, " meta l4proto %s", p->p_nft);
	if (src[0] != '\0')
		rbuf_printf(b, " %s", src);
	if (dst[0] != '\0')
		rbuf_printf(b, " %s", dst);
	nft_ports(b, l4, "sport", m->m_sport);
	nft_ports(b, l4, "dport", m->m_dport);
	return 1;
}

/*
 * The prefix names the rule, what it did and, for a filter rule, the
 * evaluation it matched in: the forward hook runs both (filter_in, then
 * filter_out), and only the renderer knows which one logged.
 */
void
nft_log(struct rbuf *b, const char *uuid, const char *what, const char *dir)
{
	rbuf_printf(b, " log prefix \"tw:%s:%s%s%s\" group %d", uuid, what,
	    dir != NULL ? ":" : "", dir != NULL ? dir : "", TW_NFLOG_GROUP);
}

/* Adds dev to interface ifc unless an interface already has it. */
static void
nft_ifaces_add(struct nft_ifaces *is, struct nft_iface *ifc, const char *dev)
{
	size_t i, j;

	for (i = 0; i < is->is_n; i++)
		for (j = 0; j < is->is_if[i].if_ndev; j++)
			if (strcmp(is->is_if[i].if_dev[j], dev) == 0)
				return;
	ifc->if_dev = xrealloc(ifc->if_dev, (ifc->if_ndev + 1) *
	    sizeof(*ifc->if_dev));
	snprintf(ifc->if_dev[ifc->if_ndev++], sizeof(*ifc->if_dev), "%s", dev);
}

int
nft_ifaces_init(struct render_ctx *ctx, struct nft_ifaces *is)
{
	json_t		*ifc, *vip;
	const char	*dev, *name, *v;
	char		*end, vdev[RENDER_DEVMAX + 1];
	size_t		 i, x;
	long		 vhid;

	memset(is, 0, sizeof(*is));
	is->is_if = xcalloc(json_array_size(render_list(ctx, "interfaces")) +
	    1, sizeof(*is->is_if));
	json_array_foreach(render_list(ctx, "interfaces"), i, ifc) {
		if ((dev = render_iface_dev(ctx, ifc)) == NULL) {
			if (ctx->rc_failed)
				return -1;
			continue;
		}
		if (!render_is_name(name = cfg_str(ifc, "name")))
			return render_fail(ctx, "interface with an unsafe name");
		is->is_if[is->is_n].if_name = name;
		is->is_if[is->is_n].if_row = ifc;
		nft_ifaces_add(is, &is->is_if[is->is_n], dev);
		/* A device on two interfaces: the first one has it. */
		if (is->is_if[is->is_n].if_ndev == 0)
			continue;
		is->is_n++;
	}
	/* Vips in their order: the first of a vhid names its macvlan. */
	json_array_foreach(render_list(ctx, "vips"), i, vip) {
		v = cfg_str(vip, "vhid");
		if (strcmp(cfg_str(vip, "mode"), "carp") != 0 || *v == '\0')
			continue;
		for (x = 0; x < is->is_n; x++)
			if (strcmp(cfg_str(vip, "interface"),
			    is->is_if[x].if_name) == 0)
				break;
		if (x == is->is_n)
			continue;
		vhid = strtol(v, &end, 10);
		if (*end != '\0' || vhid < 1 || vhid > 255)
			return render_fail(ctx, "vip on %s: bad vhid",
			    is->is_if[x].if_name);
		snprintf(vdev, sizeof(vdev), TW_VMAC_PREFIX "%ld", vhid);
		nft_ifaces_add(is, &is->is_if[x], vdev);
	}
	return 0;
}

void
nft_ifaces_free(struct nft_ifaces *is)
{
	size_t i;

	for (i = 0; i < is->is_n; i++)
		free(is->is_if[i].if_dev);
	free(is->is_if);
	memset(is, 0, sizeof(*is));
}

int
nft_iface_find(struct render_ctx *ctx, const struct nft_ifaces *is,
    const char *name, size_t *idx, const char **why)
{
	size_t i;

	if (!render_is_name(name) || render_iface(ctx, name) == NULL)
		return render_fail(ctx, "unknown interface");
	for (i = 0; i < is->is_n; i++)
		if (strcmp(is->is_if[i].if_name, name) == 0) {
			*idx = i;
			return 1;
		}
	*why = "interface disabled or without a device";
	return 0;
}

void
nft_vmap(struct rbuf *b, const struct nft_ifaces *is, const char *kw,
    const char *verb, const char *prefix, const unsigned char *use)
{
	size_t i, j;
	int n = 0;

	for (i = 0; i < is->is_n; i++) {
		if (!use[i])
			continue;
		for (j = 0; j < is->is_if[i].if_ndev; j++) {
			if (n++ == 0)
				rbuf_printf(b, "\t\t%s vmap { ", kw);
			else
				rbuf_puts(b, ", ");
			rbuf_printf(b, "\"%s\" : %s %s%s",
			    is->is_if[i].if_dev[j], verb, prefix,
			    is->is_if[i].if_name);
		}
	}
	if (n > 0)
		rbuf_puts(b, " }\n");
}
