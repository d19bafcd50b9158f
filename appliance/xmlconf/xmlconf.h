/*
 * xmlconf.h — OPNsense config.xml import and export.
 *
 * Import parses a config.xml with libxml2 (no network, no entities, no
 * DTD, size and depth capped), maps it onto the configuration model and
 * hands the result to cfg_restore(): the same validation as the API, one
 * transaction, all or nothing. With XMLCONF_PARTIAL, rows the model
 * refuses are dropped one by one and the rest is retried. Either way a
 * report says, per section, what was imported and why anything was not.
 *
 * Export writes the stored configuration in the same shape (MVC forms
 * where OPNsense uses them), uuids as attributes, in a fixed order: an
 * export imports back to the identical configuration, and exporting that
 * again gives the same bytes.
 */
#ifndef TW_XMLCONF_H
#define TW_XMLCONF_H

#include <jansson.h>
#include <stddef.h>

struct cfg_ctx;
struct store;

#define XMLCONF_MAX_FILE	(64u << 20)	/* bytes, a file */
#define XMLCONF_MAX_API		(1u << 20)	/* bytes, through the API */
#define XMLCONF_MAX_DEPTH	64		/* element nesting */
#define XMLCONF_MAX_ELEMENTS	2000000		/* elements in a document */

/* Import flags. */
#define XMLCONF_PARTIAL		0x01	/* import what is valid */

/*
 * Imports the config.xml in buf (len bytes, at most cap). name names the
 * document in messages and the revision ("config.xml"). Returns 0 when
 * the configuration was replaced, -1 when nothing changed. *reportp
 * always receives a new report object the caller releases with
 * json_decref():
 *   {"result":"imported"|"failed", "partial":bool, "message":text,
 *    "config_hash":hex, "ignored":[top-level elements not mapped],
 *    "sections":{"<section>":{"imported":N,"skipped":M,
 *       "items":[{"item","reason","field","message"}],
 *       "notes":[{"item","reason","field","message"}]}}}
 * reason is "unsupported", "invalid", "reference" or "duplicate"; items
 * are rows not imported, notes are values dropped from imported rows.
 */
int	 xmlconf_import(struct cfg_ctx *, const char *buf, size_t len,
	    size_t cap, int flags, const char *name, json_t **reportp);
/*
 * Reads a config.xml-shaped tree (an OPNsense XML-RPC sync payload turned
 * into a document; doc is taken over and freed) with the forms import
 * uses, storing nothing. *sectionsp receives {"<section>": rows} for each
 * list section whose form found its list in doc, and each singleton the
 * document holds; *reportp a report as xmlconf_import's (items that could
 * not be read, notes, "ignored" elements no form maps). 0, or -1 when out
 * of resources (*sectionsp NULL).
 */
struct _xmlDoc;
int	 xmlconf_read_doc(struct _xmlDoc *doc, json_t **sectionsp,
	    json_t **reportp);
/* The same for a file (capped at XMLCONF_MAX_FILE). */
int	 xmlconf_import_file(struct cfg_ctx *, const char *path, int flags,
	    json_t **reportp);

/* A report as text, one line per item; a new string the caller frees. */
char	*xmlconf_report_text(json_t *report);

/*
 * The stored configuration as a config.xml document, with password
 * hashes and CARP/sync secrets only when with_secrets (a restorable
 * backup; never for a browser). Returns a new NUL-terminated buffer the
 * caller frees (length in *lenp), or NULL when the store cannot be read.
 */
char	*xmlconf_export(struct store *, int with_secrets, size_t *lenp);

/*
 * The sections object given (a snapshot's, borrowed) as an OPNsense
 * master's restore_config_section argument: the export forms' subtrees
 * of those sections at their config.xml paths, elements as members,
 * repeated and list tags as arrays, attributes under "@attributes".
 * Returns a new object.
 */
json_t	*xmlconf_export_struct(json_t *sections);

#endif
