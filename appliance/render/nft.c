/*
 * nft.c — config snapshot -> the nftables script that replaces the
 * table twinwall owns (render.h). NAT chains are in nft_nat.c; the
 * matches, interfaces and verdict maps both use are in nft_match.c.
 *
 * pf semantics in nftables. pf evaluates a packet once per direction:
 * "in" on the interface it arrived on, "out" on the one it leaves by.
 * Each evaluation walks the rules of that direction: the first matching
 * quick rule decides, else the last matching non-quick rule, else the
 * default (in: block, out: pass). nft stops at the first verdict, so
 * each direction's rules run as the quick rules in order followed by the
 * non-quick rules in reverse order: the first hit there is exactly pf's
 * decision.
 *
 * Interfaces. pf evaluates per interface, and so does the ruleset: the
 * rules of interface X for direction in sit in chain in_X, without any
 * interface match, and filter_in enters it through one verdict map keyed
 * by X's devices (its own and its CARP macvlans). A rule on several
 * interfaces is copied into each of their chains. Rules on no interface
 * (floating, any) are kept once, in chains any_in_N, each a run of them
 * without an interface rule between (in decision order); every
 * interface chain jumps to those runs where they fall in its order, and
 * filter_in jumps to all of them for devices no interface names. A
 * verdict anywhere is final for the evaluation: pass is "accept", so
 * forward's two evaluations are two base chains (forward, then
 * forward_out at the next priority); no rule matching falls back to the
 * base chain, which holds the default.
 *
 * nopfsync (pf's no-sync): conntrackd cannot leave a state out, so a
 * pass rule with it sets this node's TW_CTMARK_NOSYNC bit on the new
 * state and keeps only its destroy event (no new/update events reach
 * conntrackd; a destroy cleans the caches of a copy a resync made).
 * A state carrying the peer's bit arrived by a commit and is dropped
 * until statesync deletes it. The drop rules appear only when a rule
 * uses nopfsync, so a config without it renders as it did; rules are
 * the same on both nodes, and statesync deletes regardless.
 *
 * Policy routing (a pass rule with a gateway or group; mark bits in
 * render.h). Linux routes a packet before the forward hook where the
 * rules decide, so the inbound evaluation is walked once more, earlier:
 * chain policy_route (prerouting, after dstnat so it sees the addresses
 * forward sees) runs the same rules in the same order, in chains
 * pr_<if> / any_pr_N / filter_pr, where every match ends the walk
 * ("accept" of this hook only) and a gateway rule first sets its
 * target's mark on the packet and the connection. Later packets of the
 * original direction take the mark from the connection; replies take
 * none (their route is the main table's). Without a gateway rule none
 * of this is rendered. With system skip_rules_gw_down the gateway rule
 * matches only while its target's table routes (fib with the mark: the
 * platform puts an unreachable route there when every member is down),
 * and its forward copy requires the mark, so a rule whose gateway is
 * down matches nothing and the next rule decides; without it, an empty
 * table falls through to the main table (the default route).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "render_int.h"
#include "util.h"


enum nft_dir { DIR_IN, DIR_OUT, DIR_PR };
enum nft_act { ACT_PASS, ACT_BLOCK, ACT_REJECT };

static const char *const nft_actname[] = { "pass", "block", "reject" };

/* A filter rule, resolved once and emitted into one or both chains. */
struct nft_frule {
	json_t			*fr_row;
	const char		*fr_uuid;
	enum nft_act		 fr_act;
	int			 fr_quick, fr_log;
	int			 fr_in, fr_out;		/* directions */
	int			 fr_fams;
	uint32_t		 fr_ctmark;		/* nopfsync: own bit */
	uint32_t		 fr_gwmark;		/* TW_MARK_GW bits, 0 */
	int			 fr_gwskip;		/* skip_rules_gw_down */
	const char		*fr_why;		/* cannot match */
	unsigned char		*fr_on;		/* per interface; NULL: all */
	const struct render_proto *fr_proto;
	char			 fr_icmp[512];
	struct render_ep	 fr_src, fr_dst;
	struct render_portspec	 fr_sport, fr_dport;
	char			 fr_descr[72];
};

/* Fixed lists: RFC 1918 + CGN + ULA, and a small bogon list. */
static const char nft_priv4[] =
    "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10";
static const char nft_priv6[] = "fc00::/7";
static const char nft_bogon4[] =
    "0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 192.0.0.0/24, "
    "192.0.2.0/24, 198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, "
    "224.0.0.0/4, 240.0.0.0/4";
static const char nft_bogon6[] =
    "::/128, ::ffff:0:0/96, 100::/64, 2001:db8::/32, 3ffe::/16, "
    "fec0::/10";

/*
 * The interface field: one name or a comma list (floating rules): the
 * interfaces whose chains hold the rule. No interface that can match
 * means the rule cannot match; an empty field means all interfaces.
 */
static int
nft_ifset(struct render_ctx *ctx, const struct nft_ifaces *is,
    struct nft_frule *fr, const char *list)
{
	char name[RENDER_NAMEMAX + 1];
	const char *p = list;
	size_t n, idx;
	int r, count = 0;

	if (list[0] == '\0')
		return 0;
	fr->fr_on = xcalloc(is->is_n + 1, 1);
	for (;;) {
		p += strspn(p, ", ");
		if ((n = strcspn(p, ", ")) == 0)
			break;
		if (n > RENDER_NAMEMAX)
			return render_fail(ctx, "rule %s: bad interface",
			    fr->fr_uuid);
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if ((r = nft_iface_find(ctx, is, name, &idx,
		    &fr->fr_why)) == -1)
			return -1;
		if (r == 1 && !fr->fr_on[idx]) {
			fr->fr_on[idx] = 1;
			count++;
		}
	}
	if (count > 0)
		fr->fr_why = NULL;
	else if (fr->fr_why == NULL)
		fr->fr_why = "no interface";
	return 0;
}

static int
nft_icmpset(struct render_ctx *ctx, struct nft_frule *fr, const char *list)
{
	const struct render_icmp *ic;
	char tok[32];
	const char *p = list;
	size_t n, o;
	int count = 0;

	o = (size_t)snprintf(fr->fr_icmp, sizeof(fr->fr_icmp), "{ ");
	for (;;) {
		p += strspn(p, ", ");
		if ((n = strcspn(p, ", ")) == 0)
			break;
		if (n >= sizeof(tok))
			return render_fail(ctx, "rule %s: bad icmptype",
			    fr->fr_uuid);
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if ((ic = render_icmptype(tok)) == NULL)
			return render_fail(ctx, "rule %s: unknown icmptype",
			    fr->fr_uuid);
		o += (size_t)snprintf(fr->fr_icmp + o, sizeof(fr->fr_icmp) - o,
		    "%s%s", count++ ? ", " : "", ic->i_nft);
		if (o >= sizeof(fr->fr_icmp) - 3)
			return render_fail(ctx, "rule %s: too many icmptypes",
			    fr->fr_uuid);
	}
	snprintf(fr->fr_icmp + o, sizeof(fr->fr_icmp) - o, " }");
	if (count == 0)
		fr->fr_icmp[0] = '\0';
	return 0;
}

/* A pass rule's gateway: its mark and family, the rule kept to it. */
static int
nft_frule_gw(struct render_ctx *ctx, json_t *targets, int skip,
    struct nft_frule *fr)
{
	const char	*gw = cfg_str(fr->fr_row, "gateway");
	json_t		*grow, *group;
	int		 idx, fam;

	if (gw[0] == '\0' || fr->fr_act != ACT_PASS)
		return 0;
	idx = render_gw_index(targets, gw);
	if (idx < 1 || idx > TW_MARK_GW_MAX)
		return render_fail(ctx, "rule %s: more than %d gateways in "
		    "rules", fr->fr_uuid, TW_MARK_GW_MAX);
	if ((fam = render_gw_family(ctx, gw, &grow, &group)) == 0)
		return render_fail(ctx, "rule %s: no gateway or group named "
		    "%s", fr->fr_uuid, gw);
	fr->fr_gwmark = (uint32_t)idx << TW_MARK_GW_SHIFT;
	fr->fr_gwskip = skip;
	/* A route of one family (filter_rules.c refuses another). */
	fr->fr_fams &= fam;
	if (fr->fr_fams == 0 && fr->fr_why == NULL)
		fr->fr_why = "gateway of the other family";
	return 0;
}

static int
nft_frule_parse(struct render_ctx *ctx, const struct nft_ifaces *is,
    json_t *row, uint32_t own, json_t *targets, int skip,
    struct nft_frule *fr)
{
	const char *act = cfg_str(row, "action");
	const char *dir = cfg_str(row, "direction");

	memset(fr, 0, sizeof(*fr));
	fr->fr_row = row;
	if ((fr->fr_uuid = render_uuid(ctx, row)) == NULL)
		return -1;
	if (strcmp(act, "pass") == 0)
		fr->fr_act = ACT_PASS;
	else if (strcmp(act, "block") == 0)
		fr->fr_act = ACT_BLOCK;
	else if (strcmp(act, "reject") == 0)
		fr->fr_act = ACT_REJECT;
	else
		return render_fail(ctx, "rule %s: bad action", fr->fr_uuid);
	if (fr->fr_act == ACT_PASS && cfg_bool(row, "nopfsync") &&
	    strcmp(cfg_str(row, "statetype"), "none") != 0)
		fr->fr_ctmark = own;
	fr->fr_quick = cfg_bool(row, "quick");
	fr->fr_log = cfg_bool(row, "log");
	fr->fr_in = strcmp(dir, "out") != 0;
	fr->fr_out = strcmp(dir, "in") != 0;
	if (strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0 &&
	    strcmp(dir, "any") != 0 && dir[0] != '\0')
		return render_fail(ctx, "rule %s: bad direction", fr->fr_uuid);
	render_sanitize(cfg_str(row, "description"), fr->fr_descr,
	    sizeof(fr->fr_descr));
	if ((fr->fr_proto = render_proto(ctx,
	    cfg_str(row, "protocol"))) == NULL ||
	    (fr->fr_fams = render_families(ctx,
	    cfg_str(row, "ipprotocol"))) == 0)
		return render_fail(ctx, "rule %s: bad protocol", fr->fr_uuid);
	if (fr->fr_proto->p_flags & PROTO_V4ONLY)
		fr->fr_fams &= FAM4;
	if (fr->fr_proto->p_flags & PROTO_V6ONLY)
		fr->fr_fams &= FAM6;
	if (fr->fr_fams == 0)
		fr->fr_why = "protocol of the other family";
	if (nft_frule_gw(ctx, targets, skip, fr) == -1)
		return -1;
	if (render_endpoint(ctx, "source", cfg_str(row, "source_net"),
	    cfg_bool(row, "source_not"), &fr->fr_src) == -1 ||
	    render_endpoint(ctx, "destination",
	    cfg_str(row, "destination_net"),
	    cfg_bool(row, "destination_not"), &fr->fr_dst) == -1 ||
	    render_portspec(ctx, "source port", cfg_str(row, "source_port"),
	    &fr->fr_sport) == -1 ||
	    render_portspec(ctx, "destination port",
	    cfg_str(row, "destination_port"), &fr->fr_dport) == -1)
		return -1;
	if ((fr->fr_sport.ps_set || fr->fr_dport.ps_set) &&
	    !(fr->fr_proto->p_flags & PROTO_PORTS))
		return render_fail(ctx, "rule %s: ports need tcp or udp",
		    fr->fr_uuid);
	if (fr->fr_proto->p_num == 1 &&
	    nft_icmpset(ctx, fr, cfg_str(row, "icmptype")) == -1)
		return -1;
	if (fr->fr_why == NULL &&
	    nft_ifset(ctx, is, fr, cfg_str(row, "interface")) == -1)
		return -1;
	return 0;
}

/*
 * The policy_route walk's verdict for a matched rule (line: its match):
 * a gateway rule marks the packet and its connection (when the gateway
 * may be skipped, only while the mark's table routes the packet); any
 * other rule ends the walk unmarked.
 */
static void
nft_pr_verdict(struct rbuf *out, struct rbuf *line, const struct nft_frule *fr)
{
	uint32_t keep = ~TW_MARK_GW;

	if (fr->fr_gwmark == 0) {
		rbuf_printf(out, "\t\t%s accept comment \"%s\"\n",
		    line->b_data + 1, fr->fr_uuid);
		return;
	}
	rbuf_printf(out, "\t\t%s meta mark set meta mark & 0x%08x | 0x%08x",
	    line->b_data + 1, keep, fr->fr_gwmark);
	if (fr->fr_gwskip)
		rbuf_puts(out, " fib daddr . mark oif exists");
	rbuf_printf(out, " ct mark set ct mark & 0x%08x | 0x%08x accept "
	    "comment \"%s\"\n", keep, fr->fr_gwmark, fr->fr_uuid);
	/* Not routed: the rule did not match, the walk goes on unmarked. */
	if (fr->fr_gwskip)
		rbuf_printf(out, "\t\tmeta mark set meta mark & 0x%08x\n",
		    keep);
}

static void
nft_frule_emit(struct render_ctx *ctx, struct rbuf *out,
    const struct nft_frule *fr, enum nft_dir dir)
{
	struct nft_match m;
	struct rbuf line;
	const char *why = fr->fr_why;
	int variant, nvariant, af, r, emitted = 0;

	if (fr->fr_descr[0] != '\0')
		rbuf_printf(out, "\t\t# %s\n", fr->fr_descr);
	if (why != NULL) {
		rbuf_printf(out, "\t\t# %s skipped: %s\n", fr->fr_uuid, why);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.m_proto = fr->fr_proto;
	m.m_icmp = fr->fr_icmp[0] != '\0' ? fr->fr_icmp : NULL;
	m.m_src = &fr->fr_src;
	m.m_dst = &fr->fr_dst;
	m.m_sport = &fr->fr_sport;
	m.m_dport = &fr->fr_dport;
	/* reject: a TCP reset for TCP, ICMP port unreachable for the rest. */
	nvariant = fr->fr_act == ACT_REJECT && (fr->fr_proto->p_num == -1 ||
	    fr->fr_proto->p_num == -2) ? 2 : 1;
	for (variant = 0; variant < nvariant; variant++) {
		m.m_tcponly = nvariant == 2 && variant == 0;
		for (af = 4; af <= 6; af += 2) {
			int a = af;

			if (nft_neutral(&m, fr->fr_fams)) {
				if (af == 6)
					break;
				a = 0;
			} else if (!(fr->fr_fams & (af == 4 ? FAM4 : FAM6)))
				continue;
			rbuf_init(&line);
			if ((r = nft_match(ctx, &line, &m, a, &why)) == 1 &&
			    dir == DIR_PR) {
				nft_pr_verdict(out, &line, fr);
				emitted++;
			} else if (r == 1) {
				/* Skipped when its gateway is down: the
				 * policy_route walk marked it or not. */
				if (fr->fr_gwskip && dir == DIR_IN)
					rbuf_printf(&line, " meta mark & 0x%08x "
					    "== 0x%08x", TW_MARK_GW,
					    fr->fr_gwmark);
				if (fr->fr_log)
					nft_log(&line, fr->fr_uuid,
					    nft_actname[fr->fr_act],
					    dir == DIR_IN ? "in" : "out");
				if (fr->fr_ctmark != 0)
					rbuf_printf(&line, " ct mark set ct mark "
					    "| 0x%08x ct event set destroy",
					    fr->fr_ctmark);
				if (fr->fr_act == ACT_PASS)
					rbuf_puts(&line, " accept");
				else if (fr->fr_act == ACT_BLOCK)
					rbuf_puts(&line, " drop");
				else if (m.m_tcponly || fr->fr_proto->p_num == 6)
					rbuf_puts(&line,
					    " reject with tcp reset");
				else
					rbuf_puts(&line, " reject with icmpx "
					    "type port-unreachable");
				/* The match may be empty: every part
				 * starts with a blank. */
				rbuf_printf(out, "\t\t%s comment \"%s\"\n",
				    line.b_data + 1, fr->fr_uuid);
				emitted++;
			}
			rbuf_free(&line);
			if (r == -1)
				return;
		}
	}
	if (emitted == 0)
		rbuf_printf(out, "\t\t# %s skipped: %s\n", fr->fr_uuid,
		    why != NULL ? why : "cannot match");
}

/*
 * pf's decision as a first-match order: the quick rules in order, then
 * the others reversed.
 */
size_t
nft_frule_order(const int *quick, size_t n, size_t *order)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (quick[i])
			order[k++] = i;
	for (i = n; i-- > 0;)
		if (!quick[i])
			order[k++] = i;
	return k;
}

static void
nft_nonquick(struct rbuf *b, const struct nft_frule *f, int *sep)
{
	if (!f->fr_quick && !(*sep)++)
		rbuf_puts(b, "\t\t# non-quick rules, last match first\n");
}

/*
 * One evaluation (direction): the runs of rules on every interface
 * (any_<d>_N), each interface's chain (<d>_<name>), then filter_<d>,
 * which dispatches on the device. See the comment at the top.
 */
static int
nft_filter_dir(struct render_ctx *ctx, const struct nft_ifaces *is,
    struct nft_frule *fr, size_t n, enum nft_dir dir)
{
	struct rbuf *out = &ctx->rc_out, body, skip;
	const char *d = dir == DIR_IN ? "in" : dir == DIR_OUT ? "out" : "pr";
	const char *kw = dir == DIR_OUT ? "oifname" : "iifname";
	struct nft_frule *f;
	size_t *order, *seg, i, k, m, x, s, nseg = 0, cur;
	unsigned char *use;
	int *quick, sep, nrule, r;

	quick = xcalloc(n + 1, sizeof(*quick));
	order = xcalloc(n + 1, sizeof(*order));
	seg = xcalloc(n + 1, sizeof(*seg));
	use = xcalloc(is->is_n + 1, 1);
	rbuf_init(&skip);
	for (i = 0; i < n; i++)
		quick[i] = fr[i].fr_quick;
	k = nft_frule_order(quick, n, order);
	/* Keep this direction's rules that can match; note the others. */
	for (i = m = 0; i < k; i++) {
		f = &fr[order[i]];
		if (!(dir == DIR_OUT ? f->fr_out : f->fr_in))
			continue;
		if (f->fr_why != NULL)
			nft_frule_emit(ctx, &skip, f, dir);
		else
			order[m++] = order[i];
	}
	/* seg[i]: 1 + the run of a rule on every interface, 0 for others. */
	for (i = 0; i < m; i++) {
		if (fr[order[i]].fr_on != NULL)
			continue;
		if (i == 0 || fr[order[i - 1]].fr_on != NULL)
			nseg++;
		seg[i] = nseg;
	}
	/* A run is contiguous: one pass writes every any_ chain. */
	for (i = sep = 0; i < m; i++) {
		if (seg[i] == 0)
			continue;
		if (i == 0 || seg[i - 1] != seg[i]) {
			rbuf_printf(out, "\tchain any_%s_%zu {\n", d, seg[i] - 1);
			sep = 0;
		}
		nft_nonquick(out, &fr[order[i]], &sep);
		nft_frule_emit(ctx, out, &fr[order[i]], dir);
		if (i + 1 == m || seg[i + 1] != seg[i])
			rbuf_puts(out, "\t}\n\n");
	}
	for (x = 0; x < is->is_n && !ctx->rc_failed; x++) {
		rbuf_init(&body);
		nrule = 0;
		/* Port-forward passes first, as pf's rdr pass. */
		if (dir == DIR_IN &&
		    (r = nft_nat_assoc(ctx, is, (long)x, &body)) > 0)
			nrule += r;
		for (i = cur = sep = 0; i < m; i++) {
			f = &fr[order[i]];
			if (seg[i] != 0) {
				if (seg[i] != cur)
					rbuf_printf(&body, "\t\tjump any_%s_%zu\n",
					    d, seg[i] - 1);
				cur = seg[i];
			} else if (f->fr_on[x]) {
				nft_nonquick(&body, f, &sep);
				nft_frule_emit(ctx, &body, f, dir);
				nrule++;
			}
		}
		/* No rule of its own: the devices go the way of the rest. */
		if (nrule > 0) {
			use[x] = 1;
			rbuf_printf(out, "\tchain %s_%s {\n", d,
			    is->is_if[x].if_name);
			rbuf_puts(out, body.b_data);
			rbuf_puts(out, "\t}\n\n");
		}
		rbuf_free(&body);
	}
	rbuf_printf(out, "\tchain filter_%s {\n", d);
	rbuf_puts(out, skip.b_data);
	if (dir == DIR_IN)
		nft_nat_assoc(ctx, is, -1, out);
	nft_vmap(out, is, kw, "goto", dir == DIR_IN ? "in_" : dir == DIR_OUT ?
	    "out_" : "pr_", use);
	for (s = 1; s <= nseg; s++)
		rbuf_printf(out, "\t\tjump any_%s_%zu\n", d, s - 1);
	rbuf_puts(out, "\t}\n\n");
	rbuf_free(&skip);
	free(quick);
	free(order);
	free(seg);
	free(use);
	return ctx->rc_failed ? -1 : 0;
}

/* Aliases: one set per family for addresses, one for ports. */
struct nft_setbuf {
	struct rbuf	sb_v4, sb_v6, sb_port;
};

static void
nft_set_elem(struct render_ctx *ctx, const struct render_elem *e, void *arg)
{
	struct nft_setbuf *sb = arg;
	struct rbuf *b;

	(void)ctx;
	b = e->e_af == 4 ? &sb->sb_v4 : e->e_af == 6 ? &sb->sb_v6 :
	    &sb->sb_port;
	rbuf_puts(b, b->b_len ? ", " : "");
	if (e->e_af != 0)
		rbuf_puts(b, e->e_addr);
	else if (e->e_lo == e->e_hi)
		rbuf_printf(b, "%u", e->e_lo);
	else
		rbuf_printf(b, "%u-%u", e->e_lo, e->e_hi);
}

/*
 * Renders an alias's sets. update: as flush/add commands for a loaded
 * table; else as set definitions inside the table block.
 */
static int
nft_alias(struct render_ctx *ctx, json_t *alias, int update)
{
	struct rbuf *out = &ctx->rc_out;
	struct nft_setbuf sb;
	const char *name = cfg_str(alias, "name");
	struct {
		const char	*suffix, *type;
		struct rbuf	*elems;
	} set[2];
	int i, nset;

	rbuf_init(&sb.sb_v4);
	rbuf_init(&sb.sb_v6);
	rbuf_init(&sb.sb_port);
	if (render_alias_elems(ctx, alias, nft_set_elem, &sb) == -1)
		goto done;
	if (strcmp(cfg_str(alias, "type"), "port") == 0) {
		set[0].suffix = "", set[0].type = "inet_service";
		set[0].elems = &sb.sb_port;
		nset = 1;
	} else {
		set[0].suffix = "", set[0].type = "ipv4_addr";
		set[0].elems = &sb.sb_v4;
		set[1].suffix = ".6", set[1].type = "ipv6_addr";
		set[1].elems = &sb.sb_v6;
		nset = 2;
	}
	for (i = 0; i < nset; i++) {
		if (update) {
			rbuf_printf(out, "flush set inet %s " TW_NFT_ALIAS
			    "%s%s\n", TW_NFT_TABLE, name, set[i].suffix);
			if (set[i].elems->b_len)
				rbuf_printf(out, "add element inet %s "
				    TW_NFT_ALIAS "%s%s { %s }\n", TW_NFT_TABLE,
				    name, set[i].suffix, set[i].elems->b_data);
			continue;
		}
		rbuf_printf(out, "\tset " TW_NFT_ALIAS "%s%s {\n\t\ttype %s\n"
		    "\t\tflags interval\n\t\tauto-merge\n", name,
		    set[i].suffix, set[i].type);
		if (set[i].elems->b_len)
			rbuf_printf(out, "\t\telements = { %s }\n",
			    set[i].elems->b_data);
		rbuf_puts(out, "\t}\n\n");
	}
done:
	rbuf_free(&sb.sb_v4);
	rbuf_free(&sb.sb_v6);
	rbuf_free(&sb.sb_port);
	return ctx->rc_failed ? -1 : 0;
}

/*
 * Drops spoofed sources on interfaces marked blockpriv / blockbogons,
 * on all their devices: frames to a CARP VIP arrive on its macvlan.
 */
static void
nft_guard(struct render_ctx *ctx, const struct nft_ifaces *is)
{
	struct rbuf *out = &ctx->rc_out;
	unsigned char *use = xcalloc(is->is_n + 1, 1);
	json_t *ifc;
	size_t x;
	int bp, bb;

	for (x = 0; x < is->is_n; x++) {
		ifc = is->is_if[x].if_row;
		bp = cfg_bool(ifc, "blockpriv");
		bb = cfg_bool(ifc, "blockbogons");
		if (!bp && !bb)
			continue;
		use[x] = 1;
		rbuf_printf(out, "\tchain guard_%s {\n", is->is_if[x].if_name);
		if (bp)
			rbuf_printf(out, "\t\tip saddr { %s } drop comment "
			    "\"block private\"\n\t\tip6 saddr { %s } drop "
			    "comment \"block private\"\n", nft_priv4, nft_priv6);
		if (bb)
			rbuf_printf(out, "\t\tip saddr { %s } drop comment "
			    "\"block bogons\"\n\t\tip6 saddr { %s } drop "
			    "comment \"block bogons\"\n", nft_bogon4,
			    nft_bogon6);
		rbuf_puts(out, "\t}\n\n");
	}
	rbuf_puts(out, "\tchain inbound_guard {\n");
	nft_vmap(out, is, "iifname", "jump", "guard_", use);
	rbuf_puts(out, "\t}\n\n");
	free(use);
}

static const char nft_nd[] = "icmpv6 type { nd-router-solicit, "
    "nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } "
    "ip6 hoplimit 255 accept comment \"neighbour discovery\"\n";

/*
 * What an HA appliance must let through whatever the rules say: CARP,
 * state sync, DHCP client traffic, neighbour discovery. kw is iifname on
 * input and oifname on output.
 */
static void
nft_builtins(struct render_ctx *ctx, const struct nft_ifaces *is,
    const char *kw)
{
	struct rbuf *out = &ctx->rc_out, sd;
	json_t *ifc, *ha = render_single(ctx, "hasync");
	const char *dev, *sdev, *peer, *why;
	char addr[RENDER_ADDRLEN];
	int in = kw[0] == 'i', af;
	size_t i, x;

	rbuf_printf(out, "\t\t%s", nft_nd);
	json_array_foreach(render_list(ctx, "interfaces"), i, ifc) {
		if ((dev = render_iface_dev(ctx, ifc)) == NULL)
			continue;
		if (render_has_carp(ctx, cfg_str(ifc, "name")))
			rbuf_printf(out, "\t\t%s \"%s\" meta l4proto 112 "
			    "accept comment \"carp\"\n", kw, dev);
		if (strcmp(cfg_str(ifc, "ipaddr"), "dhcp") == 0)
			rbuf_printf(out, "\t\t%s \"%s\" udp sport %d udp "
			    "dport %d accept comment \"dhcp client\"\n", kw,
			    dev, in ? 67 : 68, in ? 68 : 67);
		if (strncmp(cfg_str(ifc, "ipaddrv6"), "dhcp", 4) == 0)
			rbuf_printf(out, "\t\t%s \"%s\" udp sport %d udp "
			    "dport %d accept comment \"dhcp6 client\"\n", kw,
			    dev, in ? 547 : 546, in ? 546 : 547);
	}
	if (ha == NULL || !cfg_bool(ha, "pfsyncenabled"))
		return;
	sdev = cfg_str(ha, "pfsyncinterface");
	if (sdev[0] == '\0' || nft_iface_find(ctx, is, sdev, &x, &why) != 1)
		return;
	/* One rule, so a constant set of its devices costs nothing. */
	rbuf_init(&sd);
	for (i = 0; i < is->is_if[x].if_ndev; i++)
		rbuf_printf(&sd, "%s\"%s\"", i ? ", " : "",
		    is->is_if[x].if_dev[i]);
	peer = cfg_str(ha, "pfsyncpeerip");
	if (peer[0] == '\0')	/* multicast: any sender on the link */
		rbuf_printf(out, "\t\t%s %s%s%s udp dport %d accept "
		    "comment \"state sync\"\n", kw, i > 1 ? "{ " : "",
		    sd.b_data, i > 1 ? " }" : "", TW_STATESYNC_PORT);
	else if ((af = render_addr(peer, 0, addr)) != 0)
		rbuf_printf(out, "\t\t%s %s%s%s %s %s %s udp dport %d accept "
		    "comment \"state sync\"\n", kw, i > 1 ? "{ " : "",
		    sd.b_data, i > 1 ? " }" : "", af == 4 ? "ip" : "ip6",
		    in ? "saddr" : "daddr", addr, TW_STATESYNC_PORT);
	else
		render_fail(ctx, "hasync: bad pfsyncpeerip");
	rbuf_free(&sd);
}

/* The GUI and ssh stay reachable from lan whatever the rules say. */
static void
nft_antilockout(struct render_ctx *ctx)
{
	json_t *sys = render_single(ctx, "system"), *lan;
	const char *port = cfg_str(sys, "webgui_port"), *dev;
	unsigned lo, hi, gui;

	if ((lan = render_iface(ctx, "lan")) == NULL ||
	    (dev = render_iface_dev(ctx, lan)) == NULL)
		return;
	if (port[0] == '\0')
		gui = strcmp(cfg_str(sys, "webgui_protocol"), "http") == 0 ?
		    80 : 443;
	else if (render_port(port, &lo, &hi) == 0 && lo == hi)
		gui = lo;
	else {
		render_fail(ctx, "system: bad webgui_port");
		return;
	}
	rbuf_printf(&ctx->rc_out, "\t\tiifname \"%s\" tcp dport { 22, 80", dev);
	if (gui != 22 && gui != 80)
		rbuf_printf(&ctx->rc_out, ", %u", gui);
	rbuf_puts(&ctx->rc_out, " } accept comment \"anti-lockout\"\n");
}

static const char nft_state[] =
    "\t\tct state established,related accept\n"
    "\t\tct state invalid drop\n"
    /* pf's "flags S/SA": mid-stream packets never create state. */
    "\t\ttcp flags & (fin|syn|rst|ack) != syn ct state new drop\n";

/* Before "established" accepts it: a state the peer's nopfsync made. */
static void
nft_nosync_guard(struct rbuf *out, uint32_t peer)
{
	if (peer != 0)
		rbuf_printf(out, "\t\tct mark & 0x%08x == 0x%08x drop comment "
		    "\"nopfsync state of the peer\"\n", TW_CTMARK_NOSYNC, peer);
}

/*
 * The hooks. The filter chains end without a verdict when no rule
 * matched: the default of pf's evaluation follows the jump.
 */
static void
nft_base_chains(struct render_ctx *ctx, const struct nft_ifaces *is,
    uint32_t peer)
{
	struct rbuf *out = &ctx->rc_out;

	rbuf_puts(out, "\tchain input {\n\t\ttype filter hook input priority "
	    "filter; policy drop;\n\t\tiif \"lo\" accept\n");
	nft_nosync_guard(out, peer);
	rbuf_puts(out, nft_state);
	nft_builtins(ctx, is, "iifname");
	nft_antilockout(ctx);
	rbuf_puts(out, "\t\tjump inbound_guard\n\t\tjump filter_in\n"
	    "\t\tdrop comment \"default deny\"\n\t}\n\n");

	/* pf evaluates a forwarded packet in on one interface ... */
	rbuf_puts(out, "\tchain forward {\n\t\ttype filter hook forward "
	    "priority filter; policy drop;\n");
	nft_nosync_guard(out, peer);
	rbuf_puts(out, nft_state);
	rbuf_puts(out, "\t\tjump inbound_guard\n\t\tjump filter_in\n"
	    "\t\tdrop comment \"default deny\"\n\t}\n\n");
	/* ... then out on the other: what forward passed comes here. */
	rbuf_puts(out, "\tchain forward_out {\n\t\ttype filter hook forward "
	    "priority filter + 1; policy accept;\n"
	    "\t\tct state established,related accept\n"
	    "\t\tjump filter_out\n\t\taccept comment \"default pass out\"\n"
	    "\t}\n\n");

	rbuf_puts(out, "\tchain output {\n\t\ttype filter hook output "
	    "priority filter; policy accept;\n\t\toif \"lo\" accept\n");
	nft_nosync_guard(out, peer);
	rbuf_puts(out, "\t\tct state established,related accept\n"
	    "\t\tct state invalid drop\n");
	nft_builtins(ctx, is, "oifname");
	rbuf_puts(out, "\t\tjump filter_out\n\t\taccept comment \"default pass "
	    "out\"\n\t}\n");
}

/*
 * Policy routing's base chain (see the top): a new connection walks the
 * rules once; a packet of the original direction carries its
 * connection's target to the routing decision.
 */
static int
nft_policy_route(struct render_ctx *ctx)
{
	rbuf_printf(&ctx->rc_out, "\tchain policy_route {\n\t\ttype filter "
	    "hook prerouting priority dstnat + 10; policy accept;\n"
	    "\t\tct state new jump filter_pr\n"
	    "\t\tct direction original ct mark & 0x%08x != 0 meta mark set "
	    "ct mark & 0x%08x\n\t}\n\n", TW_MARK_GW, TW_MARK_GW);
	return ctx->rc_failed ? -1 : 0;
}

char *
nft_render(json_t *snap, char *err, size_t errlen)
{
	struct render_ctx ctx;
	struct nft_ifaces is;
	struct nft_frule *fr = NULL;
	json_t *rules, *row, *targets = NULL, *sys;
	size_t i, n = 0;
	uint32_t own, peer = 0;
	int gw = 0, skip;

	memset(&is, 0, sizeof(is));
	if (render_begin(&ctx, snap, err, errlen) == -1 ||
	    nft_ifaces_init(&ctx, &is) == -1)
		goto done;
	own = render_nosync_mark(snap);
	targets = render_gw_targets(snap);
	sys = render_single(&ctx, "system");
	skip = sys != NULL && cfg_bool(sys, "skip_rules_gw_down");
	rules = render_list(&ctx, "filter_rules");
	fr = xcalloc(json_array_size(rules) + 1, sizeof(*fr));
	json_array_foreach(rules, i, row) {
		if (!cfg_bool(row, "enabled"))
			continue;
		if (nft_frule_parse(&ctx, &is, row, own, targets, skip,
		    &fr[n++]) == -1)
			goto done;
		if (fr[n - 1].fr_ctmark != 0)
			peer = TW_CTMARK_NOSYNC & ~own;
		if (fr[n - 1].fr_gwmark != 0 && fr[n - 1].fr_why == NULL)
			gw = 1;
	}
	/* Declare, then delete: works whether or not the table exists. */
	rbuf_printf(&ctx.rc_out, "# twinwall ruleset: generated, do not edit\n"
	    "table inet %s\ndelete table inet %s\n\ntable inet %s {\n",
	    TW_NFT_TABLE, TW_NFT_TABLE, TW_NFT_TABLE);
	json_array_foreach(render_list(&ctx, "aliases"), i, row)
		if (nft_alias(&ctx, row, 0) == -1)
			goto done;
	/* Filled by the parent with the delegated /64 of a track6 LAN. */
	json_array_foreach(render_list(&ctx, "interfaces"), i, row)
		if (strcmp(cfg_str(row, "ipaddrv6"), "track6") == 0)
			rbuf_printf(&ctx.rc_out, "\tset " TW_NFT_IFNET6 "%s {\n"
			    "\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n\n",
			    cfg_str(row, "name"));
	nft_guard(&ctx, &is);
	if (nft_filter_dir(&ctx, &is, fr, n, DIR_IN) == -1 ||
	    nft_filter_dir(&ctx, &is, fr, n, DIR_OUT) == -1)
		goto done;
	nft_base_chains(&ctx, &is, peer);
	if (gw)
		rbuf_puts(&ctx.rc_out, "\n");
	if (gw && (nft_filter_dir(&ctx, &is, fr, n, DIR_PR) == -1 ||
	    nft_policy_route(&ctx) == -1))
		goto done;
	nft_nat_chains(&ctx, &is);
	rbuf_puts(&ctx.rc_out, "}\n");
done:
	for (i = 0; i < n; i++)
		free(fr[i].fr_on);
	free(fr);
	json_decref(targets);
	nft_ifaces_free(&is);
	return render_end(&ctx);
}

char *
nft_render_alias_update(json_t *snap, const char *name, char *err,
    size_t errlen)
{
	struct render_ctx ctx;
	json_t *alias;

	if (render_begin(&ctx, snap, err, errlen) == -1)
		goto done;
	if (name == NULL || !render_is_name(name) ||
	    (alias = render_alias(&ctx, name)) == NULL) {
		render_fail(&ctx, "no such alias");
		goto done;
	}
	nft_alias(&ctx, alias, 1);
done:
	return render_end(&ctx);
}
