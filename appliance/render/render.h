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
 * Pure: the ct mark bit (render.h TW_CTMARK_NOSYNC_*, this header) of the states the
 * peer's nopfsync rules create, which the MASTER sequence deletes from
 * the kernel table once the external cache is committed.
 */
uint32_t conntrackd_peer_mark(json_t *snapshot);

#endif
