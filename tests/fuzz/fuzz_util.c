/*
 * fuzz_util.c — the store the fuzz targets share (see fuzz_util.h).
 *
 * The factory database is copied once into memory with SQLite's backup
 * API and copied back the same way after an input that wrote: a few
 * pages, far cheaper than store_open()'s migrations and factory install.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "fuzz_util.h"

static char		 fuzz_dir[256];
static struct store	*fuzz_st;
static sqlite3		*fuzz_pristine;	/* in memory: the factory database */
static sqlite3_int64	 fuzz_changes;	/* total_changes after the last reset */

/* Copies all of src's main database into dst's; aborts on failure. */
static void
fuzz_copy(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup	*b;

	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL ||
	    sqlite3_backup_step(b, -1) != SQLITE_DONE) {
		fprintf(stderr, "fuzz: sqlite3 backup: %s\n",
		    sqlite3_errmsg(dst));
		abort();
	}
	sqlite3_backup_finish(b);
}

/* Removes the data directory (one level: twinwall.db, -wal, -shm). */
static void
fuzz_cleanup(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[512];

	if (fuzz_st != NULL)
		store_close(fuzz_st);
	fuzz_st = NULL;
	if (fuzz_pristine != NULL)
		sqlite3_close(fuzz_pristine);
	fuzz_pristine = NULL;
	if (fuzz_dir[0] == '\0' || (d = opendir(fuzz_dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(fuzz_dir);
}

struct store *
fuzz_store(void)
{
	const char	*tmp = getenv("TMPDIR");
	char		 err[512];

	if (fuzz_st != NULL)
		return fuzz_st;
	log_init("fuzz", 0);
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/twfuzz.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	if ((fuzz_st = store_open(fuzz_dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz: store_open %s: %s\n", fuzz_dir, err);
		abort();
	}
	atexit(fuzz_cleanup);
	if (sqlite3_open(":memory:", &fuzz_pristine) != SQLITE_OK)
		abort();
	fuzz_copy(fuzz_pristine, store_db(fuzz_st));
	fuzz_changes = sqlite3_total_changes64(store_db(fuzz_st));
	return fuzz_st;
}

struct store *
fuzz_begin(void)
{
	return fuzz_store();
}

void
fuzz_end(struct store *st)
{
	sqlite3 *db = store_db(st);

	/* Counts rolled-back changes too: then the copy is merely wasted. */
	if (sqlite3_total_changes64(db) == fuzz_changes)
		return;
	fuzz_copy(db, fuzz_pristine);
	fuzz_changes = sqlite3_total_changes64(db);
}
