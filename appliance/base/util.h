/*
 * util.h — allocation that aborts, string helpers, random ids.
 *
 * x* allocators never return NULL: running out of memory in a firewall
 * daemon is a broken invariant. util_* return 0/-1.
 */
#ifndef TW_UTIL_H
#define TW_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define UUID_LEN	36

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* Returns a new string the caller frees. */
char	*xstrdup(const char *);
/* Returns a new string the caller frees. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

size_t	 util_strlcpy(char *, const char *, size_t);
int	 util_random(void *, size_t);
/* Writes a random RFC 4122 v4 uuid, NUL-terminated, into out[UUID_LEN+1]. */
void	 util_uuid(char *out);
int	 util_is_uuid(const char *);
/*
 * The one boolean parser, for what clients send (OPNsense's send "1"/"0";
 * scripts send the words): 1 for 1/true/yes/on, 0 for 0/false/no/off,
 * any case; -1 for anything else (NULL too).
 */
int	 util_bool(const char *);
void	 util_hex(const uint8_t *, size_t, char *out);
/* Frees s after wiping it: for secrets. NULL is fine. */
void	 util_free_secret(char *s);
/* Reads a whole file; returns a new NUL-terminated buffer or NULL. */
char	*util_read_file(const char *path, size_t *lenp, size_t max);
/* Writes a file atomically (tmp + rename) with mode; 0 or -1. */
int	 util_write_file(const char *path, const void *, size_t, int mode);
int	 util_mkdirs(const char *path, int mode);
double	 util_now(void);		/* CLOCK_MONOTONIC seconds */
/*
 * In a freshly forked child of a supervisor: default signal dispositions,
 * nothing blocked, no descriptor above 2 but keep (-1: none), and SIGTERM
 * when the parent dies, so a parent killed with -9 takes its programs
 * along. -1 when the parent is already gone (the child should _exit).
 */
int	 util_child_reset(int keep);

#endif
