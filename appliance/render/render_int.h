/*
 * render_int.h — what the renderers share: an output buffer, snapshot
 * accessors and the token checks every emitted value goes through.
 *
 * Private to appliance/render/. Nothing here trusts the model: a value
 * is re-checked (addresses through inet_pton, names against a strict
 * charset) before it reaches the output, and a value that fails makes
 * the whole render fail with a message in the context.
 */
#ifndef TW_RENDER_INT_H
#define TW_RENDER_INT_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"	/* cfg_str, cfg_bool: the rows' accessors */

#define RENDER_ADDRLEN	64	/* "ffff:...:ffff/128" fits with room */
#define RENDER_NAMEMAX	32	/* alias and interface names */
#define RENDER_DEVMAX	15	/* IFNAMSIZ - 1 */

struct rbuf {
	char	*b_data;
	size_t	 b_len;
	size_t	 b_cap;
};

void	 rbuf_init(struct rbuf *);
void	 rbuf_puts(struct rbuf *, const char *);
void	 rbuf_printf(struct rbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hands the text over: the caller frees it; the buffer is empty after. */
char	*rbuf_take(struct rbuf *);
void	 rbuf_free(struct rbuf *);

/* One render: the snapshot (borrowed), the error slot, the output. */
struct render_ctx {
	json_t		*rc_snap;
	json_t		*rc_sections;
	char		*rc_err;
	size_t		 rc_errlen;
	int		 rc_failed;
	struct rbuf	 rc_out;
};

int	 render_begin(struct render_ctx *, json_t *snap, char *err,
	    size_t errlen);
/* Records the first failure only; always returns -1. */
int	 render_fail(struct render_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The result (caller frees), or NULL after a failure. Frees the ctx. */
char	*render_end(struct render_ctx *);

/* Borrowed: a list section (possibly NULL = empty) or a singleton. */
json_t	*render_list(struct render_ctx *, const char *section);
json_t	*render_single(struct render_ctx *, const char *section);
/* The row's uuid, checked; NULL after render_fail. */
const char *render_uuid(struct render_ctx *, json_t *row);

/* Token checks: 1 if safe, 0 if not. */
int	 render_is_name(const char *);
int	 render_is_device(const char *);
/*
 * Parses an address or a CIDR (want: 0 either, 4 or 6), writes the
 * canonical text (host bits cleared for a CIDR) into out[RENDER_ADDRLEN]
 * and returns the family (4/6), or 0 if s is not one.
 */
int	 render_addr(const char *s, int want, char *out);
int	 render_cidr(const char *s, int want, char *out);
/* "80", "80:90" or "80-90"; 0 or -1. */
int	 render_port(const char *s, unsigned *lo, unsigned *hi);
/*
 * Copies user text (descriptions) into out keeping only a conservative
 * charset, so it can sit in a comment of either syntax.
 */
void	 render_sanitize(const char *in, char *out, size_t outlen);

/* Interfaces. */
json_t	*render_iface(struct render_ctx *, const char *name);
/*
 * The device to match (borrowed), or NULL when the interface cannot
 * match: disabled, no device, or an unsafe device name (render failed;
 * callers check rc_failed).
 */
const char *render_iface_dev(struct render_ctx *, json_t *iface);
/* Static address / network of an interface in family af: 1 found, 0 none,
 * -1 unsafe value (render failed). out[RENDER_ADDRLEN]. */
int	 render_iface_addr(struct render_ctx *, json_t *iface, int af,
	    char *out);
int	 render_iface_net(struct render_ctx *, json_t *iface, int af,
	    char *out);

/* Aliases. */
json_t	*render_alias(struct render_ctx *, const char *name);
/*
 * Calls fn for each element of a host/network alias (af 4 or 6, canonical
 * text) or a port alias (af 0, lo/hi). Disabled aliases have none.
 * Returns 0, or -1 on an unsafe element (render failed).
 */
struct render_elem {
	int		 e_af;
	char		 e_addr[RENDER_ADDRLEN];
	unsigned	 e_lo, e_hi;
};
int	 render_alias_elems(struct render_ctx *, json_t *alias,
	    void (*fn)(struct render_ctx *, const struct render_elem *, void *),
	    void *arg);

/* A rule endpoint, resolved. */
enum render_ep_kind {
	EP_ANY,
	EP_ADDR,	/* address or CIDR literal, in ep_addr */
	EP_ALIAS,	/* host/network alias ep_name */
	EP_IFNET,	/* network of interface ep_name */
	EP_IFADDR,	/* address of interface ep_name */
};

struct render_ep {
	enum render_ep_kind	 ep_kind;
	int			 ep_not;
	int			 ep_af;		/* EP_ADDR: 4 or 6 */
	char			 ep_addr[RENDER_ADDRLEN];
	const char		*ep_name;	/* borrowed, checked */
	json_t			*ep_row;	/* alias or interface */
};

int	 render_endpoint(struct render_ctx *, const char *what,
	    const char *val, int neg, struct render_ep *);

/* A port match: none, a range (lo == hi for one port), or a port alias. */
struct render_portspec {
	int		 ps_set;
	unsigned	 ps_lo, ps_hi;
	const char	*ps_alias;	/* borrowed, checked */
};

int	 render_portspec(struct render_ctx *, const char *what,
	    const char *val, struct render_portspec *);

/* Protocols as rule fields name them. */
#define PROTO_PORTS	0x01	/* takes ports (tcp, udp) */
#define PROTO_V4ONLY	0x02
#define PROTO_V6ONLY	0x04

struct render_proto {
	const char	*p_name;	/* field value */
	int		 p_num;		/* IP protocol, -1 any, -2 tcp+udp */
	const char	*p_nft;		/* nft l4proto token */
	const char	*p_pf;		/* pf proto token */
	int		 p_flags;
};

const struct render_proto *render_proto(struct render_ctx *, const char *);

/* ICMP types: field value (pf or nft spelling) -> both spellings. */
struct render_icmp {
	const char	*i_pf;
	const char	*i_nft;
};

const struct render_icmp *render_icmptype(const char *);

/* Families a rule's ipprotocol covers: bit 4 -> 0x1, 6 -> 0x2. */
#define FAM4	0x1
#define FAM6	0x2
int	 render_families(struct render_ctx *, const char *ipprotocol);
/*
 * A gateway's or gateway group's row (NULL: neither, or a dynamic
 * gateway such as WAN_DHCP) and family (FAM4 or FAM6; 0 unknown).
 */
int	 render_gw_family(struct render_ctx *, const char *name,
	    json_t **gw, json_t **group);

/* The first CARP VIP (IPv4) on an interface, canonical, or 0. */
int	 render_carp_vip4(struct render_ctx *, const char *ifname, char *out);
/* Whether an interface carries a CARP VIP. */
int	 render_has_carp(struct render_ctx *, const char *ifname);

/*
 * The interface and address automatic outbound NAT translates to on an
 * upstream interface: a CARP VIP when there is one (HA: flows must move
 * with the VIP), else the static address. 1 found, 0 none, -1 failed.
 */
int	 render_autonat_target(struct render_ctx *, json_t *wan, char *out);
/* Whether an interface is upstream (named wan, or has a gateway). */
int	 render_is_upstream(json_t *iface);

/* nft.c internals shared with nft_nat.c. */

/*
 * The interfaces that can match (enabled, with a device), each with the
 * devices it stands for: its own, and the virtual-MAC macvlan
 * TW_VMAC_PREFIX<vhid> of each of its CARP VIPs, where frames to the VIP
 * arrive. A device belongs to one interface only (a vhid on two
 * interfaces names one macvlan: the first such VIP's interface keeps it,
 * as the firewall log reads it), so the devices key one verdict map per
 * hook: each interface's rules sit in a chain of their own, entered once,
 * and no rule matches an interface itself.
 */
struct nft_iface {
	const char	*if_name;		/* borrowed, checked */
	json_t		*if_row;
	char		(*if_dev)[RENDER_DEVMAX + 1];	/* [0]: its device */
	size_t		 if_ndev;
};

struct nft_ifaces {
	struct nft_iface *is_if;
	size_t		  is_n;
};

int	 nft_ifaces_init(struct render_ctx *, struct nft_ifaces *);
void	 nft_ifaces_free(struct nft_ifaces *);
/*
 * The interface named name: 1 with *idx set, 0 when it cannot match
 * (disabled, no device; *why says so), -1 unknown (render failed).
 */
int	 nft_iface_find(struct render_ctx *, const struct nft_ifaces *,
	    const char *name, size_t *idx, const char **why);
/*
 * Appends '\t\t<kw> vmap { "<dev>" : <verb> <prefix><name>, ... }' over
 * the devices of the interfaces with use[i] set; nothing if none is.
 */
void	 nft_vmap(struct rbuf *, const struct nft_ifaces *, const char *kw,
	    const char *verb, const char *prefix, const unsigned char *use);

struct nft_match {
	const struct render_proto *m_proto;
	int			 m_tcponly;	/* the TCP half of a reject */
	const char		*m_icmp;	/* "{ echo-request }" or NULL */
	const struct render_ep	*m_src, *m_dst;
	const struct render_portspec *m_sport, *m_dport;
	int			 m_fib;		/* unknown <if>ip dst: fib local */
};

/*
 * Appends the match of m for family af (4, 6, or 0 when the rule is
 * family-neutral) to b. Returns 1, 0 when it cannot match in af (*why
 * says why, a static string), -1 when the render failed.
 */
int	 nft_match(struct render_ctx *, struct rbuf *b,
	    const struct nft_match *, int af, const char **why);
/* Whether the match is the same in both families (one rule, no af). */
int	 nft_neutral(const struct nft_match *, int fams);
/* Appends ' log prefix "tw:<uuid>:<what>" group N'. */
void	 nft_log(struct rbuf *, const char *uuid, const char *what,
	    const char *dir);
/*
 * pf's decision as a first-match order: indexes of the quick rules in
 * order, then of the others reversed. order holds n; returns n.
 */
size_t	 nft_frule_order(const int *quick, size_t n, size_t *order);
/*
 * nft_nat.c. The port-forward pass rules of interface ifidx into out
 * (filter, before its rules), or with ifidx -1 the comments of those
 * whose interface cannot match: the number written, or -1.
 */
int	 nft_nat_assoc(struct render_ctx *, const struct nft_ifaces *,
	    long ifidx, struct rbuf *out);
/* The NAT chains, into the context's output. */
void	 nft_nat_chains(struct render_ctx *, const struct nft_ifaces *);

#endif
