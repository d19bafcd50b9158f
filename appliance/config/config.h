/*
 * config.h — the configuration model: sections described as field
 * tables, validated and stored through one generic engine (model.c).
 *
 * Each section lives in its own file (config/<section>.c) which holds its
 * field table and any cross-field rule; the API, the console, the
 * XML-RPC sync and the importers all go through cfg_* so that one
 * validation serves every path.
 *
 * Values: every field travels as a JSON string, as in OPNsense's API
 * ("1"/"0" for booleans, "" for unset). Rows carry "uuid". A snapshot is
 *   {"format":1,"sections":{"<section>":[row,...] | {singleton}}}
 * and is what revisions store, what the parent renders and what
 * export/import read and write.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "subsys.h"

struct store;

enum cfg_type {
	CFG_TEXT,	/* printable UTF-8, no control characters */
	CFG_NAME,	/* [A-Za-z_][A-Za-z0-9_]* */
	CFG_HOSTNAME,	/* RFC 1123 label(s) */
	CFG_BOOL,	/* "0" | "1" (accepts true/false, 0/1, yes/no, on/off) */
	CFG_INT,	/* f_min .. f_max */
	CFG_ENUM,	/* one of f_enum */
	CFG_ADDR,	/* IPv4 or IPv6 address */
	CFG_ADDR4,
	CFG_ADDR6,
	CFG_CIDR,	/* address/prefix, either family */
	CFG_ENDPOINT,	/* any | address | CIDR | alias | <if> | <if>ip */
	CFG_PORT,	/* port | lo:hi | lo-hi | port alias */
	CFG_REF,	/* the name of an item of section f_ref */
	CFG_TARGET,	/* NAT target: address | <if>ip | a VIP's address */
	CFG_SECRET,	/* kept for use (CARP key, sync password); never returned */
	CFG_PASSWORD,	/* kept as a slow hash; never returned */
	CFG_CRON,	/* one field of a five-field cron expression */
	CFG_DEVICE,	/* a network device name (IFNAMSIZ) */
	CFG_PEER,	/* host name, address or http(s)://host[:port] */
};

/* Field flags. */
#define CFG_F_REQUIRED	0x01	/* may not be empty */
#define CFG_F_LIST	0x02	/* comma-separated list of f_type values */
#define CFG_F_UNIQUE	0x04	/* unique within the section */
#define CFG_F_READONLY	0x08	/* set by the system, ignored on input */
#define CFG_F_FLOATING	0x10	/* list of interfaces; empty = all (floating) */
#define CFG_F_GWGROUP	0x20	/* CFG_REF to gateways: a gateway group too */

struct cfg_field {
	const char		*f_name;	/* JSON key and SQL column */
	enum cfg_type		 f_type;
	unsigned		 f_flags;
	long			 f_min, f_max;	/* int bounds; for text: max length */
	const char		*f_default;	/* as text; NULL = "" */
	const char *const	*f_enum;	/* NULL-terminated, CFG_ENUM */
	const char		*f_ref;		/* CFG_REF: section referenced */
	const char		*f_help;	/* one line, for openapi.json and the GUI */
};

struct cfg_errors;

/* Section flags. */
#define CFG_S_SINGLETON	0x01	/* one row, no uuid in the API: get/set */
#define CFG_S_SEQUENCE	0x02	/* rows ordered by "sequence" */
#define CFG_S_NOEXPORT	0x04	/* kept out of snapshots */

/* Shorthands for field tables. */
#define CFG_BOOLF(n, d, h)	{ n, CFG_BOOL, 0, 0, 0, d, NULL, NULL, h }
#define CFG_END			{ NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL }

/*
 * A field under the name OPNsense's models and API clients use, where it
 * differs (alias "description") or where OPNsense has a field twinwall has
 * no equivalent for (o_field NULL: accepted, ignored and named in the
 * answer; shown as o_default in OPNsense-shaped reads, or as an option
 * field with no choice when o_default is NULL).
 */
struct cfg_opn_name {
	const char		*o_name;	/* OPNsense's key */
	const char		*o_field;	/* ours, or NULL */
	const char		*o_default;	/* o_field NULL: shown as */
};
#define CFG_OPN_END		{ NULL, NULL, NULL }

struct cfg_section {
	const char		*s_name;	/* snapshot key and SQL table */
	const char		*s_key;		/* API body key: "rule", "vip" */
	enum subsys		 s_subsys;	/* dirty flag / apply unit */
	const char		*s_syncitem;	/* hasync.syncitems id, or NULL */
	unsigned		 s_flags;
	const struct cfg_field	*s_fields;	/* terminated by f_name NULL */
	const char		*s_namefield;	/* what others refer to, or NULL */
	const char		*s_toggle;	/* "enabled" or "disabled" */
	const char		*s_descfield;	/* names a row in messages */
	/*
	 * Cross-field and cross-row rules, run after every field passed.
	 * row is the complete normalised row (uuid set); add messages with
	 * cfg_error(). Returns 0 or -1.
	 */
	int			(*s_check)(struct store *, json_t *row,
				    struct cfg_errors *);
	/*
	 * OPNsense's shapes (webapi/handlers_opn.c): the path of the items
	 * in the controller's model-level get ("alias.aliases.alias"), a
	 * second body key ("gateway_item"), field names; NULL when none.
	 */
	const char		*s_opn_path;
	const char		*s_opn_key;
	const struct cfg_opn_name *s_opn;
};

/* Validation messages, keyed "<s_key>.<field>" as the API returns them. */
struct cfg_errors {
	json_t			*e_obj;		/* owned */
	const char		*e_key;		/* section key prefix */
};

void	cfg_errors_init(struct cfg_errors *, const char *key);
void	cfg_errors_free(struct cfg_errors *);
void	cfg_error(struct cfg_errors *, const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	cfg_errors_any(const struct cfg_errors *);

/* Who is saving, for the revision. */
struct cfg_ctx {
	struct store	*c_st;
	const char	*c_user;	/* "root", "console", "sync 10.0.0.1" */
	int		 c_batch;	/* caller owns the transaction and revision */
};

/* Return codes besides 0. */
#define CFG_EINVAL	(-1)	/* validation failed: see the errors */
#define CFG_ENOENT	(-2)	/* no such item */
#define CFG_EREF	(-3)	/* refused: still referenced (see errors) */
#define CFG_ESTORE	(-4)	/* SQLite failed (logged) */

/* The section table. Borrowed, static. */
const struct cfg_section *const *cfg_sections(void);
const struct cfg_section *cfg_section(const char *name);
const struct cfg_field	 *cfg_field(const struct cfg_section *, const char *);

/* Returns a new row of defaults (no uuid). */
json_t	*cfg_defaults(const struct cfg_section *);

/*
 * Validates in (a JSON object of field -> value, any of string, number or
 * boolean) merged over base (the stored row for set, defaults for add).
 * Unknown fields are errors. Returns a new normalised row, or NULL with
 * messages in errs. uuid is the row's id (set by the caller).
 */
json_t	*cfg_validate(struct store *, const struct cfg_section *,
	    json_t *in, json_t *base, const char *uuid, struct cfg_errors *);

/* CRUD. uuid_out receives the new id (UUID_LEN+1 bytes). */
/* cfg_add under a uuid the caller chose (OPNsense's set of a new uuid). */
int	 cfg_add_as(struct cfg_ctx *, const struct cfg_section *,
	    const char *uuid, json_t *in, char *uuid_out, struct cfg_errors *);
int	 cfg_add(struct cfg_ctx *, const struct cfg_section *, json_t *in,
	    char *uuid_out, struct cfg_errors *);
int	 cfg_set(struct cfg_ctx *, const struct cfg_section *,
	    const char *uuid, json_t *in, struct cfg_errors *);
int	 cfg_del(struct cfg_ctx *, const struct cfg_section *,
	    const char *uuid, struct cfg_errors *);
/*
 * want: 1 enable, 0 disable, -1 flip. *enabledp: state after. e (may be
 * NULL) receives why a toggle was refused.
 */
int	 cfg_toggle(struct cfg_ctx *, const struct cfg_section *,
	    const char *uuid, int want, int *enabledp, int *changedp,
	    struct cfg_errors *e);
/* Moves uuid to just before before_uuid (CFG_S_SEQUENCE sections). */
int	 cfg_move_before(struct cfg_ctx *, const struct cfg_section *,
	    const char *uuid, const char *before_uuid);

/* Singletons: the row, and set = validate + replace. */
json_t	*cfg_get_singleton(struct store *, const struct cfg_section *,
	    int with_secrets);
int	 cfg_set_singleton(struct cfg_ctx *, const struct cfg_section *,
	    json_t *in, struct cfg_errors *);

/*
 * Reads one row; returns a new object or NULL (not found / store error).
 * Secrets and password hashes are left out unless with_secrets.
 */
json_t	*cfg_get(struct store *, const struct cfg_section *, const char *uuid,
	    int with_secrets);
/* Finds a row by its s_namefield value; new object or NULL. */
json_t	*cfg_find(struct store *, const struct cfg_section *, const char *name);

struct cfg_query {
	int		 q_current;	/* page, from 1 */
	int		 q_rowcount;	/* rows per page; -1 = all */
	const char	*q_phrase;	/* words, all must match some field */
	const char	*q_sort;	/* field name or NULL (sequence/name) */
	int		 q_desc;
	json_t		*q_where;	/* borrowed: {field: value}, where_term() */
};

/* Returns a new {"total","rowCount","current","rows"} or NULL. */
json_t	*cfg_search(struct store *, const struct cfg_section *,
	    const struct cfg_query *);
/* The same answer as JSON text (the API's hot path); new string or NULL. */
char	*cfg_search_text(struct store *, const struct cfg_section *,
	    const struct cfg_query *);

/*
 * Snapshots. which: NULL for every section, or a borrowed array of
 * section names. Returns a new snapshot object. with_secrets as above.
 */
json_t	*cfg_snapshot(struct store *, json_t *which, int with_secrets);
/*
 * Replaces the sections present in snap with its content, after
 * validating every row of every section (references checked against the
 * result). Nothing is written unless all is valid. Marks the subsystems
 * dirty and stores one revision with descr unless c_batch.
 */
int	 cfg_restore(struct cfg_ctx *, json_t *snap, const char *descr,
	    struct cfg_errors *);
/* SHA-256 hex of the canonical form of a snapshot's sections. */
void	 cfg_hash(json_t *snap, char out[65]);

/*
 * Sets obj's member at path (names joined by sep, "system/webgui"),
 * making the objects on the way; v is borrowed (its reference is added).
 */
void	 cfg_json_set_path(json_t *obj, const char *path, int sep, json_t *v);

/* Factory defaults (a new snapshot), as a fresh store holds them. */
json_t	*cfg_factory(void);
/* Writes the factory defaults into an empty store (inside the caller's
 * transaction) with the revision "factory defaults". 0 or -1. */
int	 cfg_install_factory(struct store *);

/*
 * The one set of row accessors, for section files, renderers and the
 * platform: a borrowed string, "" if absent (or row NULL); "1" as true;
 * a number or dflt.
 */
const char	*cfg_str(json_t *row, const char *field);
int		 cfg_bool(json_t *row, const char *field);
long		 cfg_int(json_t *row, const char *field, long dflt);
/* The rows of section in a snapshot ({"sections":{...}}); NULL if none. */
json_t		*cfg_rows(json_t *snap, const char *section);
/* The first of rows whose field is value, or NULL. Borrowed. */
json_t		*cfg_row_find(json_t *rows, const char *field,
		    const char *value);

/*
 * The dynamic gateway of interface ifname's lease, as OPNsense names it:
 * "WAN_DHCP" (v6 = 0) or "WAN_DHCP6". It exists while the interface is
 * in DHCP mode; a stored gateway of that name with gateway "dynamic"
 * refines it (priority, defaultgw, ...). Writes into out.
 */
void	cfg_gw_dynamic_name(const char *ifname, int v6, char *out, size_t len);

/* Field-level syntax checks, shared with renderers and the console. */
int	cfg_check_addr(const char *, int family);	/* 0 any, 4, 6 */
int	cfg_check_cidr(const char *, int family);
int	cfg_check_port(const char *);			/* number or range */
int	cfg_check_hostname(const char *);
int	cfg_check_name(const char *);
/* 1 when zone names a compiled zone file under CFG_ZONEINFO. */
#define CFG_ZONEINFO	"/usr/share/zoneinfo"
int	cfg_check_timezone(const char *zone);
/*
 * Tells the system section's rule whether the daemon's listen address is
 * a loopback one (then webgui_protocol http is allowed). Called once by
 * the API child; until then the rule is left to the apply.
 */
void	cfg_system_listen_loopback(int loopback);

#endif
