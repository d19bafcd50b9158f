/*
 * parse.c — reading a config.xml that may be hostile.
 *
 * libxml2 runs with XML_PARSE_NONET, without XML_PARSE_NOENT (no entity
 * substitution) and without XML_PARSE_DTDLOAD. Guards hooked into its
 * SAX callbacks stop the parser at once on a DOCTYPE with an external
 * identifier or an internal subset (so no entity is ever declared, let
 * alone expanded), on nesting deeper than XMLCONF_MAX_DEPTH and on more
 * than XMLCONF_MAX_ELEMENTS elements. Every refusal names the line.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "xmlconf_int.h"

#define PARSE_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOCDATA | \
	XML_PARSE_COMPACT | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Declared encodings accepted; libxml2 turns them all into UTF-8. */
static const char *const encodings[] = { "UTF-8", "UTF8", "US-ASCII",
    "ASCII", "ISO-8859-1", "ISO_8859-1", "LATIN1", NULL };

struct guard {
	startElementNsSAX2Func	 g_start;
	endElementNsSAX2Func	 g_end;
	internalSubsetSAXFunc	 g_subset;
	int			 g_depth;
	long			 g_count;
	int			 g_line;
	char			 g_why[160];
};

static pthread_once_t parse_once = PTHREAD_ONCE_INIT;

static void
parse_init(void)
{
	xmlInitParser();
}

static void
guard_refuse(xmlParserCtxtPtr ctxt, const char *why)
{
	struct guard *g = ctxt->_private;

	if (g->g_why[0] == '\0') {
		snprintf(g->g_why, sizeof(g->g_why), "%s", why);
		g->g_line = ctxt->input != NULL ? ctxt->input->line : 0;
	}
	xmlStopParser(ctxt);
}

static void
guard_subset(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct guard		*g = ctxt->_private;

	if (eid != NULL || sid != NULL) {
		guard_refuse(ctxt, "a DOCTYPE with an external identifier "
		    "(external DTD) is refused");
		return;
	}
	/* libxml2 calls this with the input just before a '[' subset. */
	if (ctxt->input != NULL && ctxt->input->cur != NULL &&
	    *ctxt->input->cur == '[') {
		guard_refuse(ctxt, "a DOCTYPE with an internal subset "
		    "(entity declarations) is refused");
		return;
	}
	g->g_subset(ctx, name, eid, sid);
}

/* Never reached while guard_subset works; a second lock on the door. */
static void
guard_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	(void)name; (void)type; (void)pub; (void)sys; (void)content;
	guard_refuse(ctx, "entity declarations are refused");
}

static void
guard_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
    const xmlChar **attrs)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct guard		*g = ctxt->_private;
	char			 why[96];

	if (++g->g_depth > XMLCONF_MAX_DEPTH) {
		snprintf(why, sizeof(why), "elements nested deeper than %d",
		    XMLCONF_MAX_DEPTH);
		guard_refuse(ctxt, why);
		return;
	}
	if (++g->g_count > XMLCONF_MAX_ELEMENTS) {
		snprintf(why, sizeof(why), "more than %d elements",
		    XMLCONF_MAX_ELEMENTS);
		guard_refuse(ctxt, why);
		return;
	}
	g->g_start(ctx, local, prefix, uri, nns, ns, nattr, ndef, attrs);
}

static void
guard_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr	 ctxt = ctx;
	struct guard		*g = ctxt->_private;

	g->g_depth--;
	g->g_end(ctx, local, prefix, uri);
}

/* Anything left in the tree that names an entity (belt and braces). */
static int
tree_has_entities(xmlNode *n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ENTITY_REF_NODE ||
		    n->type == XML_ENTITY_DECL || n->type == XML_DTD_NODE)
			return 1;
		if (n->type == XML_ELEMENT_NODE && tree_has_entities(n->children))
			return 1;
	}
	return 0;
}

static int
encoding_ok(const char *enc)
{
	size_t i;

	if (enc == NULL)
		return 1;
	for (i = 0; encodings[i] != NULL; i++)
		if (strcasecmp(enc, encodings[i]) == 0)
			return 1;
	return 0;
}

/*
 * Returns a new document the caller frees with xmlFreeDoc(), or NULL
 * with "line N: reason" in err.
 */
xmlDoc *
xmlconf_parse(const char *buf, size_t len, size_t cap, char *err,
    size_t errlen)
{
	xmlParserCtxtPtr	 ctxt = NULL;
	xmlDoc			*doc = NULL;
	xmlNode			*root;
	struct guard		 g;
	const xmlError		*e;
	char			 msg[256];
	size_t			 n;

	if (len > cap) {
		snprintf(err, errlen, "line 0: document of %zu bytes exceeds "
		    "the limit of %zu bytes", len, cap);
		return NULL;
	}
	if (len == 0) {
		snprintf(err, errlen, "line 0: empty document");
		return NULL;
	}
	/* UTF-16/32 (a BOM or NULs up front): config.xml is UTF-8. */
	if (len >= 2 && (memcmp(buf, "\xff\xfe", 2) == 0 ||
	    memcmp(buf, "\xfe\xff", 2) == 0 || memchr(buf, '\0',
	    len < 4 ? len : 4) != NULL)) {
		snprintf(err, errlen, "line 1: UTF-16/UTF-32 documents are "
		    "not supported (use UTF-8)");
		return NULL;
	}
	pthread_once(&parse_once, parse_init);
	if ((ctxt = xmlNewParserCtxt()) == NULL || ctxt->sax == NULL) {
		snprintf(err, errlen, "line 0: out of memory");
		goto err;
	}
	memset(&g, 0, sizeof(g));
	g.g_start = ctxt->sax->startElementNs;
	g.g_end = ctxt->sax->endElementNs;
	g.g_subset = ctxt->sax->internalSubset;
	if (g.g_start == NULL || g.g_end == NULL || g.g_subset == NULL) {
		snprintf(err, errlen, "line 0: libxml2 has no SAX2 handlers");
		goto err;
	}
	ctxt->sax->startElementNs = guard_start;
	ctxt->sax->endElementNs = guard_end;
	ctxt->sax->internalSubset = guard_subset;
	ctxt->sax->entityDecl = guard_entity;
	ctxt->sax->unparsedEntityDecl = NULL;
	ctxt->sax->externalSubset = NULL;
	ctxt->sax->resolveEntity = NULL;
	ctxt->_private = &g;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "config.xml", NULL,
	    PARSE_OPTIONS);
	if (g.g_why[0] != '\0') {
		snprintf(err, errlen, "line %d: %s", g.g_line, g.g_why);
		goto err;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		e = &ctxt->lastError;
		snprintf(msg, sizeof(msg), "%s", e->message != NULL ?
		    e->message : "not well-formed XML");
		n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		snprintf(err, errlen, "line %d: %s", e->line, msg);
		goto err;
	}
	if (!encoding_ok((const char *)doc->encoding)) {
		snprintf(err, errlen, "line 1: unsupported encoding \"%.40s\" "
		    "(use UTF-8)", (const char *)doc->encoding);
		goto err;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL ||
	    tree_has_entities(doc->children)) {
		snprintf(err, errlen, "line 1: DTDs and entities are refused");
		goto err;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, "opnsense") != 0) {
		snprintf(err, errlen, "line %d: not an OPNsense config.xml "
		    "(the root element is <%.40s>, not <opnsense>)",
		    root ? (int)xmlGetLineNo(root) : 1,
		    root ? (const char *)root->name : "");
		goto err;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
err:
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL) {
		ctxt->_private = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	return NULL;
}
