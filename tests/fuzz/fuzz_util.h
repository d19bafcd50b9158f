/*
 * fuzz_util.h — what the libFuzzer targets share: one real SQLite store
 * per fuzzing process, opened in a temporary data directory on first use
 * and removed at exit.
 *
 * Every input runs between fuzz_begin() and fuzz_end(). The product code
 * runs as it does in the daemon, at transaction depth 0, committing
 * what it saves (an outer transaction of ours would change its
 * behaviour: store_begin nests by count and one inner rollback makes
 * every later commit of the nest fail). fuzz_end() then puts the
 * factory database back if the input changed anything, so each input
 * starts from the same store and the database does not grow.
 */
#ifndef TW_FUZZ_UTIL_H
#define TW_FUZZ_UTIL_H

struct store;

/* The process's store; aborts when it cannot be opened. */
struct store	*fuzz_store(void);
/* The store, at the factory configuration. */
struct store	*fuzz_begin(void);
/* Puts the factory configuration back if the input changed it. */
void		 fuzz_end(struct store *);

#endif
