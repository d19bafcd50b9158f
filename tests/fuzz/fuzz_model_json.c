/*
 * fuzz_model_json.c — request bodies as the API takes them, through the
 * body parser and into the configuration model.
 *
 * The input is a request body. Like webapi/server.c: NUL bytes and
 * bodies over API_MAX_BODY are refused before parsing; then
 * api_body_parse() reads it as JSON ("application/json") and as a form
 * (curl's default type, where a body starting with '{' is JSON again).
 * The parsed object is then fed to the model the way the handlers do:
 *   - for every section whose API key ("rule", "alias", "vip", ...) is a
 *     member, the item goes through handlers_crud.c's api_item_fields()
 *     as the add/set handlers do, then to cfg_validate(), cfg_add()
 *     (cfg_set_singleton for singletons), then cfg_set() on the new row;
 *   - the whole object to cfg_restore() as a snapshot
 *     ({"format":1,"sections":{...}}).
 * All of it in one transaction that is rolled back (fuzz_util.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config/config.h"
#include "store.h"
#include "util.h"
#include "fuzz_util.h"

/* One section: validate, add (or set the singleton), set the new row. */
static void
section(struct cfg_ctx *ctx, const struct cfg_section *sec, json_t *in)
{
	struct cfg_errors	 errs;
	json_t			*row;
	char			 uuid[UUID_LEN + 1];

	cfg_errors_init(&errs, sec->s_key);
	util_uuid(uuid);
	row = cfg_validate(ctx->c_st, sec, in, NULL, uuid, &errs);
	json_decref(row);
	cfg_errors_free(&errs);

	cfg_errors_init(&errs, sec->s_key);
	if (sec->s_flags & CFG_S_SINGLETON) {
		(void)cfg_set_singleton(ctx, sec, in, &errs);
		cfg_errors_free(&errs);
		return;
	}
	if (cfg_add(ctx, sec, in, uuid, &errs) == 0) {
		cfg_errors_free(&errs);
		cfg_errors_init(&errs, sec->s_key);
		(void)cfg_set(ctx, sec, uuid, in, &errs);
	}
	cfg_errors_free(&errs);
}

static void
model(struct store *st, json_t *body)
{
	const struct cfg_section *const	*s;
	struct cfg_errors		 errs;
	struct cfg_ctx			 ctx;
	json_t				*item, *in, *ignored;

	memset(&ctx, 0, sizeof(ctx));
	ctx.c_st = st;
	ctx.c_user = "fuzz";
	for (s = cfg_sections(); *s != NULL; s++) {
		item = json_object_get(body, (*s)->s_key);
		if (!json_is_object(item))
			continue;
		ignored = json_array();
		cfg_errors_init(&errs, (*s)->s_key);
		in = api_item_fields(*s, item, 0, ignored, &errs);
		cfg_errors_free(&errs);
		json_decref(ignored);
		if (in == NULL)
			continue;
		section(&ctx, *s, in);
		json_decref(in);
	}
	cfg_errors_init(&errs, "snapshot");
	(void)cfg_restore(&ctx, body, "fuzz", &errs);
	cfg_errors_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const types[] = {
		"application/json", "application/x-www-form-urlencoded",
	};
	struct store	*st;
	json_t		*body;
	char		 err[256];
	size_t		 i, j;
	int		 status;

	if (len > API_MAX_BODY || memchr(data, '\0', len) != NULL)
		return 0;
	st = fuzz_begin();
	for (j = 0; j < len && strchr(" \t\r\n", data[j]) != NULL; j++)
		;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		/* A form body starting with '{' is JSON: parsed already. */
		if (i == 1 && j < len && data[j] == '{')
			break;
		body = api_body_parse((const char *)data, len, types[i], err,
		    sizeof(err), &status);
		if (body != NULL)
			model(st, body);
		json_decref(body);
	}
	fuzz_end(st);
	return 0;
}
