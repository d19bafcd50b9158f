/*
 * subsys.h — the apply units ("subsystems"): what a save marks dirty,
 * what an apply brings in line, what the parent reports as in force.
 * One enum and one table of names (subsys.c); every module that passes
 * a subsystem to another uses these values, so a name can never be
 * spelt two ways ("vip" here, "vips" there).
 */
#ifndef TW_SUBSYS_H
#define TW_SUBSYS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum subsys {
	SUBSYS_NONE = 0,	/* a section nothing applies */
	SUBSYS_SYSTEM,		/* host name, resolvers, zone, GUI port */
	SUBSYS_INTERFACES,	/* addresses, MTU */
	SUBSYS_ROUTING,		/* gateways and static routes */
	SUBSYS_ALIASES,		/* the ruleset's named sets */
	SUBSYS_FILTER,		/* filter rules */
	SUBSYS_NAT,		/* outbound NAT and port forwards */
	SUBSYS_VIP,		/* virtual IPs: CARP, proxy ARP, aliases */
	SUBSYS_HASYNC,		/* HA settings, state sync */
	SUBSYS_USERS,		/* users and keys (in force when saved) */
	SUBSYS_CRON,		/* scheduled jobs (in force when saved) */
	SUBSYS_COUNT
};

typedef uint32_t subsys_mask;

#define SUBSYS_BIT(s)	((subsys_mask)1 << (s))
/* Every subsystem the root parent applies to the host. */
#define SUBSYS_PARENT	(SUBSYS_BIT(SUBSYS_SYSTEM) |			\
			 SUBSYS_BIT(SUBSYS_INTERFACES) |		\
			 SUBSYS_BIT(SUBSYS_ROUTING) |			\
			 SUBSYS_BIT(SUBSYS_ALIASES) |			\
			 SUBSYS_BIT(SUBSYS_FILTER) |			\
			 SUBSYS_BIT(SUBSYS_NAT) |			\
			 SUBSYS_BIT(SUBSYS_VIP) |			\
			 SUBSYS_BIT(SUBSYS_HASYNC))
#define SUBSYS_ALL	(SUBSYS_PARENT | SUBSYS_BIT(SUBSYS_USERS) |	\
			 SUBSYS_BIT(SUBSYS_CRON))

/* The name of s ("vip"); "" for SUBSYS_NONE. Static. */
const char	*subsys_name(enum subsys);
/* The subsystem called name, or SUBSYS_NONE for no such name. */
enum subsys	 subsys_from_name(const char *);
/*
 * An apply's subsystem list (a JSON array of names; NULL, null or []
 * means every one) as a mask. 0, or -1 with the offending entry in err.
 */
int		 subsys_mask_from_json(json_t *list, subsys_mask *,
		    char *err, size_t errlen);
/* A new JSON array of the names in mask, in table order. */
json_t		*subsys_mask_to_json(subsys_mask);
/*
 * 1 when the apply list (as above; NULL or [] = all) names s. Lists
 * reach the parent checked by subsys_mask_from_json.
 */
int		 subsys_has(json_t *list, enum subsys s);

#endif
