/*
 * fuzz_configxml.c — config.xml import, as POST core/backup/import and
 * the console take it: xmlconf_import() all-or-nothing and, if that
 * refused it, XMLCONF_PARTIAL; the report is turned into text as the CLI prints it.
 *
 * Whatever imported is also checked against the promise of xmlconf.h:
 * "an export imports back to the identical configuration, and exporting
 * that again gives the same bytes". A violation aborts, so libFuzzer
 * keeps the input. Rolled back after each input (fuzz_util.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store.h"
#include "xmlconf/xmlconf.h"
#include "fuzz_util.h"

static void
report(json_t *rep)
{
	free(xmlconf_report_text(rep));
	json_decref(rep);
}

/* Export, import that, export again: same bytes, import must succeed. */
static void
roundtrip(struct cfg_ctx *ctx)
{
	json_t	*rep = NULL;
	char	*x1, *x2;
	size_t	 l1, l2;

	if ((x1 = xmlconf_export(ctx->c_st, 1, &l1)) == NULL) {
		fprintf(stderr, "fuzz_configxml: export failed after import\n");
		abort();
	}
	if (xmlconf_import(ctx, x1, l1, XMLCONF_MAX_FILE, 0, "export",
	    &rep) != 0) {
		char *t = xmlconf_report_text(rep);

		fprintf(stderr, "fuzz_configxml: an export does not import "
		    "back:\n%s\n--- export ---\n%s\n", t, x1);
		abort();
	}
	report(rep);
	if ((x2 = xmlconf_export(ctx->c_st, 1, &l2)) == NULL ||
	    l1 != l2 || memcmp(x1, x2, l1) != 0) {
		fprintf(stderr, "fuzz_configxml: export -> import -> export "
		    "differs:\n--- first ---\n%s\n--- second ---\n%s\n", x1,
		    x2 ? x2 : "(failed)");
		abort();
	}
	free(x1);
	free(x2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cfg_ctx	 ctx;
	json_t		*rep = NULL;
	int		 rc;

	if (len > XMLCONF_MAX_API)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = fuzz_begin();
	ctx.c_user = "fuzz";
	rc = xmlconf_import(&ctx, (const char *)data, len, XMLCONF_MAX_API, 0,
	    "config.xml", &rep);
	report(rep);
	if (rc != 0) {
		rep = NULL;
		rc = xmlconf_import(&ctx, (const char *)data, len,
		    XMLCONF_MAX_API, XMLCONF_PARTIAL, "config.xml", &rep);
		report(rep);
	}
	if (rc == 0)
		roundtrip(&ctx);
	fuzz_end(ctx.c_st);
	return 0;
}
