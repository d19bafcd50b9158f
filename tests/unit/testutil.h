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

#endif
