/*
 * subsys.c — the one table of subsystem names.
 */
#include <stdio.h>
#include <string.h>

#include "subsys.h"

static const char *const subsys_names[SUBSYS_COUNT] = {
	[SUBSYS_NONE] =		"",
	[SUBSYS_SYSTEM] =	"system",
	[SUBSYS_INTERFACES] =	"interfaces",
	[SUBSYS_ROUTING] =	"routing",
	[SUBSYS_ALIASES] =	"aliases",
	[SUBSYS_FILTER] =	"filter",
	[SUBSYS_NAT] =		"nat",
	[SUBSYS_VIP] =		"vip",
	[SUBSYS_HASYNC] =	"hasync",
	[SUBSYS_USERS] =	"users",
	[SUBSYS_CRON] =		"cron",
};

const char *
subsys_name(enum subsys s)
{
	if ((int)s < 0 || s >= SUBSYS_COUNT)
		return "";
	return subsys_names[s];
}

enum subsys
subsys_from_name(const char *name)
{
	int	s;

	if (name == NULL || *name == '\0')
		return SUBSYS_NONE;
	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++)
		if (strcmp(subsys_names[s], name) == 0)
			return (enum subsys)s;
	return SUBSYS_NONE;
}

int
subsys_mask_from_json(json_t *list, subsys_mask *mask, char *err,
    size_t errlen)
{
	json_t		*v;
	size_t		 i;
	enum subsys	 s;

	*mask = 0;
	if (list == NULL || json_is_null(list) ||
	    (json_is_array(list) && json_array_size(list) == 0)) {
		*mask = SUBSYS_ALL;
		return 0;
	}
	if (!json_is_array(list)) {
		snprintf(err, errlen, "the subsystem list is not an array");
		return -1;
	}
	json_array_foreach(list, i, v) {
		if ((s = subsys_from_name(json_string_value(v))) ==
		    SUBSYS_NONE) {
			snprintf(err, errlen, "no subsystem \"%.32s\" (one of "
			    "system, interfaces, routing, aliases, filter, "
			    "nat, vip, hasync, users, cron)",
			    json_is_string(v) ? json_string_value(v) : "?");
			return -1;
		}
		*mask |= SUBSYS_BIT(s);
	}
	return 0;
}

json_t *
subsys_mask_to_json(subsys_mask mask)
{
	json_t	*a = json_array();
	int	 s;

	for (s = SUBSYS_NONE + 1; s < SUBSYS_COUNT; s++)
		if (mask & SUBSYS_BIT(s))
			json_array_append_new(a, json_string(subsys_names[s]));
	return a;
}

int
subsys_has(json_t *list, enum subsys s)
{
	json_t	*v;
	size_t	 i;

	if (list == NULL || !json_is_array(list) ||
	    json_array_size(list) == 0)
		return 1;
	json_array_foreach(list, i, v)
		if (subsys_from_name(json_string_value(v)) == s)
			return 1;
	return 0;
}
