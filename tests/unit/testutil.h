/*
 * testutil.h — helpers for the cmocka unit tests: a fresh data directory
 * per test (removed afterwards) and a store opened in it.
 */
#ifndef TW_TESTUTIL_H
#define TW_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "store.h"

static inline char *
tu_tmpdir(void)
{
	char tmpl[] = "/tmp/twtest.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? strdup(d) : NULL;
}

static inline void
tu_rmdir(char *dir)
{
	char cmd[512];

	if (dir == NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
}

/*
 * The fixture of the tests that need a store: a fresh directory, the
 * store opened in it, and a model context for user "tester". cmocka's
 * setup and teardown; *state is the struct tu_fx they own.
 */
struct tu_fx {
	char		*dir;
	struct store	*st;
	struct cfg_ctx	 ctx;
};

static inline int
tu_setup(void **state)
{
	struct tu_fx	*fx = calloc(1, sizeof(*fx));
	char		 err[256];

	*state = fx;
	if (fx == NULL)
		return -1;
	fx->dir = tu_tmpdir();
	fx->st = store_open(fx->dir, err, sizeof(err));
	if (fx->st == NULL)
		fprintf(stderr, "store_open: %s\n", err);
	fx->ctx.c_st = fx->st;
	fx->ctx.c_user = "tester";
	return fx->st == NULL ? -1 : 0;
}

static inline int
tu_teardown(void **state)
{
	struct tu_fx *fx = *state;

	store_close(fx->st);
	tu_rmdir(fx->dir);
	free(fx);
	return 0;
}

#endif
