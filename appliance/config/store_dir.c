/*
 * store_dir.c — the store around local commands: an absolute data directory,
 * open, and a close that keeps the files writable by the API child.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_dir.h"
#include "store.h"
#include "util.h"

/*
 * Makes dir absolute (creating it 0700 when create). Returns a new string
 * the caller frees, or NULL (reported).
 */
char *
store_dir_path(const char *dir, int create)
{
	char *abs;

	if (dir == NULL) {
		fprintf(stderr, "twinwall: --data DIR is required\n");
		return NULL;
	}
	if (create && util_mkdirs(dir, 0700) == -1) {
		fprintf(stderr, "twinwall: mkdir %s: %s\n", dir,
		    strerror(errno));
		return NULL;
	}
	if ((abs = realpath(dir, NULL)) == NULL) {
		fprintf(stderr, "twinwall: %s: %s\n", dir, strerror(errno));
		return NULL;
	}
	return abs;
}

/* Opens the store of dir; NULL (reported) on failure. */
struct store *
store_dir_open(const char *dir)
{
	struct store	*st;
	char		 err[512];

	if ((st = store_open(dir, err, sizeof(err))) == NULL)
		fprintf(stderr, "twinwall: store %s: %s\n", dir, err);
	return st;
}

/*
 * Closes the store. Run as root on a directory the daemon prepared, files
 * SQLite just created go to the child's user (the owner of DIR/var), so
 * the child can still write its database.
 */
void
store_dir_close(struct store *st, const char *dir)
{
	static const char *const files[] = { STORE_DB_NAME,
	    STORE_DB_NAME "-wal", STORE_DB_NAME "-shm" };
	struct stat	 sb;
	char		*p;
	size_t		 i;

	store_close(st);
	if (geteuid() != 0)
		return;
	p = xasprintf("%s/var", dir);
	if (lstat(p, &sb) == -1 || !S_ISDIR(sb.st_mode) || sb.st_uid == 0) {
		free(p);
		return;
	}
	free(p);
	for (i = 0; i < nitems(files); i++) {
		p = xasprintf("%s/%s", dir, files[i]);
		if (lchown(p, sb.st_uid, sb.st_gid) == -1 && errno != ENOENT)
			fprintf(stderr, "twinwall: chown %s: %s\n", p,
			    strerror(errno));
		free(p);
	}
}
