/*
 * body.c — request bodies and arguments: JSON or url-encoded forms,
 * turned into one JSON object whatever the client sent, with
 * "sort[field]=asc" and "rule[enabled]=1" nested as OPNsense's GUI and
 * API clients write them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "util.h"

/*
 * Adds key=val to obj. "a[b]" becomes obj.a.b, "a[]" appends to the
 * array obj.a; anything else is a plain member. A later value wins.
 */
void
api_args_put(json_t *obj, const char *key, const char *val)
{
	const char	*lb;
	char		*outer, *inner;
	size_t		 kl = strlen(key);
	json_t		*sub;

	lb = strchr(key, '[');
	if (lb == NULL || lb == key || kl < 3 || key[kl - 1] != ']') {
		json_object_set_new(obj, key, json_string(val));
		return;
	}
	outer = xasprintf("%.*s", (int)(lb - key), key);
	inner = xasprintf("%.*s", (int)(kl - (size_t)(lb - key) - 2), lb + 1);
	sub = json_object_get(obj, outer);
	if (*inner == '\0') {
		if (!json_is_array(sub)) {
			sub = json_array();
			json_object_set_new(obj, outer, sub);
		}
		json_array_append_new(sub, json_string(val));
	} else {
		if (!json_is_object(sub)) {
			sub = json_object();
			json_object_set_new(obj, outer, sub);
		}
		json_object_set_new(sub, inner, json_string(val));
	}
	free(outer);
	free(inner);
}

static int
api_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decodes len bytes of s into a new string the caller frees; NULL on
 * %00 or a bad escape.
 */
static char *
api_urldecode(const char *s, size_t len)
{
	char	*out = xmalloc(len + 1), *o = out;
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				goto err;
			hi = api_hexval((unsigned char)s[i + 1]);
			lo = api_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto err;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
err:
	free(out);
	return NULL;
}

static json_t *
api_form_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	json_t		*obj = json_object();
	const char	*p = buf, *end = buf + len, *amp, *eq;
	char		*k = NULL, *v = NULL;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		k = api_urldecode(p, (size_t)(eq - p));
		v = api_urldecode(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0);
		if (k == NULL || v == NULL) {
			snprintf(err, errlen, "malformed form encoding");
			goto err;
		}
		if (*k != '\0')
			api_args_put(obj, k, v);
		free(k);
		util_free_secret(v);
		k = v = NULL;
		p = amp + 1;
	}
	return obj;
err:
	free(k);
	util_free_secret(v);
	json_decref(obj);
	return NULL;
}

/*
 * Measures a JSON text before the parser builds it: the deepest nesting
 * of objects and arrays, and the values it holds (members and
 * elements). Stops counting past the limits. Strings are skipped, so a
 * bracket in one counts for nothing; the parser judges the syntax.
 */
static void
api_json_measure(const char *buf, size_t len, long *depth, long *items)
{
	long	maxd = api_limit(API_LIM_JSON_DEPTH);
	long	maxi = api_limit(API_LIM_ITEMS);
	long	d = 0;
	size_t	i;
	int	instr = 0, empty = 0;

	*depth = *items = 0;
	for (i = 0; i < len && *depth <= maxd && *items <= maxi; i++) {
		if (instr) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				instr = 0;
			continue;
		}
		switch (buf[i]) {
		case '"':
			instr = 1;
			break;
		case '{':
		case '[':
			if (empty)
				(*items)++;	/* a container as first value */
			if (++d > *depth)
				*depth = d;
			empty = 1;	/* no value yet in this container */
			continue;
		case '}':
		case ']':
			d--;
			break;
		case ',':
			(*items)++;
			break;
		case ' ': case '\t': case '\r': case '\n':
			continue;
		}
		if (empty && buf[i] != '}' && buf[i] != ']')
			(*items)++;	/* the first value of a container */
		empty = 0;
	}
}

/*
 * Returns a new object from a JSON or form body, or NULL with a message
 * for the client in err and the HTTP status in *status (400, or 413 past
 * the items limit). A form content type whose body starts with '{' is
 * read as JSON: curl -d sends that type unless told otherwise.
 */
json_t *
api_body_parse(const char *buf, size_t len, const char *ctype, char *err,
    size_t errlen, int *status)
{
	json_error_t	 jerr;
	json_t		*obj;
	size_t		 i = 0, n;
	long		 depth, items;

	*status = 400;
	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (i == len)
		return json_object();
	if (ctype != NULL && strncasecmp(ctype, "multipart/", 10) == 0) {
		snprintf(err, errlen, "multipart bodies are not supported");
		return NULL;
	}
	if (ctype != NULL && strncasecmp(ctype,
	    "application/x-www-form-urlencoded", 33) == 0 && buf[i] != '{') {
		for (n = 1, i = 0; i < len; i++)
			n += buf[i] == '&';
		if ((long)n > api_limit(API_LIM_ITEMS))
			goto toomany;
		return api_form_parse(buf, len, err, errlen);
	}
	api_json_measure(buf, len, &depth, &items);
	if (depth > api_limit(API_LIM_JSON_DEPTH)) {
		snprintf(err, errlen, "JSON nesting deeper than %s (%ld)",
		    api_limit_name(API_LIM_JSON_DEPTH),
		    api_limit(API_LIM_JSON_DEPTH));
		return NULL;
	}
	if (items > api_limit(API_LIM_ITEMS))
		goto toomany;
	obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		snprintf(err, errlen, "malformed JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		snprintf(err, errlen, "the body must be a JSON object");
		return NULL;
	}
	return obj;
toomany:
	*status = 413;
	snprintf(err, errlen, "the body holds more than %s (%ld) values",
	    api_limit_name(API_LIM_ITEMS), api_limit(API_LIM_ITEMS));
	return NULL;
}
