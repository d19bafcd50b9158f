/*
 * sync_int.h — internals of sync/, shared by its modules only.
 */
#ifndef TW_SYNC_INT_H
#define TW_SYNC_INT_H

#include <jansson.h>
#include <stddef.h>

#include <xmlrpc-c/base.h>

#include "sync.h"

struct store;
struct cfg_errors;

#define SYNC_RESULTS_KEEP	50	/* results kept in the store */
#define SYNC_ADVSKEW_ADD	100	/* the backup advertises worse... */
#define SYNC_ADVSKEW_MAX	254	/* ...up to the CARP maximum */
#define SYNC_MAX_ROWS		200000	/* rows one restore may carry */
#define SYNC_XML_CHUNK		(600u << 10)	/* estimated XML per call */

/* pack.c: what is synchronised, in which shape. */

/*
 * The sections of a hasync.syncitems list ("rules,nat"), in the model's
 * order: a new array of section names.
 */
json_t	*sync_sections_of(const char *syncitems);
/* 1 when section name is one a peer may replace (it has a syncitem). */
int	 sync_section_ok(const char *name);

/* opnxml.c: OPNsense's config.xml-shaped restore_config_section. */

/* 1 when a payload names something other than twinwall's sections. */
int	 sync_opn_shaped(json_t *in);
/*
 * The twinwall sections of an OPNsense payload (borrowed), read through
 * the config.xml importer's forms: a new {"<section>": rows} object, with
 * what no form maps in *ignoredp (a new array); NULL with err when a row
 * cannot be mapped (nothing is taken then).
 */
json_t	*sync_opn_sections(json_t *in, json_t **ignoredp, char *err,
	    size_t errlen);

#define SYNC_VIEW_SEND	0x01	/* the master's payload: advskew + 100 */

/*
 * The sync view of a snapshot's "sections" object (borrowed) for the
 * borrowed array of names which: rows with nosync="1" and VIPs without a
 * vhid are left out (they stay local on either node), node identity
 * fields of singletons too (hostname, domain); with SYNC_VIEW_SEND CARP
 * VIPs get advskew = min(advskew + 100, 254). Both nodes hash this view,
 * so after a sync the master's and the backup's hashes match. Returns a
 * new object {section: rows | singleton}.
 */
json_t	*sync_view(json_t *sections, json_t *which, int flags);
/* SHA-256 hex of a view (cfg_hash of {"sections":view}). */
void	 sync_view_hash(json_t *view, char out[65]);
/*
 * The backup's merge: returns a new snapshot {"format":1,"sections":...}
 * for cfg_restore where every incoming section (borrowed object) keeps
 * this node's rows with nosync="1", its VIPs without vhid and its own
 * identity fields. NULL with a message in err when a section may not be
 * synchronised or has the wrong shape.
 */
json_t	*sync_merge(struct store *, json_t *incoming, char *err,
	    size_t errlen);
/*
 * A row as it travels: the fields whose value is the section's default
 * (defaults, borrowed, from cfg_defaults) are left out; the peer's model
 * puts them back. Cuts a filter rule's XML to about a third. New object.
 */
json_t	*sync_wire_row(json_t *defaults, json_t *row);
/* Estimated size of a row's XML-RPC encoding, bytes. */
size_t	 sync_xml_estimate(json_t *row);

/* xmlval.c: JSON <-> XML-RPC values. */

/*
 * Returns a new xmlrpc_value (strings, integers, booleans, doubles,
 * arrays, structs) the caller releases with xmlrpc_DECREF, or NULL with
 * envP set (null values cannot be sent).
 */
xmlrpc_value	*sync_xml_from_json(xmlrpc_env *, json_t *);
/*
 * Returns a new JSON value for v (base64, datetime and nil are refused),
 * or NULL with envP set to a fault naming the problem.
 */
json_t		*sync_json_from_xml(xmlrpc_env *, xmlrpc_value *v);

/* client.c: one XML-RPC peer over libcurl. */

struct sync_peer;

/*
 * Reads hasync (and system.webgui_port for a bare address) and prepares
 * a connection. Returns a new peer the caller frees with sync_peer_close
 * (which wipes the credentials), or NULL with the reason in err.
 */
struct sync_peer *sync_peer_open(struct store *, char *err, size_t errlen);
void		 sync_peer_close(struct sync_peer *);
/* The peer's URL without credentials; borrowed. */
const char	*sync_peer_url(struct sync_peer *);
/* 1 when the peer's certificate was checked (CA or pinned fingerprint). */
int		 sync_peer_verified(struct sync_peer *);
/*
 * Calls method with params (a borrowed JSON array, NULL for none) and
 * returns the result as a new JSON value, or NULL with the reason in err
 * (transport, TLS, HTTP, "Authentication failed", or the fault).
 */
json_t		*sync_peer_call(struct sync_peer *, const char *method,
		    json_t *params, char *err, size_t errlen);

/* services.c: what list_services shows and restart_service restarts. */

/* A new array [{name,description,status,nocheck}]. */
json_t	*sync_services_list(struct store *);
/* Re-applies the subsystems behind service name; 0, or -1 with err. */
struct apply_via;
int	 sync_service_restart(struct store *, const char *name,
	    const struct apply_via *, char *err, size_t errlen);

/* record.c: results of runs, kept in the store's kv table. */

/* Stores result (borrowed) as the newest; 0 or -1 (logged). */
int	 sync_record(struct store *, json_t *result);

#endif
