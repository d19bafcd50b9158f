/*
 * platform.h — what the root parent does to the host. One driver per
 * platform (linux.c, freebsd.c, dry.c), chosen at start by --platform.
 *
 * apply receives a validated snapshot (borrowed) and the subsystems to
 * bring in line. On failure the previous state stays in force and err
 * holds the reason (the kernel's, where it gave one).
 */
#ifndef TW_PLATFORM_H
#define TW_PLATFORM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct platform {
	const char	*p_name;
	int		(*p_init)(const char *datadir);
	int		(*p_apply)(json_t *snapshot, json_t *subsys,
			    char *err, size_t errlen);
	/* Returns a new array of state-table rows, or NULL if unsupported. */
	json_t		*(*p_states)(void);
	void		(*p_shutdown)(void);
	/*
	 * Drops the states whose source or destination (either direction)
	 * lies in filter (an address or CIDR; NULL: every state). Returns
	 * how many were dropped, or -1 with the reason in err. NULL when
	 * the platform has no state table.
	 */
	int		(*p_kill_states)(const char *filter, char *err,
			    size_t errlen);
	/*
	 * A gateway's status changed (gwmon/): bring the routes in line
	 * with the last apply. NULL: this platform routes nothing.
	 */
	void		(*p_gw_changed)(void);
};

/* Borrowed, static; NULL for an unknown name. */
const struct platform	*platform_get(const char *name);
/* Each p_init records its driver as the one this process runs. */
void			 platform_set_current(const struct platform *);
/* Calls the running driver's p_gw_changed, if it has one. */
void			 platform_gw_changed(void);

/*
 * The parent's request handlers for the state table (daemon.c's table):
 * "states" -> {status, rows, note?}, "kill_states" {filter} and
 * "flush_states" -> {status, dropped_states}. req is borrowed; each
 * returns a new answer object.
 */
struct parent;
json_t	*platform_req_states(struct parent *, json_t *req, const char *from);
json_t	*platform_req_kill_states(struct parent *, json_t *req,
	    const char *from);
json_t	*platform_req_flush_states(struct parent *, json_t *req,
	    const char *from);

extern const struct platform platform_dry;
extern const struct platform platform_linux;
extern const struct platform platform_freebsd;

/*
 * For the drivers beside the platform (statesync/): the rendered
 * directory, its action log, and on Linux the state table.
 */
/* The path for messages: borrowed, "" before platform_rendered_open. */
const char *platform_rendered_path(void);

/*
 * Atomically replaces DIR/rendered/name with len bytes of data.
 * 0, or -1 with the reason in err.
 */
int	platform_write(const char *name, const void *data, size_t len,
	    int mode, char *err, size_t errlen);

/* Appends "<time> <line>" to DIR/rendered/actions.log. */
void	platform_action(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Linux (linux_states.c): deletes every conntrack (both families) whose ct mark & mask == mark,
 * in one ctnetlink flush. The count it had just before, or -1 (logged).
 */
int	 linux_states_flush_mark(uint32_t mark, uint32_t mask);

#endif
