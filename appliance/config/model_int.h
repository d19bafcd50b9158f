/*
 * model_int.h — the model engine's internals, private to appliance/config/.
 */
#ifndef TW_MODEL_INT_H
#define TW_MODEL_INT_H

#include "config.h"

/* 1 when s (len bytes) is UTF-8 without control characters. */
int	 cfg_check_text(const char *s, size_t len);
/* A JSON input value as text; new string, or NULL with *why set. */
char	*cfg_value_text(const struct cfg_field *, json_t *, const char **why);
/* Validated, normalised value; new string, or NULL with a message in e. */
char	*cfg_field_normalise(const struct cfg_field *, json_t *,
	    struct cfg_errors *);

/* refs.c: references from a row to other sections must resolve. */
int	 cfg_refs_check(struct store *, const struct cfg_section *, json_t *row,
	    struct cfg_errors *);
/*
 * refs.c: refuses when anything still names the item called name in
 * section sec (a delete, or a rename away from name). Messages go to
 * field `field` of e. Returns 0 when free, CFG_EREF when referenced.
 */
int	 cfg_refs_free(struct store *, const struct cfg_section *,
	    const char *name, const char *field, struct cfg_errors *e);

/* model.c: validation modes. */
#define V_REFS		0x01	/* check references and section rules */
#define V_STORED	0x02	/* values as stored: password hashes as is */

json_t	*cfg_validate_mode(struct store *, const struct cfg_section *,
	    json_t *in, json_t *base, const char *uuid, struct cfg_errors *,
	    int mode);
/* Whole rows of a section in snapshot order; new array or NULL. */
json_t	*cfg_rows_where(struct store *, const struct cfg_section *,
	    const char *where, const char *val, int secrets, int first_only);
int	 cfg_row_write(struct store *, const struct cfg_section *, json_t *row,
	    int insert, struct cfg_errors *);
/* "uuid, f1, f2, ..."; a new string. */
char	*cfg_columns(const struct cfg_section *);
const char *cfg_order_by(const struct cfg_section *);
int	 cfg_is_secret(const struct cfg_field *);

/* users.c: enabled admins with a password (-1 when the store fails). */
int	 cfg_users_admins(struct store *);
/* users.c: the lock-out rule; before: cfg_users_admins() earlier. 0/-1. */
int	 cfg_users_guard(struct store *, int before, struct cfg_errors *);

#endif
