/*
 * render.h — pure functions from a config snapshot (config.h) to the
 * text a platform loads. No I/O, no globals: same snapshot, same bytes.
 *
 * Each returns a new NUL-terminated string the caller frees, or NULL with
 * the reason in err (a snapshot the renderer cannot express).
 */
#ifndef TW_RENDER_H
#define TW_RENDER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The whole nftables script: replaces the tables twinwall owns. */
char	*nft_render(json_t *snapshot, char *err, size_t errlen);
/* pf.conf for FreeBSD. */
char	*pf_render(json_t *snapshot, char *err, size_t errlen);

/*
 * The nft commands that refill the set(s) of one alias in the loaded
 * table (flush + add element), without touching rules. The sets must
 * exist: a new or renamed alias needs nft_render(). Same ownership.
 */
char	*nft_render_alias_update(json_t *snapshot, const char *alias,
	    char *err, size_t errlen);

/* The table every nft_render() script replaces (one inet table: filter,
 * NAT and alias sets together, so one transaction swaps them all). */
#define TW_NFT_TABLE	"twinwall"
/*
 * Alias X becomes the nft sets alias_X (and alias_X.6): a prefix no nft
 * keyword has, so an alias named "counter" or "ip" cannot break a load.
 */
#define TW_NFT_ALIAS	"alias_"
/* The set holding a track6 interface's delegated /64 (track6.c fills). */
#define TW_NFT_IFNET6	"ifnet6_"
/*
 * The CARP engine's virtual-MAC devices are <prefix><vhid> (carp/linux.h):
 * frames to a VIP arrive on them, so rules on an interface match them too.
 */
#define TW_VMAC_PREFIX	"twc"
/*
 * Rules with log=1 send packets to this NFLOG group with the prefix
 * "tw:<uuid>:<action>" (action pass, block, reject, nat, rdr), so the
 * firewall log maps an entry back to its rule.
 */
#define TW_NFLOG_GROUP	1
/* conntrackd (FTFW over UDP) port on the state sync interface. */
#define TW_STATESYNC_PORT 3780

/*
 * ct mark bits of the states a pass rule with nopfsync (pf's no-sync)
 * creates, one per node of the pair so a node tells its own from those
 * conntrackd replicated from the peer anyway (its resync reads the whole
 * kernel table and the mark travels with the state): the peer's are
 * dropped by the ruleset and deleted when the external cache is
 * committed. No other use of the ct mark may touch these bits.
 */
#define TW_CTMARK_NOSYNC_LOW	0x80000000u	/* lower sync address */
#define TW_CTMARK_NOSYNC_HIGH	0x40000000u	/* higher sync address */
#define TW_CTMARK_NOSYNC	(TW_CTMARK_NOSYNC_LOW | TW_CTMARK_NOSYNC_HIGH)
/*
 * This node's bit: hasync.pfsyncinterface's static address against
 * hasync.pfsyncpeerip, both node-local (never synced), compared as
 * addresses of the peer's family. _LOW when either is missing or they
 * cannot be compared. pfsyncenabled is not looked at, so switching
 * state sync on or off does not turn a node's states into the peer's.
 */
uint32_t render_nosync_mark(json_t *snapshot);

/*
 * conntrackd.c: the state sync daemon's configuration (statesync/
 * supervises the process).
 */
/* Where the rendered file points conntrackd (absolute paths). */
struct conntrackd_paths {
	const char	*sp_lockfile;
	const char	*sp_socket;	/* < 108 bytes (sun_path) */
};

/*
 * Pure: the conntrackd.conf for a snapshot, or NULL with the reason in
 * err (state sync disabled, no sync interface address, unsafe values).
 * Returns a new string the caller frees.
 */
char	*conntrackd_render(json_t *snapshot, const struct conntrackd_paths *,
	    char *err, size_t errlen);
/*
 * Pure: the ct mark bit (TW_CTMARK_NOSYNC_*, above) of the states the
 * peer's nopfsync rules create, which the MASTER sequence deletes from
 * the kernel table once the external cache is committed.
 */
uint32_t conntrackd_peer_mark(json_t *snapshot);

/*
 * Policy routing: a pass rule with a gateway (or a gateway group) sends
 * its connections through that gateway. The bits in use, all here:
 *
 *   ct mark  0xc0000000  TW_CTMARK_NOSYNC (above)
 *   ct mark  0x00ff0000  TW_MARK_GW: the route target of the connection
 *   meta mark 0x00ff0000 TW_MARK_GW: the same, copied onto each packet
 *                        of the original direction before routing
 *
 * Target i (1..TW_MARK_GW_MAX) is the i-th name of render_gw_targets()
 * and has mark i << TW_MARK_GW_SHIFT, routing table TW_RT_TABLE_GW + i
 * and an ip rule "fwmark mark/TW_MARK_GW lookup table" at preference
 * TW_RT_PRIO_GW + i (linux_net.c keeps them). A group's table holds the
 * route through the member in use, so a status change re-points one
 * route and the ruleset stays as it is.
 */
#define TW_MARK_GW		0x00ff0000u
#define TW_MARK_GW_SHIFT	16
#define TW_MARK_GW_MAX		255
#define TW_RT_TABLE_GW		17700u
#define TW_RT_PRIO_GW		17700u
/*
 * The route targets in mark order: the distinct `gateway` names of the
 * enabled pass filter rules, sorted (a mark moves only when the set of
 * targets changes, never when rules are reordered). A new array of
 * strings, at most TW_MARK_GW_MAX (the renderer refuses more).
 */
json_t	*render_gw_targets(json_t *snapshot);
/* Target name's mark index in targets (1..), or 0 when absent. */
int	 render_gw_index(json_t *targets, const char *name);

#endif
