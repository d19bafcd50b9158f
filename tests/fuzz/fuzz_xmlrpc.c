/*
 * fuzz_xmlrpc.c — the backup side of the sync: the body of POST
 * /xmlrpc.php given to sync_xmlrpc_serve() as webapi/xmlrpc.c does once
 * the caller is authenticated (bodies over API_MAX_BODY never get here).
 *
 * Every method is reachable: restore_config_section and the staging
 * methods reach cfg_restore with the real store (rolled back after each
 * input, fuzz_util.h); filter_configure and restart_service reach the
 * root parent's line, which is closed here, so they fail as they would
 * with the parent gone. The answer must be a methodResponse.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fuzz_util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct store	*st;
	char		*out;
	size_t		 outlen = 0;

	if (len > API_MAX_BODY)
		return 0;
	st = fuzz_begin();
	out = sync_xmlrpc_serve(st, "fuzz@127.0.0.1", (const char *)data, len,
	    &outlen);
	/* xmlrpc-c answers even a malformed call with a fault response. */
	if (out == NULL || memmem(out, outlen, "<methodResponse>", 16) ==
	    NULL) {
		fprintf(stderr, "fuzz_xmlrpc: no methodResponse (%zu bytes)\n",
		    outlen);
		abort();
	}
	free(out);
	fuzz_end(st);
	return 0;
}
