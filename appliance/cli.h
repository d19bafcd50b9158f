/*
 * cli.h — what every local command (check, import, console, sync,
 * import-xml, ...) does around the store it opens directly.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

struct store;

/*
 * Makes dir absolute (creating it 0700 when create). Returns a new string
 * the caller frees, or NULL (reported on stderr).
 */
char		*cli_datadir(const char *dir, int create);
/* Opens the store of an absolute dir; NULL (reported) on failure. */
struct store	*cli_store_open(const char *dir);
/*
 * Closes the store. Run as root on a directory the daemon prepared, the
 * files SQLite just created go to the API child's user (the owner of
 * DIR/var), so the child can still write its database.
 */
void		 cli_store_close(struct store *, const char *dir);

#endif
