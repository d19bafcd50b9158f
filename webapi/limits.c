/*
 * limits.c — the management plane's bounds as one table: connections,
 * timeouts, request sizes and the login throttle. Each row has a name
 * (what `twinwall daemon --limit NAME=VALUE` and core/system/throttle
 * say), a default, a range and a meaning; README.md prints the same
 * table.
 *
 * The values are set in the daemon's process before it forks the API
 * child (cmd_daemon), so the child inherits them; they are read-only
 * once webapi_start() runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"
#include "util.h"
#include "webapi.h"

struct api_limit_row {
	const char	*l_name;
	long		 l_default;
	long		 l_min, l_max;
	const char	*l_unit;
	const char	*l_help;
};

/* Indexed by enum api_limit. */
static const struct api_limit_row api_limit_rows[API_LIM__N] = {
	[API_LIM_CONNECTIONS] = { "connections", 16384, 16, 1000000,
	    "connections", "open connections in all; a connection past it is "
	    "answered 503 (also capped by the open-file limit)" },
	[API_LIM_PER_SOURCE] = { "per_source_connections", 64, 1, 1000000,
	    "connections", "open connections from one address (IPv6: one "
	    "/64); past it 503, past twice it closed at once" },
	[API_LIM_HEADER_TIMEOUT] = { "header_timeout", 10, 1, 3600,
	    "seconds", "a new connection silent this long (no complete "
	    "request) is closed" },
	[API_LIM_KEEPALIVE] = { "keepalive_timeout", 10, 1, 3600, "seconds",
	    "an idle connection between two requests is closed after this" },
	[API_LIM_HEADER_BYTES] = { "header_bytes", 8192, 1024, 65536,
	    "bytes", "request line and headers together; larger is 431" },
	[API_LIM_BODY_BYTES] = { "body_bytes", API_MAX_BODY, 4096, 64 << 20,
	    "bytes", "request body; larger is 413" },
	[API_LIM_BODY_MEMORY] = { "body_memory", 64L << 20, 1L << 20,
	    4096L << 20, "bytes", "request bodies held in memory at once, "
	    "all connections together; a body past it is 503" },
	[API_LIM_JSON_DEPTH] = { "json_depth", 16, 2, 512, "levels",
	    "nesting of objects and arrays in a JSON body; deeper is 400" },
	[API_LIM_ITEMS] = { "items", 10000, 16, 1000000, "items",
	    "values in one body (object members, array elements, form "
	    "fields) or query arguments; more is 413" },
	[API_LIM_AUTH_FREE] = { "auth_free_failures", 3, 0, 1000,
	    "failures", "failed logins or API keys from one address answered "
	    "without delay" },
	[API_LIM_AUTH_LOCK] = { "auth_lock_failures", 8, 1, 100000,
	    "failures", "failures after which the address gets 429 with "
	    "Retry-After; between the two, answers are delayed 0.1 s, 0.2 s, "
	    "... up to 2 s" },
	[API_LIM_AUTH_LOCK_TIME] = { "auth_lock_seconds", 60, 1, 86400,
	    "seconds", "first lock-out; it doubles on each new lock-out of "
	    "the same address, up to 64 times" },
	[API_LIM_AUTH_WINDOW] = { "auth_window", 900, 10, 86400, "seconds",
	    "failures are forgotten this long after the last one" },
	[API_LIM_ROLLBACK] = { "rollback_seconds", 60, 1, 3600, "seconds",
	    "an apply with rollback (firewall/filter/apply/<revision>) is "
	    "undone unless cancel_rollback comes within this (as OPNsense: "
	    "60)" },
};

static long api_limit_vals[API_LIM__N];
static int  api_limit_ready;

static void
api_limit_defaults(void)
{
	int i;

	if (api_limit_ready)
		return;
	for (i = 0; i < API_LIM__N; i++)
		api_limit_vals[i] = api_limit_rows[i].l_default;
	api_limit_ready = 1;
}

long
api_limit(enum api_limit l)
{
	if (l < 0 || l >= API_LIM__N)
		fatalx("api_limit %d", (int)l);
	api_limit_defaults();
	return api_limit_vals[l];
}

const char *
api_limit_name(enum api_limit l)
{
	if (l < 0 || l >= API_LIM__N)
		fatalx("api_limit_name %d", (int)l);
	return api_limit_rows[l].l_name;
}

int
webapi_limit_set(const char *arg, char *err, size_t errlen)
{
	const struct api_limit_row	*r;
	const char			*eq;
	char				*end;
	size_t				 nl;
	long				 v;
	int				 i;

	api_limit_defaults();
	if (arg == NULL || (eq = strchr(arg, '=')) == NULL) {
		snprintf(err, errlen, "want NAME=VALUE");
		return -1;
	}
	nl = (size_t)(eq - arg);
	for (i = 0; i < API_LIM__N; i++) {
		r = &api_limit_rows[i];
		if (strlen(r->l_name) == nl && strncmp(r->l_name, arg, nl) == 0)
			break;
	}
	if (i == API_LIM__N) {
		snprintf(err, errlen, "unknown limit \"%.*s\" (see twinwall "
		    "daemon --limit help)", (int)(nl > 40 ? 40 : nl), arg);
		return -1;
	}
	errno = 0;
	v = strtol(eq + 1, &end, 10);
	if (errno || end == eq + 1 || *end != '\0' || v < r->l_min ||
	    v > r->l_max) {
		snprintf(err, errlen, "%s: want a number from %ld to %ld",
		    r->l_name, r->l_min, r->l_max);
		return -1;
	}
	api_limit_vals[i] = v;
	return 0;
}

void
webapi_limits_print(FILE *fp)
{
	const struct api_limit_row	*r;
	int				 i;

	api_limit_defaults();
	fprintf(fp, "%-24s %9s  %s\n", "limit", "default", "meaning");
	for (i = 0; i < API_LIM__N; i++) {
		r = &api_limit_rows[i];
		fprintf(fp, "%-24s %9ld  %s: %s\n", r->l_name, r->l_default,
		    r->l_unit, r->l_help);
	}
}

json_t *
api_limits_json(void)
{
	json_t	*o = json_object();
	int	 i;

	api_limit_defaults();
	for (i = 0; i < API_LIM__N; i++)
		json_object_set_new(o, api_limit_rows[i].l_name,
		    json_integer(api_limit_vals[i]));
	return o;
}
