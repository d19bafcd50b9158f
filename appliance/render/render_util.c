/*
 * render_util.c — the buffer, snapshot accessors and token checks shared
 * by the nftables and pf renderers (render_int.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_int.h"
#include "util.h"

void
rbuf_init(struct rbuf *b)
{
	b->b_cap = 4096;
	b->b_len = 0;
	b->b_data = xmalloc(b->b_cap);
	b->b_data[0] = '\0';
}

static void
rbuf_grow(struct rbuf *b, size_t need)
{
	while (b->b_len + need + 1 > b->b_cap)
		b->b_cap *= 2;
	b->b_data = xrealloc(b->b_data, b->b_cap);
}

void
rbuf_puts(struct rbuf *b, const char *s)
{
	size_t n = strlen(s);

	rbuf_grow(b, n);
	memcpy(b->b_data + b->b_len, s, n + 1);
	b->b_len += n;
}

void
rbuf_printf(struct rbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	rbuf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->b_data + b->b_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->b_len += (size_t)n;
}

char *
rbuf_take(struct rbuf *b)
{
	char *s = b->b_data;

	b->b_data = NULL;
	b->b_len = b->b_cap = 0;
	return s;
}

void
rbuf_free(struct rbuf *b)
{
	free(b->b_data);
	b->b_data = NULL;
	b->b_len = b->b_cap = 0;
}

int
render_begin(struct render_ctx *ctx, json_t *snap, char *err, size_t errlen)
{
	json_t *fmt;

	memset(ctx, 0, sizeof(*ctx));
	ctx->rc_err = err;
	ctx->rc_errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rbuf_init(&ctx->rc_out);
	if (!json_is_object(snap))
		return render_fail(ctx, "snapshot is not an object");
	fmt = json_object_get(snap, "format");
	if (!json_is_integer(fmt) || json_integer_value(fmt) != 1)
		return render_fail(ctx, "snapshot format is not 1");
	ctx->rc_snap = snap;
	ctx->rc_sections = json_object_get(snap, "sections");
	if (!json_is_object(ctx->rc_sections))
		return render_fail(ctx, "snapshot has no sections");
	return 0;
}

int
render_fail(struct render_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->rc_failed && ctx->rc_err != NULL && ctx->rc_errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(ctx->rc_err, ctx->rc_errlen, fmt, ap);
		va_end(ap);
	}
	ctx->rc_failed = 1;
	return -1;
}

char *
render_end(struct render_ctx *ctx)
{
	if (ctx->rc_failed) {
		rbuf_free(&ctx->rc_out);
		return NULL;
	}
	return rbuf_take(&ctx->rc_out);
}

json_t *
render_list(struct render_ctx *ctx, const char *section)
{
	json_t *v;

	if (ctx->rc_sections == NULL)
		return NULL;
	v = json_object_get(ctx->rc_sections, section);
	if (v != NULL && !json_is_array(v)) {
		render_fail(ctx, "section %s is not a list", section);
		return NULL;
	}
	return v;
}

json_t *
render_single(struct render_ctx *ctx, const char *section)
{
	json_t *v;

	if (ctx->rc_sections == NULL)
		return NULL;
	v = json_object_get(ctx->rc_sections, section);
	if (json_is_array(v))	/* a singleton stored as a one-row list */
		v = json_array_get(v, 0);
	if (v != NULL && !json_is_object(v)) {
		render_fail(ctx, "section %s is not an object", section);
		return NULL;
	}
	return v;
}

const char *
render_uuid(struct render_ctx *ctx, json_t *row)
{
	const char *u = cfg_str(row, "uuid");

	if (!util_is_uuid(u)) {
		render_fail(ctx, "a row has no valid uuid");
		return NULL;
	}
	return u;
}

int
render_is_name(const char *s)
{
	size_t i;

	if (s == NULL || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= RENDER_NAMEMAX)
			return 0;
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	}
	return 1;
}

int
render_is_device(const char *s)
{
	size_t i;

	/* Linux allows nearly anything; we emit it inside quotes. */
	if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= RENDER_DEVMAX)
			return 0;
		if (!isascii((unsigned char)s[i]) ||
		    !(isalnum((unsigned char)s[i]) || s[i] == '_' ||
		    s[i] == '.' || s[i] == '-'))
			return 0;
	}
	return 1;
}

int
render_addr(const char *s, int want, char *out)
{
	unsigned char bin[16];

	if (s == NULL || strlen(s) >= RENDER_ADDRLEN)
		return 0;
	if (want != 6 && inet_pton(AF_INET, s, bin) == 1) {
		inet_ntop(AF_INET, bin, out, RENDER_ADDRLEN);
		return 4;
	}
	if (want != 4 && inet_pton(AF_INET6, s, bin) == 1) {
		inet_ntop(AF_INET6, bin, out, RENDER_ADDRLEN);
		return 6;
	}
	return 0;
}

int
render_cidr(const char *s, int want, char *out)
{
	char host[RENDER_ADDRLEN], txt[RENDER_ADDRLEN];
	char canon[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *slash, *p;
	size_t n, i;
	int af, bits = 0, max;

	if (s == NULL || (slash = strchr(s, '/')) == NULL ||
	    (n = (size_t)(slash - s)) >= sizeof(host))
		return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	if ((af = render_addr(host, want, txt)) == 0)
		return 0;
	for (p = slash + 1; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || p - slash > 3)
			return 0;
		bits = bits * 10 + (*p - '0');
	}
	max = af == 4 ? 32 : 128;
	if (p == slash + 1 || bits > max)
		return 0;
	inet_pton(af == 4 ? AF_INET : AF_INET6, txt, bin);
	for (i = 0; i < (size_t)max / 8; i++) {
		int keep = bits - (int)i * 8;

		if (keep <= 0)
			bin[i] = 0;
		else if (keep < 8)
			bin[i] &= (unsigned char)(0xff << (8 - keep));
	}
	inet_ntop(af == 4 ? AF_INET : AF_INET6, bin, canon, sizeof(canon));
	snprintf(out, RENDER_ADDRLEN, "%s/%d", canon, bits & 0xff);
	return af;
}

static int
render_portnum(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return *v >= 1 && *v <= 65535 ? 0 : -1;
}

int
render_port(const char *s, unsigned *lo, unsigned *hi)
{
	size_t sep;

	if (s == NULL)
		return -1;
	sep = strcspn(s, ":-");
	if (render_portnum(s, sep, lo) == -1)
		return -1;
	if (s[sep] == '\0') {
		*hi = *lo;
		return 0;
	}
	if (render_portnum(s + sep + 1, strlen(s + sep + 1), hi) == -1 ||
	    *hi < *lo)
		return -1;
	return 0;
}

void
render_sanitize(const char *in, char *out, size_t outlen)
{
	size_t i, o = 0;
	unsigned char c;

	if (outlen == 0)
		return;
	for (i = 0; in != NULL && in[i] != '\0' && o + 1 < outlen; i++) {
		c = (unsigned char)in[i];
		if (isascii(c) && (isalnum(c) || strchr(" _.,:/@+=()-", c)))
			out[o++] = (char)c;
		else if (c < 0x80 || (c & 0xc0) == 0xc0)
			out[o++] = '_';	/* one '_' per UTF-8 sequence */
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

json_t *
render_iface(struct render_ctx *ctx, const char *name)
{
	json_t *row;
	size_t i;

	json_array_foreach(render_list(ctx, "interfaces"), i, row)
		if (strcmp(cfg_str(row, "name"), name) == 0)
			return row;
	return NULL;
}

const char *
render_iface_dev(struct render_ctx *ctx, json_t *iface)
{
	const char *dev = cfg_str(iface, "device");

	if (strcmp(cfg_str(iface, "enabled"), "0") == 0 || dev[0] == '\0')
		return NULL;
	if (!render_is_device(dev)) {
		render_fail(ctx, "interface %s: unsafe device name",
		    render_is_name(cfg_str(iface, "name")) ?
		    cfg_str(iface, "name") : "?");
		return NULL;
	}
	return dev;
}

/* Keywords an interface address field may hold instead of an address. */
static int
render_addr_keyword(const char *s)
{
	static const char *const kw[] = {
		"", "none", "dhcp", "dhcp6", "slaac", "track6", NULL
	};
	int i;

	for (i = 0; kw[i] != NULL; i++)
		if (strcmp(s, kw[i]) == 0)
			return 1;
	return 0;
}

int
render_iface_addr(struct render_ctx *ctx, json_t *iface, int af, char *out)
{
	const char *v = cfg_str(iface, af == 4 ? "ipaddr" : "ipaddrv6");

	if (render_addr_keyword(v))
		return 0;
	if (render_addr(v, af, out) != af)
		return render_fail(ctx, "interface %s: bad IPv%d address",
		    cfg_str(iface, "name"), af);
	return 1;
}

int
render_iface_net(struct render_ctx *ctx, json_t *iface, int af, char *out)
{
	char addr[RENDER_ADDRLEN], cidr[RENDER_ADDRLEN + 8];
	const char *bits = cfg_str(iface, af == 4 ? "subnet" : "subnetv6");
	int r;

	if ((r = render_iface_addr(ctx, iface, af, addr)) != 1)
		return r;
	snprintf(cidr, sizeof(cidr), "%s/%s", addr,
	    bits[0] != '\0' ? bits : (af == 4 ? "32" : "128"));
	if (render_cidr(cidr, af, out) != af)
		return render_fail(ctx, "interface %s: bad IPv%d subnet",
		    cfg_str(iface, "name"), af);
	return 1;
}

json_t *
render_alias(struct render_ctx *ctx, const char *name)
{
	json_t *row;
	size_t i;

	json_array_foreach(render_list(ctx, "aliases"), i, row)
		if (strcmp(cfg_str(row, "name"), name) == 0)
			return row;
	return NULL;
}

int
render_alias_elems(struct render_ctx *ctx, json_t *alias,
    void (*fn)(struct render_ctx *, const struct render_elem *, void *),
    void *arg)
{
	const char *name = cfg_str(alias, "name");
	const char *type = cfg_str(alias, "type");
	const char *p = cfg_str(alias, "content");
	struct render_elem e;
	char tok[RENDER_ADDRLEN];
	size_t n;

	if (!render_is_name(name))
		return render_fail(ctx, "alias with an unsafe name");
	if (strcmp(type, "host") != 0 && strcmp(type, "network") != 0 &&
	    strcmp(type, "port") != 0)
		return render_fail(ctx, "alias %s: unknown type", name);
	if (!cfg_bool(alias, "enabled"))
		return 0;	/* disabled: an empty set */
	for (;;) {
		p += strspn(p, ", \t\r\n");
		if ((n = strcspn(p, ", \t\r\n")) == 0)
			break;
		if (n >= sizeof(tok))
			return render_fail(ctx, "alias %s: element too long",
			    name);
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		memset(&e, 0, sizeof(e));
		if (type[0] == 'p') {
			if (render_port(tok, &e.e_lo, &e.e_hi) == -1)
				return render_fail(ctx,
				    "alias %s: not a port or range", name);
		} else if ((e.e_af = render_addr(tok, 0, e.e_addr)) == 0 &&
		    (type[0] == 'h' ||
		    (e.e_af = render_cidr(tok, 0, e.e_addr)) == 0))
			return render_fail(ctx, "alias %s: not an %s", name,
			    type[0] == 'h' ? "address" : "address or network");
		fn(ctx, &e, arg);
	}
	return 0;
}

int
render_endpoint(struct render_ctx *ctx, const char *what, const char *val,
    int neg, struct render_ep *ep)
{
	size_t n;
	char ifname[RENDER_NAMEMAX + 1];

	memset(ep, 0, sizeof(*ep));
	ep->ep_not = neg;
	if (val[0] == '\0' || strcmp(val, "any") == 0) {
		ep->ep_kind = EP_ANY;
		return 0;
	}
	if ((ep->ep_af = render_addr(val, 0, ep->ep_addr)) != 0 ||
	    (ep->ep_af = render_cidr(val, 0, ep->ep_addr)) != 0) {
		ep->ep_kind = EP_ADDR;
		return 0;
	}
	if (!render_is_name(val))
		return render_fail(ctx, "%s: not an address, network or name",
		    what);
	ep->ep_name = val;
	if ((ep->ep_row = render_iface(ctx, val)) != NULL) {
		ep->ep_kind = EP_IFNET;
		return 0;
	}
	n = strlen(val);
	if (n > 2 && strcmp(val + n - 2, "ip") == 0) {
		memcpy(ifname, val, n - 2);
		ifname[n - 2] = '\0';
		if ((ep->ep_row = render_iface(ctx, ifname)) != NULL) {
			ep->ep_kind = EP_IFADDR;
			ep->ep_name = cfg_str(ep->ep_row, "name");
			return 0;
		}
	}
	if ((ep->ep_row = render_alias(ctx, val)) != NULL) {
		if (strcmp(cfg_str(ep->ep_row, "type"), "port") == 0)
			return render_fail(ctx, "%s: alias %s holds ports",
			    what, val);
		ep->ep_kind = EP_ALIAS;
		return 0;
	}
	return render_fail(ctx, "%s: unknown alias or interface %s", what, val);
}

int
render_portspec(struct render_ctx *ctx, const char *what, const char *val,
    struct render_portspec *ps)
{
	json_t *row;

	memset(ps, 0, sizeof(*ps));
	if (val[0] == '\0' || strcmp(val, "any") == 0)
		return 0;
	ps->ps_set = 1;
	if (render_port(val, &ps->ps_lo, &ps->ps_hi) == 0)
		return 0;
	if (render_is_name(val) && (row = render_alias(ctx, val)) != NULL &&
	    strcmp(cfg_str(row, "type"), "port") == 0) {
		ps->ps_alias = cfg_str(row, "name");
		return 0;
	}
	return render_fail(ctx, "%s: not a port, range or port alias", what);
}

static const struct render_proto render_protos[] = {
	{ "any",	-1,	NULL,		NULL,		0 },
	{ "tcp",	6,	"tcp",		"tcp",		PROTO_PORTS },
	{ "udp",	17,	"udp",		"udp",		PROTO_PORTS },
	{ "tcp/udp",	-2,	"{ tcp, udp }",	"{ tcp udp }",	PROTO_PORTS },
	{ "icmp",	1,	"icmp",		"icmp",		PROTO_V4ONLY },
	{ "icmpv6",	58,	"icmpv6",	"icmp6",	PROTO_V6ONLY },
	{ "ipv6-icmp",	58,	"icmpv6",	"icmp6",	PROTO_V6ONLY },
	/* Numbers where nft would need /etc/protocols to resolve a name. */
	{ "carp",	112,	"112",		"carp",		0 },
	{ "esp",	50,	"esp",		"esp",		0 },
	{ "ah",		51,	"ah",		"ah",		0 },
	{ "gre",	47,	"47",		"gre",		0 },
	{ "igmp",	2,	"igmp",		"igmp",		PROTO_V4ONLY },
	{ "ospf",	89,	"89",		"ospf",		0 },
	{ "pim",	103,	"103",		"pim",		0 },
	{ "sctp",	132,	"sctp",		"sctp",		0 },
};

const struct render_proto *
render_proto(struct render_ctx *ctx, const char *name)
{
	size_t i;

	if (name[0] == '\0')
		name = "any";
	for (i = 0; i < nitems(render_protos); i++)
		if (strcasecmp(render_protos[i].p_name, name) == 0)
			return &render_protos[i];
	render_fail(ctx, "unknown protocol");
	return NULL;
}

static const struct render_icmp render_icmps[] = {
	{ "echorep",	"echo-reply" },
	{ "unreach",	"destination-unreachable" },
	{ "squench",	"source-quench" },
	{ "redir",	"redirect" },
	{ "echoreq",	"echo-request" },
	{ "routeradv",	"router-advertisement" },
	{ "routersol",	"router-solicitation" },
	{ "timex",	"time-exceeded" },
	{ "paramprob",	"parameter-problem" },
	{ "timereq",	"timestamp-request" },
	{ "timerep",	"timestamp-reply" },
	{ "inforeq",	"info-request" },
	{ "inforep",	"info-reply" },
	{ "maskreq",	"address-mask-request" },
	{ "maskrep",	"address-mask-reply" },
};

const struct render_icmp *
render_icmptype(const char *s)
{
	size_t i;

	for (i = 0; i < nitems(render_icmps); i++)
		if (strcmp(render_icmps[i].i_pf, s) == 0 ||
		    strcmp(render_icmps[i].i_nft, s) == 0)
			return &render_icmps[i];
	return NULL;
}

int
render_families(struct render_ctx *ctx, const char *ipprotocol)
{
	if (strcmp(ipprotocol, "inet") == 0)
		return FAM4;
	if (strcmp(ipprotocol, "inet6") == 0)
		return FAM6;
	if (strcmp(ipprotocol, "inet46") == 0 || ipprotocol[0] == '\0')
		return FAM4 | FAM6;
	render_fail(ctx, "unknown ipprotocol");
	return 0;
}

int
render_carp_vip4(struct render_ctx *ctx, const char *ifname, char *out)
{
	json_t *row;
	size_t i;

	json_array_foreach(render_list(ctx, "vips"), i, row) {
		if (strcmp(cfg_str(row, "mode"), "carp") != 0 ||
		    strcmp(cfg_str(row, "interface"), ifname) != 0)
			continue;
		if (render_addr(cfg_str(row, "subnet"), 4, out) == 4)
			return 1;
	}
	return 0;
}

int
render_has_carp(struct render_ctx *ctx, const char *ifname)
{
	json_t *row;
	size_t i;

	json_array_foreach(render_list(ctx, "vips"), i, row)
		if (strcmp(cfg_str(row, "mode"), "carp") == 0 &&
		    strcmp(cfg_str(row, "interface"), ifname) == 0)
			return 1;
	return 0;
}

int
render_is_upstream(json_t *iface)
{
	return strcmp(cfg_str(iface, "name"), "wan") == 0 ||
	    cfg_str(iface, "gateway")[0] != '\0';
}

int
render_autonat_target(struct render_ctx *ctx, json_t *wan, char *out)
{
	if (render_carp_vip4(ctx, cfg_str(wan, "name"), out))
		return 1;
	return render_iface_addr(ctx, wan, 4, out);
}

uint32_t
render_nosync_mark(json_t *snap)
{
	struct render_ctx	 ctx;
	unsigned char		 mine[16], peer[16];
	const char		*p, *a;
	json_t			*ha, *ifc;
	int			 af, cmp = 0;

	if (render_begin(&ctx, snap, NULL, 0) == 0 &&
	    (ha = render_single(&ctx, "hasync")) != NULL && (ifc =
	    render_iface(&ctx, cfg_str(ha, "pfsyncinterface"))) != NULL) {
		p = cfg_str(ha, "pfsyncpeerip");
		af = strchr(p, ':') != NULL ? AF_INET6 : AF_INET;
		a = cfg_str(ifc, af == AF_INET ? "ipaddr" : "ipaddrv6");
		if (inet_pton(af, p, peer) == 1 && inet_pton(af, a, mine) == 1)
			cmp = memcmp(mine, peer, af == AF_INET ? 4 : 16);
	}
	free(render_end(&ctx));
	return cmp > 0 ? TW_CTMARK_NOSYNC_HIGH : TW_CTMARK_NOSYNC_LOW;
}

static int
render_gw_cmp(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	    json_string_value(*(json_t *const *)b));
}

json_t *
render_gw_targets(json_t *snap)
{
	struct render_ctx	 ctx;
	json_t			*seen = json_object(), *row, *v, *out;
	json_t			**tmp;
	const char		*gw, *k;
	size_t			 i, n = 0;

	if (render_begin(&ctx, snap, NULL, 0) == 0)
		json_array_foreach(render_list(&ctx, "filter_rules"), i, row) {
			gw = cfg_str(row, "gateway");
			if (gw[0] != '\0' && cfg_bool(row, "enabled") &&
			    strcmp(cfg_str(row, "action"), "pass") == 0)
				json_object_set_new(seen, gw, json_true());
		}
	free(render_end(&ctx));
	tmp = xcalloc(json_object_size(seen) + 1, sizeof(*tmp));
	json_object_foreach(seen, k, v)
		tmp[n++] = json_string(k);
	qsort(tmp, n, sizeof(*tmp), render_gw_cmp);
	out = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(out, tmp[i]);
	free(tmp);
	json_decref(seen);
	return out;
}

int
render_gw_index(json_t *targets, const char *name)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(targets, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return (int)i + 1;
	return 0;
}

static json_t *
render_gw_find(struct render_ctx *ctx, const char *section, const char *name)
{
	json_t	*row;
	size_t	 i;

	json_array_foreach(render_list(ctx, section), i, row)
		if (strcmp(cfg_str(row, "name"), name) == 0)
			return row;
	return NULL;
}

int
render_gw_family(struct render_ctx *ctx, const char *name, json_t **gwp,
    json_t **grp)
{
	static const char *const tiers[] = { "tier1", "tier2", "tier3",
	    "tier4", "tier5" };
	json_t	*gw = NULL, *group;
	char	 first[64];
	size_t	 n = strlen(name), t;

	*gwp = *grp = NULL;
	if ((gw = render_gw_find(ctx, "gateways", name)) != NULL) {
		*gwp = gw;
		return strcmp(cfg_str(gw, "ipprotocol"), "inet6") == 0 ?
		    FAM6 : FAM4;
	}
	if ((group = render_gw_find(ctx, "gateway_groups", name)) != NULL) {
		*grp = group;
		/* One family per group (gateway_groups.c): any member's. */
		for (t = 0; t < nitems(tiers) && gw == NULL; t++) {
			snprintf(first, sizeof(first), "%s",
			    cfg_str(group, tiers[t]));
			first[strcspn(first, ",")] = '\0';
			gw = render_gw_find(ctx, "gateways", first);
		}
		return gw == NULL ? 0 : strcmp(cfg_str(gw, "ipprotocol"),
		    "inet6") == 0 ? FAM6 : FAM4;
	}
	/* The dynamic gateways <IF>_DHCP and <IF>_DHCP6 (config.h). */
	if (n > 6 && strcmp(name + n - 6, "_DHCP6") == 0)
		return FAM6;
	if (n > 5 && strcmp(name + n - 5, "_DHCP") == 0)
		return FAM4;
	return 0;
}
