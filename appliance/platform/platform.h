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

struct platform {
	const char	*p_name;
	int		(*p_init)(const char *datadir);
	int		(*p_apply)(json_t *snapshot, json_t *subsys,
			    char *err, size_t errlen);
	/* Returns a new array of state-table rows, or NULL if unsupported. */
	json_t		*(*p_states)(void);
	void		(*p_shutdown)(void);
};

/* Borrowed, static; NULL for an unknown name. */
const struct platform	*platform_get(const char *name);

extern const struct platform platform_dry;
extern const struct platform platform_linux;
extern const struct platform platform_freebsd;

#endif
