/*
 * carp/engine_conf.c — an apply snapshot's VIPs, interfaces and hasync
 * turned into the engine's configuration: one struct eng_vhid per CARP
 * VIP (with the IP aliases bound to its vhid), plus the plain IP aliases
 * and proxy-ARP VIPs, and the ARP responder's table of each device with
 * IPv4 proxy-ARP VIPs. Nothing here changes the running engine.
 *
 * CARP passwords become the 20-byte key in ev_vconf and nowhere else;
 * carp_engine_wipe_secrets() clears them in the snapshot once the
 * platform has rendered it.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/socket.h>

#include "engine.h"
#include "engine_int.h"
#include "config.h"
#include "log.h"
#include "util.h"

void
eng_vhid_free(struct eng_vhid *ev)
{
	if (ev == NULL)
		return;
	carp_proto_vconf_clear(&ev->ev_vconf);
	free(ev->ev_vips);
	free(ev);
}

void
carp_engine_conf_free(struct carp_engine_conf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->cf_nvhids; i++)
		eng_vhid_free(cf->cf_vhids[i]);
	for (i = 0; i < cf->cf_nparp; i++)
		free(cf->cf_parp[i].pi_addrs);
	free(cf->cf_vhids);
	free(cf->cf_plain);
	free(cf->cf_parp);
	free(cf);
}

/* 0, or -1 when s is not an address of either family. */
static int
eng_addr(const char *s, struct carp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->ca_u.v4) == 1)
		a->ca_af = AF_INET;
	else if (inet_pton(AF_INET6, s, &a->ca_u.v6) == 1)
		a->ca_af = AF_INET6;
	else
		return -1;
	return 0;
}

/* The interfaces row called name (borrowed) and its position, or NULL. */
static json_t *
eng_iface(json_t *ifaces, const char *name, size_t *pos)
{
	json_t	*row;
	size_t	 i;

	json_array_foreach(ifaces, i, row)
		if (strcmp(cfg_str(row, "name"), name) == 0) {
			*pos = i;
			return row;
		}
	return NULL;
}

/* Fills the address part of vp from a VIP row; 0, or -1 with err. */
static int
eng_vip_fill(struct eng_vip *vp, json_t *row, json_t *ifaces, char *err,
    size_t errlen)
{
	json_t	*ifrow;
	size_t	 pos;

	memset(vp, 0, sizeof(*vp));
	util_strlcpy(vp->vp_uuid, cfg_str(row, "uuid"), sizeof(vp->vp_uuid));
	util_strlcpy(vp->vp_mode, cfg_str(row, "mode"), sizeof(vp->vp_mode));
	util_strlcpy(vp->vp_iface, cfg_str(row, "interface"),
	    sizeof(vp->vp_iface));
	util_strlcpy(vp->vp_subnet, cfg_str(row, "subnet"),
	    sizeof(vp->vp_subnet));
	if (eng_addr(vp->vp_subnet, &vp->vp_addr) == -1) {
		snprintf(err, errlen, "VIP %s: not an address", vp->vp_subnet);
		return -1;
	}
	vp->vp_bits = (int)cfg_int(row, "subnet_bits",
	    vp->vp_addr.ca_af == AF_INET ? 32 : 128);
	if ((ifrow = eng_iface(ifaces, vp->vp_iface, &pos)) == NULL) {
		snprintf(err, errlen, "VIP %s: no interface %s", vp->vp_subnet,
		    vp->vp_iface);
		return -1;
	}
	util_strlcpy(vp->vp_device, cfg_str(ifrow, "device"),
	    sizeof(vp->vp_device));
	vp->vp_ifindex = (int)pos + 1;	/* pseudo index; linux resolves */
	return 0;
}

/* A CARP VIP row -> a new eng_vhid, or NULL with err. */
static struct eng_vhid *
eng_vhid_parse(json_t *row, json_t *ifaces, int real, char *err,
    size_t errlen)
{
	struct eng_vhid	*ev = xcalloc(1, sizeof(*ev));
	struct carp_addr peer;
	json_t		*ifrow;
	const char	*ip, *s;
	size_t		 pos;
	long		 vhid = cfg_int(row, "vhid", 0);

	ev->ev_vips = xcalloc(1, sizeof(*ev->ev_vips));
	ev->ev_nvips = 1;
	if (eng_vip_fill(&ev->ev_vips[0], row, ifaces, err, errlen) == -1)
		goto err;
	if (vhid < 1 || vhid > 255) {
		snprintf(err, errlen, "CARP VIP %s: vhid must be 1-255",
		    ev->ev_vips[0].vp_subnet);
		goto err;
	}
	ev->ev_vhid = (uint8_t)vhid;
	/* FreeBSD refuses advbase 0 (and the FSM would spin). */
	ev->ev_advbase = (uint8_t)MAX(1, MIN(254, cfg_int(row, "advbase", 1)));
	ev->ev_advskew = (uint8_t)MAX(0, MIN(254, cfg_int(row, "advskew", 0)));
	util_strlcpy(ev->ev_iface, ev->ev_vips[0].vp_iface,
	    sizeof(ev->ev_iface));
	util_strlcpy(ev->ev_device, ev->ev_vips[0].vp_device,
	    sizeof(ev->ev_device));
	ev->ev_ifindex = ev->ev_vips[0].vp_ifindex;
	ev->ev_af = ev->ev_vips[0].vp_addr.ca_af;

	/* "IP source is the node's own interface address, never the VIP." */
	ifrow = eng_iface(ifaces, ev->ev_iface, &pos);
	ip = cfg_str(ifrow, ev->ev_af == AF_INET ? "ipaddr" : "ipaddrv6");
	if (ev->ev_af == AF_INET) {
		if (eng_addr(ip, &ev->ev_src) == -1 ||
		    ev->ev_src.ca_af != AF_INET) {
			memset(&ev->ev_src, 0, sizeof(ev->ev_src));
			if (real) {
				snprintf(err, errlen, "CARP VIP %s (vhid %d): "
				    "interface %s has no static IPv4 address "
				    "to advertise from", ev->ev_vips[0].vp_subnet,
				    ev->ev_vhid, ev->ev_iface);
				goto err;
			}
		}
	}
	/* IPv6 adverts come from the link-local address: linux resolves. */

	carp_proto_vconf_init(&ev->ev_vconf, ev->ev_vhid);
	if (carp_proto_vconf_set_key(&ev->ev_vconf,
	    cfg_str(row, "password")) == -1) {
		snprintf(err, errlen, "CARP VIP %s (vhid %d): the password is "
		    "longer than %d characters", ev->ev_vips[0].vp_subnet,
		    ev->ev_vhid, CARP_PASS_MAX);
		goto err;
	}
	if (carp_proto_vconf_add_vip(&ev->ev_vconf,
	    &ev->ev_vips[0].vp_addr) == -1) {
		snprintf(err, errlen, "CARP VIP %s: cannot hash it",
		    ev->ev_vips[0].vp_subnet);
		goto err;
	}
	if (*(s = cfg_str(row, "peer")) != '\0') {
		if (eng_addr(s, &peer) == -1 || peer.ca_af != AF_INET) {
			snprintf(err, errlen, "CARP VIP %s: peer %s is not an "
			    "IPv4 address", ev->ev_vips[0].vp_subnet, s);
			goto err;
		}
		ev->ev_vconf.vc_peer4 = peer;
	}
	if (*(s = cfg_str(row, "peer6")) != '\0') {
		if (eng_addr(s, &peer) == -1 || peer.ca_af != AF_INET6) {
			snprintf(err, errlen, "CARP VIP %s: peer6 %s is not an "
			    "IPv6 address", ev->ev_vips[0].vp_subnet, s);
			goto err;
		}
		ev->ev_vconf.vc_peer6 = peer;
	}
	return ev;
err:
	eng_vhid_free(ev);
	return NULL;
}

static int
eng_vhid_cmp(const void *a, const void *b)
{
	const struct eng_vhid *x = *(struct eng_vhid *const *)a;
	const struct eng_vhid *y = *(struct eng_vhid *const *)b;

	return (int)x->ev_vhid - (int)y->ev_vhid;
}

/* Appends an IP alias bound to a vhid; 0, or -1 with err. */
static int
eng_vhid_alias(struct carp_engine_conf *cf, const struct eng_vip *vp,
    long vhid, char *err, size_t errlen)
{
	struct eng_vhid	*ev = NULL;
	size_t		 i;

	for (i = 0; i < cf->cf_nvhids; i++)
		if (cf->cf_vhids[i]->ev_vhid == vhid)
			ev = cf->cf_vhids[i];
	if (ev == NULL || strcmp(ev->ev_iface, vp->vp_iface) != 0) {
		snprintf(err, errlen, "IP alias %s: no CARP VIP with vhid %ld "
		    "on %s", vp->vp_subnet, vhid, vp->vp_iface);
		return -1;
	}
	/* The alias is hashed with the VHID, as FreeBSD does. */
	if (carp_proto_vconf_add_vip(&ev->ev_vconf, &vp->vp_addr) == -1) {
		snprintf(err, errlen, "IP alias %s: vhid %ld cannot take it",
		    vp->vp_subnet, vhid);
		return -1;
	}
	ev->ev_vips = xrealloc(ev->ev_vips, (ev->ev_nvips + 1) *
	    sizeof(*ev->ev_vips));
	ev->ev_vips[ev->ev_nvips++] = *vp;
	return 0;
}

/* An IPv4 proxyarp VIP joins the responder's table of its device. */
static void
eng_parp_add(struct carp_engine_conf *cf, const struct eng_vip *vp)
{
	struct proxyarp_if	*pi;
	size_t			 i;

	if (strcmp(vp->vp_mode, "proxyarp") != 0 ||
	    vp->vp_addr.ca_af != AF_INET)
		return;
	for (i = 0; i < cf->cf_nparp; i++)
		if (cf->cf_parp[i].pi_ifindex == vp->vp_ifindex)
			break;
	if (i == cf->cf_nparp) {
		cf->cf_parp = xrealloc(cf->cf_parp, (i + 1) * sizeof(*pi));
		pi = &cf->cf_parp[cf->cf_nparp++];
		memset(pi, 0, sizeof(*pi));
		pi->pi_ifindex = vp->vp_ifindex;
		pi->pi_vhid = vp->vp_gov;
		memcpy(pi->pi_mac, vp->vp_mac, ETH_ALEN);
	}
	pi = &cf->cf_parp[i];
	pi->pi_addrs = xrealloc(pi->pi_addrs, (pi->pi_naddrs + 1) *
	    sizeof(*pi->pi_addrs));
	pi->pi_addrs[pi->pi_naddrs++] = vp->vp_addr.ca_u.v4;
}

/*
 * The liveness channel's settings: on unless said off (a snapshot from
 * before the field), and the state-sync link as one of its paths, from
 * our address on pfsyncinterface to pfsyncpeerip. 0, or -1 with err.
 */
static int
eng_live_parse(struct carp_engine_conf *cf, json_t *ha, json_t *ifaces,
    char *err, size_t errlen)
{
	json_t		*ifrow;
	const char	*s;
	size_t		 pos;

	s = cfg_str(ha, "livenessenabled");
	cf->cf_live = *s == '\0' || cfg_bool(ha, "livenessenabled");
	cf->cf_live_interval = (unsigned int)cfg_int(ha, "livenessinterval", 50);
	cf->cf_live_mult = (unsigned int)cfg_int(ha, "livenessmultiplier", 3);
	cf->cf_upstream = cfg_bool(ha, "demoteupstream");
	if (cf->cf_live_interval < CARP_LIVE_INTERVAL_MIN ||
	    cf->cf_live_interval > CARP_LIVE_INTERVAL_MAX ||
	    cf->cf_live_mult < CARP_LIVE_MULT_MIN ||
	    cf->cf_live_mult > CARP_LIVE_MULT_MAX) {
		snprintf(err, errlen, "hasync: liveness interval %u ms or "
		    "multiplier %u out of range", cf->cf_live_interval,
		    cf->cf_live_mult);
		return -1;
	}
	s = cfg_str(ha, "pfsyncinterface");
	if (*s == '\0' || (ifrow = eng_iface(ifaces, s, &pos)) == NULL ||
	    eng_addr(cfg_str(ifrow, "ipaddr"), &cf->cf_sync_self) == -1 ||
	    cf->cf_sync_self.ca_af != AF_INET ||
	    eng_addr(cfg_str(ha, "pfsyncpeerip"), &cf->cf_sync_peer) == -1 ||
	    cf->cf_sync_peer.ca_af != AF_INET) {
		/* No sync link, or not an IPv4 one: the CARP paths only. */
		memset(&cf->cf_sync_self, 0, sizeof(cf->cf_sync_self));
		memset(&cf->cf_sync_peer, 0, sizeof(cf->cf_sync_peer));
		return 0;
	}
	util_strlcpy(cf->cf_sync_iface, s, sizeof(cf->cf_sync_iface));
	util_strlcpy(cf->cf_sync_device, cfg_str(ifrow, "device"),
	    sizeof(cf->cf_sync_device));
	return 0;
}

struct carp_engine_conf *
eng_conf_parse(json_t *snap, int real, char *err, size_t errlen)
{
	struct carp_engine_conf	*cf = xcalloc(1, sizeof(*cf));
	struct eng_vhid		*ev;
	struct eng_vip		 vp;
	json_t			*secs, *vips, *ifaces, *row;
	const char		*mode;
	size_t			 i, j;
	int			 pass;

	secs = json_object_get(snap, "sections");
	vips = json_object_get(secs, "vips");
	ifaces = json_object_get(secs, "interfaces");
	cf->cf_preempt = !cfg_bool(json_object_get(secs, "hasync"),
	    "disablepreempt");
	if (eng_live_parse(cf, json_object_get(secs, "hasync"), ifaces, err,
	    errlen) == -1)
		goto err;
	/* Pass 0: CARP VIPs; pass 1: IP aliases and proxy ARP. */
	for (pass = 0; pass < 2; pass++)
		json_array_foreach(vips, i, row) {
			mode = cfg_str(row, "mode");
			if ((pass == 0) != (strcmp(mode, "carp") == 0))
				continue;
			if (pass == 0) {
				if ((ev = eng_vhid_parse(row, ifaces, real,
				    err, errlen)) == NULL)
					goto err;
				for (j = 0; j < cf->cf_nvhids; j++)
					if (cf->cf_vhids[j]->ev_vhid ==
					    ev->ev_vhid)
						break;
				if (j < cf->cf_nvhids) {
					snprintf(err, errlen, "vhid %d is used "
					    "by two CARP VIPs (VHIDs are unique "
					    "per node)", ev->ev_vhid);
					eng_vhid_free(ev);
					goto err;
				}
				cf->cf_vhids = xrealloc(cf->cf_vhids,
				    (cf->cf_nvhids + 1) * sizeof(ev));
				cf->cf_vhids[cf->cf_nvhids++] = ev;
				continue;
			}
			if (eng_vip_fill(&vp, row, ifaces, err, errlen) == -1)
				goto err;
			if (strcmp(mode, "ipalias") == 0 &&
			    *cfg_str(row, "vhid") != '\0') {
				if (eng_vhid_alias(cf, &vp, cfg_int(row,
				    "vhid", 0), err, errlen) == -1)
					goto err;
				continue;
			}
			for (j = 0; strcmp(mode, "proxyarp") == 0 &&
			    j < cf->cf_nvhids; j++)
				if (strcmp(cf->cf_vhids[j]->ev_iface,
				    vp.vp_iface) == 0 && (vp.vp_gov == 0 ||
				    cf->cf_vhids[j]->ev_vhid < vp.vp_gov))
					vp.vp_gov = cf->cf_vhids[j]->ev_vhid;
			cf->cf_plain = xrealloc(cf->cf_plain,
			    (cf->cf_nplain + 1) * sizeof(vp));
			cf->cf_plain[cf->cf_nplain++] = vp;
		}
	if (cf->cf_nvhids > 1)
		qsort(cf->cf_vhids, cf->cf_nvhids, sizeof(ev), eng_vhid_cmp);
	if (real) {
		for (i = 0; i < cf->cf_nvhids; i++)
			if (eng_linux_resolve(cf->cf_vhids[i], err,
			    errlen) == -1)
				goto err;
		for (i = 0; i < cf->cf_nplain; i++)
			if (eng_linux_resolve_plain(&cf->cf_plain[i], err,
			    errlen) == -1)
				goto err;
		for (i = 0; i < cf->cf_nplain; i++)
			eng_parp_add(cf, &cf->cf_plain[i]);
	}
	return cf;
err:
	carp_engine_conf_free(cf);
	return NULL;
}

static int
eng_addr_eq(const struct carp_addr *a, const struct carp_addr *b)
{
	if (a->ca_af != b->ca_af)
		return 0;
	if (a->ca_af == 0)
		return 1;
	return memcmp(&a->ca_u, &b->ca_u, a->ca_af == AF_INET ? 4 : 16) == 0;
}

/*
 * 1 when b can take over a's FSM state unchanged: same vhid, device,
 * source, key, VIPs and peers. advbase/advskew may differ (they are
 * updated in place, like ifconfig advskew on a running vhid).
 */
int
eng_vhid_same(const struct eng_vhid *a, const struct eng_vhid *b)
{
	const struct carp_vconf	*x = &a->ev_vconf, *y = &b->ev_vconf;
	size_t			 i;

	if (a->ev_vhid != b->ev_vhid || a->ev_ifindex != b->ev_ifindex ||
	    strcmp(a->ev_device, b->ev_device) != 0 ||
	    strcmp(a->ev_iface, b->ev_iface) != 0 ||
	    !eng_addr_eq(&a->ev_src, &b->ev_src) ||
	    a->ev_nvips != b->ev_nvips)
		return 0;
	for (i = 0; i < a->ev_nvips; i++)
		if (!eng_addr_eq(&a->ev_vips[i].vp_addr,
		    &b->ev_vips[i].vp_addr) ||
		    a->ev_vips[i].vp_bits != b->ev_vips[i].vp_bits)
			return 0;
	return x->vc_keylen == y->vc_keylen &&
	    memcmp(x->vc_key, y->vc_key, sizeof(x->vc_key)) == 0 &&
	    x->vc_nvip4 == y->vc_nvip4 && x->vc_nvip6 == y->vc_nvip6 &&
	    memcmp(x->vc_vip4, y->vc_vip4, sizeof(x->vc_vip4)) == 0 &&
	    memcmp(x->vc_vip6, y->vc_vip6, sizeof(x->vc_vip6)) == 0 &&
	    eng_addr_eq(&x->vc_peer4, &y->vc_peer4) &&
	    eng_addr_eq(&x->vc_peer6, &y->vc_peer6);
}

/*
 * 1 when two plain VIPs are the same entry on the same device, governed
 * by the same VHID.
 */
int
eng_plain_same(const struct eng_vip *a, const struct eng_vip *b)
{
	return strcmp(a->vp_mode, b->vp_mode) == 0 &&
	    strcmp(a->vp_device, b->vp_device) == 0 &&
	    a->vp_ifindex == b->vp_ifindex && a->vp_bits == b->vp_bits &&
	    a->vp_gov == b->vp_gov && eng_addr_eq(&a->vp_addr, &b->vp_addr);
}

void
carp_engine_wipe_secrets(json_t *snap)
{
	json_t	*vips, *row, *pw;
	size_t	 i;

	vips = json_object_get(json_object_get(snap, "sections"), "vips");
	json_array_foreach(vips, i, row)
		if (json_is_string(pw = json_object_get(row, "password")))
			explicit_bzero((char *)(uintptr_t)json_string_value(pw),
			    json_string_length(pw));
}
