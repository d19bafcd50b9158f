/*
 * store_dir.h — what every local command (check, import, console, sync,
 * import-xml, ...) does around the store it opens directly.
 */
#ifndef TW_STORE_DIR_H
#define TW_STORE_DIR_H

struct store;

/*
 * Makes dir absolute (creating it 0700 when create). Returns a new string
 * the caller frees, or NULL (reported on stderr).
 */
char		*store_dir_path(const char *dir, int create);
/* Opens the store of an absolute dir; NULL (reported) on failure. */
struct store	*store_dir_open(const char *dir);
/*
 * Closes the store. Run as root on a directory the daemon prepared, the
 * files SQLite just created go to the API child's user (the owner of
 * DIR/var), so the child can still write its database.
 */
void		 store_dir_close(struct store *, const char *dir);

#endif
